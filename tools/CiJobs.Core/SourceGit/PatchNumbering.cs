namespace CiJobs.Core.SourceGit;

/// <summary>The PatchN numbers of the patches <c>update-dist-git</c> writes, decided before anything is written.</summary>
internal static class PatchNumbering
{
    /// <summary>PatchN numbers: Patch-id, else previous + 1 (first 1); must grow. Patches whose file the spec already lists, or marked present-in-specfile, add no line.</summary>
    public static (List<SpecPatch> Lines, int?[] Numbers) Number(SpecLayout spec, IReadOnlyList<PatchFile> patches)
    {
        var previous = spec.HighestNumber;
        var lines = new List<SpecPatch>();
        var numbers = new int?[patches.Count];
        for (var i = 0; i < patches.Count; i++)
        {
            var patch = patches[i];
            if (spec.NumberOf(patch.FileName) is { } listed)
            {
                numbers[i] = listed;
                continue;
            }

            if (patch.Metadata.PresentInSpecfile)
            {
                continue;
            }

            if (patch.Metadata.Id is null && previous == int.MaxValue)
            {
                throw new CiJobsException(
                    $"commit {patch.First.Commit.Short}: '{patch.FileName}' would need a patch number above {int.MaxValue}; lower the Patch-id before it.",
                    SourceGitExitCodes.InvalidPatchMetadata);
            }

            var number = patch.Metadata.Id ?? previous + 1;
            if (patch.Metadata.Id is { } id && id <= previous && !(previous == 0 && !spec.HasPatches && lines.Count == 0))
            {
                throw new CiJobsException(
                    $"commit {patch.First.Commit.Short}: Patch-id {id} of '{patch.FileName}' must be higher than the previous patch number {previous}.",
                    SourceGitExitCodes.InvalidPatchMetadata);
            }

            var comment = patch.Metadata.Status is { } status
                ? status.TrimEnd('\n').Split('\n')
                : patch.First.Message.WithoutTrailers.Split('\n');
            lines.Add(new SpecPatch(number, patch.FileName, comment));
            numbers[i] = number;
            previous = number;
        }

        return (lines, numbers);
    }
}
