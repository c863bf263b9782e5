namespace CiJobs.Core.Builds;

/// <summary>An append-only log file (rpmbuild.log) written line by line as the build goes.</summary>
public sealed class BuildLog : IAsyncDisposable
{
    private readonly StreamWriter writer;
    private readonly Lock gate = new();

    public BuildLog(string path)
    {
        Path = path;
        writer = new StreamWriter(path, append: true) { AutoFlush = true };
    }

    public string Path { get; }

    public void WriteLine(string line)
    {
        lock (gate)
        {
            writer.WriteLine(line);
        }
    }

    public ValueTask DisposeAsync() => writer.DisposeAsync();
}
