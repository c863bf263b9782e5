using CiJobs.Core.Platform;

namespace CiJobs.Tests.Git;

/// <summary>Records every process it is asked to start and answers with canned results, in order (the last one repeats).</summary>
internal sealed class RecordingProcessRunner(params ProcessResult[] answers) : IProcessRunner
{
    private readonly List<ProcessSpec> started = [];

    public IReadOnlyList<ProcessSpec> Started => started;

    public static ProcessResult Ok(string output = "") => new(0, output, "", TimeSpan.Zero);

    public static ProcessResult Failed(string standardError, int exitCode = 1, string output = "") => new(exitCode, output, standardError, TimeSpan.Zero);

    public Task<ProcessResult> RunAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        started.Add(spec);
        return Task.FromResult(answers.Length == 0 ? Ok() : answers[Math.Min(started.Count, answers.Length) - 1]);
    }
}
