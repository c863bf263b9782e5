using System.Net;
using System.Net.Sockets;
using CiJobs.Tests.Builds;
using Npgsql;

namespace CiJobs.Tests.Truth;

/// <summary>
/// A real PostgreSQL server for the test run, from Debian's postgresql package: initdb into a temp folder, listening on
/// 127.0.0.1 at a free port with its socket in that folder. PostgreSQL refuses to run as root, so as root (CI) the
/// server runs as the postgres user. Each test class asks for a fresh database of its own.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    /// <summary>The folder of initdb and pg_ctl, or null when PostgreSQL is not installed.</summary>
    public static string? BinDirectory { get; } = Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "pg_ctl")) && File.Exists(Path.Combine(b, "initdb"))).Order().LastOrDefault()
        : null;

    private static bool IsRoot => Environment.UserName == "root";

    private string? folder;

    public int Port { get; private set; }

    private string Data => Path.Combine(folder!, "data");

    public async Task InitializeAsync()
    {
        if (BinDirectory is null)
        {
            return;
        }

        folder = Path.Combine(Path.GetTempPath(), $"cijobs-pg-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        if (IsRoot)
        {
            await BuildPaths.RunAsync("chown", ["postgres:postgres", folder]);
        }

        Port = FreePort();
        await AsServerUserAsync("initdb", ["-D", Data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync", "--no-instructions"]);
        await AsServerUserAsync("pg_ctl", ["-D", Data, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "-o", $"-k {folder} -c listen_addresses=127.0.0.1 -p {Port} -c fsync=off", "start"]);
    }

    /// <summary>A connection string to a new, empty database.</summary>
    public async Task<NpgsqlConnectionStringBuilder> CreateDatabaseAsync()
    {
        var name = $"t_{Guid.NewGuid():N}";
        var admin = Connection("postgres");
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return Connection(name);
    }

    public NpgsqlConnectionStringBuilder Connection(string database) => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = database,
        Pooling = false,
    };

    public async Task DisposeAsync()
    {
        if (folder is null)
        {
            return;
        }

        try
        {
            await AsServerUserAsync("pg_ctl", ["-D", Data, "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Task AsServerUserAsync(string program, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(BinDirectory!, program);
        return IsRoot
            ? BuildPaths.RunAsync("runuser", ["-u", "postgres", "--", path, .. arguments], "/")
            : BuildPaths.RunAsync(path, arguments, "/");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL server";
}

/// <summary>A fact that needs PostgreSQL's server binaries; skipped, with the reason, when they are not installed.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.BinDirectory is null)
        {
            Skip = "needs PostgreSQL's server (initdb, pg_ctl under /usr/lib/postgresql/*/bin): apt-get install postgresql";
        }
    }
}
