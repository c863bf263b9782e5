using CliWrap;
using CliWrap.Buffered;

namespace CiJobs.Tests.Support;

/// <summary>
/// Runs gitlab-ci-local (shell executor) in a project folder, as the GitLab template tests do: the exit code is the
/// caller's to check, and the test machine's CIJOBS_TRUTH_STORE never leaks into a pipeline.
/// </summary>
public static class GitLabCiLocal
{
    /// <param name="ignoredPredefined">Predefined variables the test sets itself with --variable (GCL_IGNORE_PREDEFINED_VARS).</param>
    public static Task<BufferedCommandResult> RunAsync(string directory, IReadOnlyList<string> arguments, string? ignoredPredefined = null)
    {
        var environment = new Dictionary<string, string?> { ["CIJOBS_TRUTH_STORE"] = null };
        if (ignoredPredefined is not null)
        {
            environment["GCL_IGNORE_PREDEFINED_VARS"] = ignoredPredefined;
        }

        return global::CliWrap.Cli.Wrap("gitlab-ci-local")
            .WithArguments(arguments)
            .WithWorkingDirectory(directory)
            .WithEnvironmentVariables(environment)
            .WithValidation(CommandResultValidation.None)
            .ExecuteBufferedAsync();
    }
}
