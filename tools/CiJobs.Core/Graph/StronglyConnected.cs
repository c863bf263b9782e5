namespace CiJobs.Core.Graph;

/// <summary>Tarjan's strongly connected components, iterative (an explicit stack, so 10,000 packages in a chain do
/// not overflow the call stack).</summary>
public static class StronglyConnected
{
    /// <summary>The component number of each node. Numbers are given in the order Tarjan completes components, which
    /// is a reverse topological order of the condensed graph: a component's successors have smaller numbers.</summary>
    public static int[] Components(int[][] adjacency)
    {
        ArgumentNullException.ThrowIfNull(adjacency);
        var count = adjacency.Length;
        var index = new int[count];
        var low = new int[count];
        var component = new int[count];
        var onStack = new bool[count];
        Array.Fill(index, -1);
        var stack = new Stack<int>();
        var work = new Stack<(int Node, int Next)>();
        var nextIndex = 0;
        var nextComponent = 0;
        for (var root = 0; root < count; root++)
        {
            if (index[root] >= 0)
            {
                continue;
            }

            work.Push((root, 0));
            while (work.Count > 0)
            {
                var (node, next) = work.Pop();
                if (next == 0)
                {
                    index[node] = low[node] = nextIndex++;
                    stack.Push(node);
                    onStack[node] = true;
                }

                var descended = false;
                while (next < adjacency[node].Length)
                {
                    var successor = adjacency[node][next++];
                    if (index[successor] < 0)
                    {
                        work.Push((node, next));
                        work.Push((successor, 0));
                        descended = true;
                        break;
                    }

                    if (onStack[successor])
                    {
                        low[node] = Math.Min(low[node], index[successor]);
                    }
                }

                if (descended)
                {
                    continue;
                }

                if (low[node] == index[node])
                {
                    int member;
                    do
                    {
                        member = stack.Pop();
                        onStack[member] = false;
                        component[member] = nextComponent;
                    }
                    while (member != node);
                    nextComponent++;
                }

                if (work.Count > 0)
                {
                    var parent = work.Peek().Node;
                    low[parent] = Math.Min(low[parent], low[node]);
                }
            }
        }

        return component;
    }
}
