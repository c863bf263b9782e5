using System.Text;

namespace CiJobs.Tests.Signing;

/// <summary>
/// Polls the command line and environment of every process (<c>/proc/*/cmdline</c>, <c>/proc/*/environ</c>) every few
/// milliseconds while it runs, and records each that holds one of the watched strings: a secret must never be there,
/// where any local user (cmdline) or a crash dump or debug log (environ) can read it.
/// </summary>
public sealed class ProcessWatcher : IAsyncDisposable
{
    private readonly IReadOnlyList<string> secrets;
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;
    private readonly List<string> hits = [];
    private readonly HashSet<string> seen = [];

    public ProcessWatcher(IReadOnlyList<string> secrets)
    {
        this.secrets = secrets;
        loop = Task.Run(Poll);
    }

    /// <summary>How many times all processes were read.</summary>
    public int Rounds { get; private set; }

    /// <summary>Every distinct command line seen (NUL as space), to show the watcher saw the tools run.</summary>
    public IReadOnlyCollection<string> Seen => seen;

    public IReadOnlyList<string> Hits => hits;

    public static IEnumerable<string> CommandLines()
    {
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (Path.GetFileName(folder).All(char.IsAsciiDigit) && Read(Path.Combine(folder, "cmdline")) is { Length: > 0 } commandLine)
            {
                yield return commandLine;
            }
        }
    }

    private static string? Read(string file)
    {
        try
        {
            return Encoding.UTF8.GetString(File.ReadAllBytes(file)).Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private async Task Poll()
    {
        while (!stop.IsCancellationRequested)
        {
            foreach (var folder in Directory.EnumerateDirectories("/proc"))
            {
                if (!Path.GetFileName(folder).All(char.IsAsciiDigit))
                {
                    continue;
                }

                foreach (var part in new[] { "cmdline", "environ" })
                {
                    var text = Read(Path.Combine(folder, part));
                    if (text is null)
                    {
                        continue;
                    }

                    if (part == "cmdline")
                    {
                        seen.Add(text);
                    }

                    foreach (var secret in secrets.Where(s => text.Contains(s, StringComparison.Ordinal)))
                    {
                        hits.Add($"{folder}/{part} holds '{secret}': {text}");
                    }
                }
            }

            Rounds++;
            await Task.Delay(2);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (loop.IsCompleted)
        {
            return;
        }

        await stop.CancelAsync();
        await loop;
    }
}
