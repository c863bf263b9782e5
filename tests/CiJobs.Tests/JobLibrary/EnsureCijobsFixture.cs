using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Security.Cryptography;
using CiJobs.Cli.Commands;
using CiJobs.Tests.Support;
using CliWrap;

namespace CiJobs.Tests.JobLibrary;

/// <summary>
/// A release tarball shaped like .ci/release's (<c>cijobs-VERSION-linux-x64/cijobs</c> plus a library) whose
/// <c>cijobs</c> runs the cijobs under test, so <c>--version</c> answers the built version; a stand-in dotnet that
/// records a source build; and a port nothing listens on.
/// </summary>
internal static class EnsureCijobsFixture
{
    /// <summary>The version of the cijobs under test, which the tarball's cijobs prints.</summary>
    public static string Version { get; } =
        typeof(CommandCatalog).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

    public sealed record Release(string Path, string FileName, string Sha256);

    /// <summary>
    /// Writes <c>cijobs-VERSION-linux-x64.tar.gz</c> into <paramref name="directory"/>; its cijobs runs the cijobs under test,
    /// or is <paramref name="script"/>.
    /// </summary>
    public static async Task<Release> CreateReleaseAsync(string directory, string? version = null, string? script = null)
    {
        var name = $"cijobs-{version ?? Version}-linux-x64";
        var tree = Path.Combine(directory, "tree-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(tree, name));
        var program = Path.Combine(tree, name, "cijobs");
        await File.WriteAllTextAsync(program, script ?? $"#!/bin/sh\nexec {CliRunner.CommandLine} \"$@\"\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await File.WriteAllTextAsync(Path.Combine(tree, name, "libgit2-0000000.so"), "not a real library\n");
        Directory.CreateDirectory(directory);
        var tarball = Path.Combine(directory, name + ".tar.gz");
        await global::CliWrap.Cli.Wrap("tar").WithArguments(["-czf", tarball, "-C", tree, name]).ExecuteAsync();
        Directory.Delete(tree, recursive: true);
        return new Release(tarball, name + ".tar.gz", await Sha256Async(tarball));
    }

    public static async Task<string> Sha256Async(string file)
    {
        await using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
    }

    /// <summary>A SHA-256 that differs from <paramref name="sha256"/> in its first digit.</summary>
    public static string Other(string sha256) => (sha256[0] == '0' ? "1" : "0") + sha256[1..];

    /// <summary>A dotnet stand-in: records its arguments, "publishes" a cijobs.dll, and runs any dll as the cijobs under test.</summary>
    public static async Task<(string Program, string Calls)> FakeDotnetAsync(string directory)
    {
        Directory.CreateDirectory(directory);
        var program = Path.Combine(directory, "fake-dotnet");
        var calls = Path.Combine(directory, "dotnet-calls.txt");
        await File.WriteAllTextAsync(program, $$"""
            #!/bin/sh
            echo "$@" >> "{{calls}}"
            if [ "$1" = publish ]; then
              while [ "$1" != --output ]; do shift; done
              mkdir -p "$2" && echo dll > "$2/cijobs.dll"
              exit 0
            fi
            shift
            exec {{CliRunner.CommandLine}} "$@"
            """.Replace("\r", "", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return (program, calls);
    }

    public static string[] Calls(string callsFile) => File.Exists(callsFile) ? File.ReadAllLines(callsFile) : [];

    /// <summary>A URL on 127.0.0.1 where nothing listens (the port was free a moment ago).</summary>
    public static string UnreachableUrl(string file)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"http://127.0.0.1:{port}/{file}";
    }

    /// <summary>Every file and folder under <paramref name="directory"/> (relative), or none when it does not exist.</summary>
    public static IReadOnlyList<string> Entries(string directory) => Directory.Exists(directory)
        ? [.. Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories).Select(e => Path.GetRelativePath(directory, e)).Order(StringComparer.Ordinal)]
        : [];
}
