namespace CiJobs.Tests.Support;

/// <summary>
/// A fact that needs the Native AOT build of cijobs (<c>CIJOBS_TEST_CLI</c>, the second pass of .ci/test): reported as
/// skipped, not passed, in the first pass.
/// </summary>
public sealed class NativeFactAttribute : FactAttribute
{
    public NativeFactAttribute()
    {
        if (CliRunner.NativeCli is null)
        {
            Skip = "needs the Native AOT build of cijobs: set CIJOBS_TEST_CLI (.ci/test does in its second pass)";
        }
    }
}
