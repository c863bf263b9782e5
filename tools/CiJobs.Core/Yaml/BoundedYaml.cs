using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace CiJobs.Core.Yaml;

/// <summary>
/// Loads YamlDotNet's representation model (<see cref="YamlStream"/>) within <see cref="YamlLimits"/>. YamlDotNet
/// itself shares an aliased node instead of copying it, so loading an alias bomb is cheap, but every reader that walks
/// the tree afterwards expands it; it also builds the tree recursively, so 100,000 nested <c>[</c> overflow the stack.
/// Before the tree is built, one pass over the parser's events (no recursion) counts what a walk would see: nesting
/// depth, alias uses, and nodes with every alias expanded; an alias to a node that is still open (a recursive
/// structure, which no walker would leave) is refused as a YAML error. docs/contracts/zuul-config.md, "YAML limits".
/// </summary>
public static class BoundedYaml
{
    /// <summary>
    /// Parses <paramref name="text"/> after checking it against the limits of the current command
    /// (<see cref="YamlReadContext.Limits"/>). Every failure is a <see cref="YamlException"/> with a line: malformed YAML,
    /// a recursive alias, a limit passed (the message names it and its option), and the exceptions other than
    /// YamlException that YamlDotNet throws on some malformed input (<c>...\n-</c>, <c>!![</c>).
    /// </summary>
    public static YamlStream Load(string text) => Load(text, YamlReadContext.Limits);

    /// <inheritdoc cref="Load(string)"/>
    public static YamlStream Load(string text, YamlLimits limits)
    {
        var stream = new YamlStream();
        var parser = new Parser(new StringReader(text));
        try
        {
            Check(text, limits);
            stream.Load(parser);
        }
        catch (YamlLimitExceededException e)
        {
            var at = new Mark(0, e.Line ?? 1, 1);
            throw new YamlException(at, at, e.Message);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            var at = parser.Current?.Start ?? new Mark(0, 1, 1);
            throw new YamlException(at, at, $"YAML the reader cannot handle ({e.Message})");
        }

        return stream;
    }

    /// <summary>The event pass of <see cref="Load(string)"/>, on its own: a <see cref="YamlLimitExceededException"/> past a limit.</summary>
    public static void Check(string text, YamlLimits limits)
    {
        var budget = new YamlBudget(limits);
        if (text.Length > limits.MaxFileBytes || Encoding.UTF8.GetByteCount(text) > limits.MaxFileBytes)
        {
            throw budget.Exceeded(YamlLimitKind.FileSize, "the file is too large", 1);
        }

        var anchors = new Dictionary<string, (long Size, int Height)>(StringComparer.Ordinal);
        var open = new Stack<Frame>();
        var parser = new Parser(new StringReader(text));
        while (parser.MoveNext())
        {
            var current = parser.Current!;
            var line = current.Start.Line;
            switch (current)
            {
                case DocumentStart:
                    anchors.Clear();
                    break;

                case Scalar scalar:
                    budget.AddNode(line);
                    Done(scalar.Anchor, 1, 0);
                    break;

                case AnchorAlias alias:
                    if (open.Any(frame => frame.Anchor == alias.Value.Value))
                    {
                        throw new YamlException(current.Start, current.End, $"the alias *{alias.Value.Value} refers to a node that contains it (a recursive structure)");
                    }
                    else if (anchors.TryGetValue(alias.Value.Value, out var target))
                    {
                        budget.AddAlias(target.Size, target.Height, open.Count + 1, line);
                        AddToParent(target.Size, target.Height);
                    }
                    else
                    {
                        // An unknown alias: YamlDotNet's loader reports it with its own message.
                        budget.AddAlias(1, 0, open.Count + 1, line);
                        AddToParent(1, 0);
                    }

                    break;

                case SequenceStart or MappingStart:
                    budget.EnterCollection(open.Count + 1, line);
                    budget.AddNode(line);
                    var anchor = ((NodeEvent)current).Anchor;
                    open.Push(new Frame(anchor.IsEmpty ? null : anchor.Value));
                    break;

                case SequenceEnd or MappingEnd:
                    var closed = open.Pop();
                    if (closed.Anchor is { } name)
                    {
                        anchors[name] = (closed.Size, closed.Height + 1);
                    }

                    AddToParent(closed.Size, closed.Height + 1);
                    break;

                default:
                    break;
            }
        }

        void Done(AnchorName anchor, long size, int height)
        {
            if (!anchor.IsEmpty)
            {
                anchors[anchor.Value] = (size, height);
            }

            AddToParent(size, height);
        }

        void AddToParent(long size, int height)
        {
            if (open.TryPeek(out var parent))
            {
                parent.Size += size;
                parent.Height = Math.Max(parent.Height, height);
            }
        }
    }

    /// <summary>An open collection: its anchor, the nodes it holds so far (itself included) and the height of its children.</summary>
    private sealed class Frame(string? anchor)
    {
        public string? Anchor { get; } = anchor;

        public long Size { get; set; } = 1;

        public int Height { get; set; }
    }
}
