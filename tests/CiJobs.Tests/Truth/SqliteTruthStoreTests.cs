using CiJobs.Core;
using CiJobs.Core.Truth;
using CiJobs.Tests.Provenance;
using CiJobs.Tests.Support;
using Microsoft.Data.Sqlite;

namespace CiJobs.Tests.Truth;

/// <summary>What only the SQLite file has: a lock held by another process, a file that is no database, a folder.</summary>
public sealed class SqliteTruthStoreTests : IDisposable
{
    private readonly TempDir temp = new("truth-sqlite");

    public void Dispose() => temp.Dispose();

    private Task<SqliteTruthStore> OpenAsync(string path, double lockSeconds = 1) =>
        SqliteTruthStore.OpenAsync(path, TimeSpan.FromSeconds(lockSeconds), TimeProvider.System, CancellationToken.None);

    [Fact]
    public async Task A_store_locked_by_another_writer_past_the_timeout_is_a_clear_error_and_nothing_is_written()
    {
        var path = temp.Combine("truth.db");
        await using (var setup = await OpenAsync(path))
        {
            await setup.SchemaVersionAsync(CancellationToken.None);
        }

        await using var holder = new SqliteConnection($"Data Source={path};Pooling=False");
        await holder.OpenAsync();
        await using var locked = holder.BeginTransaction(deferred: false);
        var started = DateTime.UtcNow;

        var error = await FluentActions.Awaiting(() => OpenAsync(path)).Should().ThrowAsync<CiJobsException>();

        error.Which.ExitCode.Should().Be(TruthExitCodes.StoreUnavailable);
        error.Which.Message.Should().Contain("locked").And.Contain(path);
        (DateTime.UtcNow - started).Should().BeLessThan(TimeSpan.FromSeconds(20));
        locked.Rollback();
        await using var after = await OpenAsync(path);
        (await after.IngestAsync([ProvenanceSamples.Read(ProvenanceSamples.Manifest())], CancellationToken.None)).Added.Should().Be(1);
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_a_clear_error_and_left_as_it_is()
    {
        var path = temp.Write("notes.txt", new string('x', 4096));

        var error = await FluentActions.Awaiting(() => OpenAsync(path)).Should().ThrowAsync<CiJobsException>();

        error.Which.ExitCode.Should().Be(TruthExitCodes.StoreUnavailable);
        error.Which.Message.Should().Contain("not a SQLite database");
        (await File.ReadAllTextAsync(path)).Should().Be(new string('x', 4096));
    }

    [Fact]
    public async Task A_folder_or_a_missing_parent_folder_is_a_clear_error()
    {
        (await FluentActions.Awaiting(() => OpenAsync(temp.Path)).Should().ThrowAsync<CiJobsException>()).Which.ExitCode.Should().Be(TruthExitCodes.StoreOption);
        var missing = await FluentActions.Awaiting(() => OpenAsync(temp.Combine("no", "such", "truth.db"))).Should().ThrowAsync<CiJobsException>();
        missing.Which.ExitCode.Should().Be(TruthExitCodes.StoreUnavailable);
        missing.Which.Message.Should().Contain("cannot be opened");
    }

    [Fact]
    public async Task A_read_only_store_is_a_clear_error_and_keeps_its_content()
    {
        var path = temp.Combine("truth.db");
        await using (var setup = await OpenAsync(path))
        {
            await setup.IngestAsync([ProvenanceSamples.Read(ProvenanceSamples.Manifest("kept"))], CancellationToken.None);
        }

        var before = await File.ReadAllBytesAsync(path);
        await using (await ReadOnly.MakeAsync(path))
        {
            var error = await FluentActions.Awaiting(async () =>
            {
                await using var store = await OpenAsync(path);
                await store.IngestAsync([ProvenanceSamples.Read(ProvenanceSamples.Manifest("new"))], CancellationToken.None);
            }).Should().ThrowAsync<CiJobsException>();

            error.Which.ExitCode.Should().Be(TruthExitCodes.StoreUnavailable);
            error.Which.Message.Should().Contain("read-only");
        }

        (await File.ReadAllBytesAsync(path)).Should().Equal(before);
    }
}

/// <summary>
/// Makes a file read-only even for root (CI runs as root, who writes whatever the mode bits say): the immutable
/// attribute as root, mode 0444 otherwise; undone on dispose.
/// </summary>
public sealed class ReadOnly : IAsyncDisposable
{
    private readonly string path;

    private ReadOnly(string path) => this.path = path;

    private static bool IsRoot => Environment.UserName == "root";

    public static async Task<ReadOnly> MakeAsync(string path)
    {
        if (IsRoot)
        {
            await CiJobs.Tests.Builds.BuildPaths.RunAsync("chattr", ["+i", path]);
        }
        else
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        return new ReadOnly(path);
    }

    public async ValueTask DisposeAsync()
    {
        if (IsRoot)
        {
            await CiJobs.Tests.Builds.BuildPaths.RunAsync("chattr", ["-i", path]);
        }
        else
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
