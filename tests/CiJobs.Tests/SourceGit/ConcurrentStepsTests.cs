using System.Collections.Concurrent;
using System.Diagnostics;
using CiJobs.Core;
using CiJobs.Core.Git;
using CiJobs.Core.Platform;
using CiJobs.Core.SourceGit;
using CiJobs.Tests.Support;

namespace CiJobs.Tests.SourceGit;

/// <summary>
/// update-dist-git runs its steps side by side: a failure surfaces with its own exit code, the first in the fixed
/// order when several fail, and nothing (git process, file write) outlives the operation.
/// </summary>
public sealed class ConcurrentStepsTests : IDisposable
{
    private readonly TempDir temp = new("scratch");

    [Fact]
    public async Task A_dirty_dist_git_fails_at_once_cancelling_format_patch_and_no_git_runs_afterwards()
    {
        await using var f = await SourceGitFixture.CreateAsync();
        await f.AddTypicalDownstreamAsync();
        await File.WriteAllTextAsync(f.DistPath("stray.txt"), "x");
        var runner = new RecordingRunner(new CliWrapProcessRunner(), holdFormatPatch: TimeSpan.FromSeconds(60));
        var converter = new SourceGitConverter(new GitCli(runner));
        var clock = Stopwatch.StartNew();

        var act = () => converter.UpdateDistGitAsync(f.Src.Directory, f.Dist.Directory, new UpdateDistGitOptions(), CancellationToken.None);

        var error = (await act.Should().ThrowAsync<CiJobsException>()).Which;
        var runningAtThrow = runner.Running;
        var startedAtThrow = runner.Started.Count;
        error.ExitCode.Should().Be(SourceGitExitCodes.DirtyWorkTree);
        error.Message.Should().Contain("stray.txt");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "the held format-patch is cancelled, not waited for");
        runner.Cancelled.Should().Contain(c => c.Contains("format-patch", StringComparison.Ordinal));
        runningAtThrow.Should().Be(0, "every step ended before the error was thrown");
        await Task.Delay(300);
        runner.Started.Should().HaveCount(startedAtThrow, "no git command starts after the operation threw");
        Directory.GetDirectories(Path.Combine(f.Dist.Directory, ".git"), "cijobs-source-git-*").Should().BeEmpty("the scratch folder is gone");
        File.Exists(Path.Combine(f.Dist.Directory, ".git", "index.lock")).Should().BeFalse("git status is never killed half-way");
    }

    [Fact]
    public void A_patch_file_that_cannot_be_written_is_an_io_error_naming_it_and_every_writer_has_stopped()
    {
        var patches = Patches(64);
        var work = temp.Combine("work");

        // A folder where patch 5's file goes, in each writer's folder: writing it fails even for root.
        foreach (var writer in Enumerable.Range(0, 4))
        {
            Directory.CreateDirectory(Path.Combine(work, writer.ToString(System.Globalization.CultureInfo.InvariantCulture), patches[5].FileName));
        }

        var act = () => ScratchPatchWriter.Write(patches, work, CancellationToken.None);

        var error = act.Should().Throw<CiJobsException>().Which;
        error.ExitCode.Should().Be(ExitCodes.Io);
        error.Message.Should().StartWith("cannot write ").And.Contain(patches[5].FileName);
        var written = Files(work);
        written.Should().Contain(patches.Take(5).Select(p => p.FileName), "every file before the failed one was written");
        Thread.Sleep(200);
        Files(work).Should().BeEquivalentTo(written, "no writer is still writing");
    }

    [Fact]
    public void With_several_failing_writes_the_lowest_patch_is_reported_whichever_fails_first_and_nothing_writes_afterwards()
    {
        var patches = Patches(64);
        var inFlight = 0;
        var calls = 0;
        void Write(string path, byte[] bytes)
        {
            Interlocked.Increment(ref inFlight);
            Interlocked.Increment(ref calls);
            try
            {
                var name = Path.GetFileName(path);
                if (name == patches[41].FileName)
                {
                    throw new IOException("disk full (41)");
                }

                if (name == patches[4].FileName)
                {
                    // Fails last: the failure of patch 41 (another writer, or later in this one) is in long before.
                    Thread.Sleep(300);
                    throw new UnauthorizedAccessException("read-only (4)");
                }

                Thread.Sleep(2);
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }

        var act = () => ScratchPatchWriter.Write(patches, temp.Combine("work"), Write, CancellationToken.None);

        var error = act.Should().Throw<CiJobsException>().Which;
        var callsAtThrow = Volatile.Read(ref calls);
        Volatile.Read(ref inFlight).Should().Be(0, "the writer returns only when every write has ended");
        error.ExitCode.Should().Be(ExitCodes.Io);
        error.Message.Should().Contain(patches[4].FileName).And.Contain("read-only (4)");
        error.InnerException.Should().BeOfType<UnauthorizedAccessException>();
        Thread.Sleep(200);
        Volatile.Read(ref calls).Should().Be(callsAtThrow, "no write starts after the writer threw");
    }

    public void Dispose() => temp.Dispose();

    private static string[] Files(string directory) =>
        [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    private static List<PatchFile> Patches(int count)
    {
        var metadata = new PatchMetadata(null, null, null, PresentInSpecfile: false, Ignore: false, NoPrefix: false);
        return [.. Enumerable.Range(1, count).Select(i =>
        {
            var hash = i.ToString("x40", System.Globalization.CultureInfo.InvariantCulture);
            var commit = new CommitInfo(hash, [], "A", "a@example.org", "2026-11-01T12:00:00+00:00", $"Change-{i}", $"Change {i}\n");
            var downstream = new DownstreamCommit(commit, CommitMessage.Parse(commit.Message), metadata);
            return new PatchFile($"{i:D4}-Change-{i}.patch", $"From {hash} Mon Sep 17 00:00:00 2001\n", metadata, downstream, [hash]);
        })];
    }

    /// <summary>Runs git for real, holding format-patch back until cancelled, and records what runs when.</summary>
    private sealed class RecordingRunner(IProcessRunner inner, TimeSpan holdFormatPatch) : IProcessRunner
    {
        private int running;

        public int Running => Volatile.Read(ref running);

        public ConcurrentQueue<string> Started { get; } = new();

        public ConcurrentQueue<string> Cancelled { get; } = new();

        public async Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken)
        {
            var line = string.Join(' ', spec.Arguments);
            Started.Enqueue(line);
            Interlocked.Increment(ref running);
            try
            {
                if (spec.Arguments.Contains("format-patch"))
                {
                    await Task.Delay(holdFormatPatch, cancellationToken);
                }

                return await inner.RunAsync(spec, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Cancelled.Enqueue(line);
                throw;
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }
    }
}
