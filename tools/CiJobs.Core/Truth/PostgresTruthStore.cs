using System.Data.Common;
using Npgsql;

namespace CiJobs.Core.Truth;

/// <summary>
/// The store in a PostgreSQL database. Writers serialize on one transaction-level advisory lock, so two ingests at once
/// (or two migrations) run one after the other. Messages name the host, port and database, never the password.
/// </summary>
public sealed class PostgresTruthStore : SqlTruthStore
{
    /// <summary>The advisory lock key of the store's writers ("cijobs_t" as a number).</summary>
    private const long WriteLockKey = 0x636a6f62735f74;

    private readonly NpgsqlDataSource dataSource;
    private readonly string where;

    private PostgresTruthStore(NpgsqlDataSource dataSource, NpgsqlConnection connection, string where, TimeProvider time)
        : base(connection, TruthDialect.Postgres, time)
    {
        this.dataSource = dataSource;
        this.where = where;
    }

    public override string Description => $"PostgreSQL store {where}";

    /// <summary>
    /// A connection string from a <c>postgresql://host:port/database?user=NAME</c> URL (<c>postgres://</c> too; other query
    /// parameters as Npgsql keywords; no user information before the host, as for every URL cijobs takes) or an Npgsql keyword string (<c>Host=...;Database=...</c>). The password, when
    /// any, comes from the keyword string or PGPASSWORD, never from a URL (refused before, docs/security.md).
    /// </summary>
    public static NpgsqlConnectionStringBuilder ParseConnection(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        try
        {
            if (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
            {
                UrlCredentials.EnsureNone(text, "the PostgreSQL store URL");
                if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Host.Length == 0)
                {
                    throw new CiJobsException("the PostgreSQL store URL has no host", TruthExitCodes.StoreOption);
                }

                var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host };
                if (!uri.IsDefaultPort && uri.Port > 0)
                {
                    builder.Port = uri.Port;
                }

                if (uri.UserInfo.Length > 0)
                {
                    builder.Username = Uri.UnescapeDataString(uri.UserInfo);
                }

                var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
                if (database.Length > 0)
                {
                    builder.Database = database;
                }

                foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
                {
                    var equals = pair.IndexOf('=', StringComparison.Ordinal);
                    var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
                    // libpq's name for the user; anything else is an Npgsql keyword.
                    builder[key.Equals("user", StringComparison.OrdinalIgnoreCase) ? "Username" : key] = equals < 0 ? "true" : Uri.UnescapeDataString(pair[(equals + 1)..]);
                }

                // Password, or any of its other names: never on a command line.
                if (builder.Password is not null || builder.Passfile is not null)
                {
                    throw new CiJobsException("the PostgreSQL store URL must not carry a password; use PGPASSWORD or CIJOBS_TRUTH_STORE", ExitCodes.CredentialsInUrl);
                }

                return builder;
            }

            return new NpgsqlConnectionStringBuilder(text);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or KeyNotFoundException)
        {
            // The message of a keyword string error may repeat the string; it is not shown.
            throw new CiJobsException("the PostgreSQL connection string cannot be read (a keyword or value Npgsql does not know)", TruthExitCodes.StoreOption, e);
        }
    }

    /// <summary>Connects with <paramref name="connection"/> and migrates the database.</summary>
    public static async Task<PostgresTruthStore> OpenAsync(NpgsqlConnectionStringBuilder connection, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var where = $"{connection.Host}:{connection.Port}/{connection.Database ?? connection.Username ?? ""}";
        var dataSource = new NpgsqlSlimDataSourceBuilder(connection.ConnectionString).Build();
        var npgsql = dataSource.CreateConnection();
        var store = new PostgresTruthStore(dataSource, npgsql, where, time);
        return await OpenAndMigrateAsync(store, "connecting", cancellationToken);
    }

    protected override async Task<DbTransaction> BeginWriteAsync(CancellationToken cancellationToken)
    {
        var transaction = await Connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(transaction, "SELECT pg_advisory_xact_lock(@key)", [("key", WriteLockKey)], cancellationToken);
        return transaction;
    }

    protected override CiJobsException? Translate(Exception exception, string doing) => exception switch
    {
        PostgresException postgres => new CiJobsException(
            $"the {Description} cannot be used ({doing}): {postgres.SqlState} {postgres.MessageText}",
            TruthExitCodes.StoreUnavailable,
            exception),
        NpgsqlException or TimeoutException or System.Net.Sockets.SocketException => new CiJobsException(
            $"the {Description} cannot be used ({doing}): {exception.Message}",
            TruthExitCodes.StoreUnavailable,
            exception),
        _ => null,
    };

    protected override async ValueTask DisposeCoreAsync() => await dataSource.DisposeAsync();
}
