using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace CiJobs.Core.Truth;

/// <summary>
/// The embedded store: one SQLite file. Writers take the file's write lock at the start of their transaction (BEGIN
/// IMMEDIATE) and wait for another writer up to the lock timeout; then the error says the store is locked.
/// </summary>
public sealed class SqliteTruthStore : SqlTruthStore
{
    private readonly string path;

    private SqliteTruthStore(SqliteConnection connection, string path, TimeProvider time)
        : base(connection, TruthDialect.Sqlite, time)
    {
        this.path = path;
    }

    public override string Description => $"SQLite store {path}";

    /// <summary>Opens (creating it when missing) the store file at <paramref name="path"/> and migrates it.</summary>
    public static async Task<SqliteTruthStore> OpenAsync(string path, TimeSpan lockTimeout, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new CiJobsException($"the store {full} is a folder, not a SQLite file", TruthExitCodes.StoreOption);
        }

        // The native library is set up here, not found by reflection (Native AOT).
        SQLitePCL.Batteries_V2.Init();
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            ForeignKeys = true,
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(lockTimeout.TotalSeconds)),
        };
        var connection = new SqliteConnection(builder.ToString());
        var store = new SqliteTruthStore(connection, full, time);
        return await OpenAndMigrateAsync(store, "opening", cancellationToken);
    }

    /// <summary>BEGIN IMMEDIATE: the write lock now, waiting for another writer up to the lock timeout.</summary>
    protected override Task<DbTransaction> BeginWriteAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<DbTransaction>(((SqliteConnection)Connection).BeginTransaction(deferred: false));
    }

    protected override CiJobsException? Translate(Exception exception, string doing)
    {
        if (exception is not SqliteException sqlite)
        {
            return null;
        }

        var why = sqlite.SqliteErrorCode switch
        {
            5 or 6 => "it is locked by another process (past the lock timeout)",
            8 => "it is read-only",
            14 => "it cannot be opened (a missing folder, or no permission)",
            26 => "it is not a SQLite database",
            11 => "it is corrupt",
            _ => sqlite.Message,
        };
        return new CiJobsException($"the {Description} cannot be used ({doing}): {why}", TruthExitCodes.StoreUnavailable, exception);
    }
}
