using System.Text;
using CiJobs.Core.Git;

namespace CiJobs.Core.SourceGit;

/// <summary>
/// The writing half of <c>update-dist-git</c>: what DIST receives besides the patches (<see cref="TargetAsync"/>), then,
/// once every check passed, the deletions, copies, patches and spec in DIST's work tree, <c>git add</c> and the commit.
/// Every file is written (and every patch restored) before the first git command that reads the work tree.
/// </summary>
internal static class DistGitWriter
{
    public static async Task<DistGitTarget> TargetAsync(
        GitRepo src,
        SourceGitConfig config,
        Task<IReadOnlyDictionary<string, TrackedFile>> sourceFiles,
        Task<IReadOnlyDictionary<string, TrackedFile>> distFiles,
        CancellationToken cancellationToken)
    {
        var srcFiles = await sourceFiles;
        if (!srcFiles.ContainsKey(config.SpecfilePath))
        {
            throw new CiJobsException($"{SourceGitConfig.ConfigPath}: specfile_path '{config.SpecfilePath}' does not exist in SRC.", SourceGitExitCodes.BadConfig);
        }

        var dstFiles = await distFiles;
        var plan = FileSyncPlan.Create(config.FilesToSync, srcFiles.Keys.ToList(), dstFiles.Keys.ToList());
        var specDestination = plan.Copies.Where(c => c.Source == config.SpecfilePath).Select(c => c.Destination).FirstOrDefault()
            ?? throw new CiJobsException(
                $"{SourceGitConfig.ConfigPath}: files_to_sync does not copy the spec '{config.SpecfilePath}' to dist-git.",
                SourceGitExitCodes.BadConfig);
        var specDirectory = Path.GetDirectoryName(specDestination)?.Replace('\\', '/') ?? string.Empty;
        var spec = SpecLayout.Read(await File.ReadAllTextAsync(Path.Combine(src.Root, config.SpecfilePath), Encoding.Latin1, cancellationToken));
        return new DistGitTarget(src.Root, config.PatchIdDigits, plan, specDestination, specDirectory, spec, srcFiles, dstFiles);
    }

    public static async Task<UpdateDistGitResult> WriteAsync(
        GitRepo dist,
        DistGitTarget target,
        string sgHead,
        StagedPatches staged,
        UpdateDistGitOptions options,
        CancellationToken cancellationToken)
    {
        var (sourceRoot, patchIdDigits, plan, specDestination, specDirectory, spec, srcFiles, distFiles) = target;
        var patchFiles = staged.Patches;
        RefuseCollisions(patchFiles, target);

        // The spec text as synced, plus the PatchN lines (numbers decided before anything is written).
        var (specPatches, numbers) = PatchNumbering.Number(spec, patchFiles);
        var newSpec = spec.AddPatches(specPatches, patchIdDigits);

        // Write: deletions, copies, patches, spec.
        foreach (var deletion in plan.Deletions)
        {
            File.Delete(Path.Combine(dist.Root, deletion));
        }

        foreach (var (source, destination) in plan.Copies)
        {
            WorkTreeFiles.Copy(Path.Combine(sourceRoot, source), Path.Combine(dist.Root, destination), srcFiles[source].Mode);
        }

        var patchPaths = patchFiles.Select(p => specDirectory.Length == 0 ? p.FileName : $"{specDirectory}/{p.FileName}").ToList();
        for (var i = 0; i < patchPaths.Count; i++)
        {
            File.Move(staged.Files[i], Path.Combine(dist.Root, patchPaths[i]), overwrite: true);
        }

        await File.WriteAllTextAsync(Path.Combine(dist.Root, specDestination), newSpec, Encoding.Latin1, cancellationToken);

        var unchanged = await PatchIdRestore.RestoreIdenticalAsync(dist, patchPaths, distFiles, cancellationToken);
        var generated = patchFiles.Select((p, i) => new GeneratedPatch(
            p.FileName,
            numbers[i],
            unchanged.Contains(patchPaths[i]) ? PatchFileStatus.Unchanged : distFiles.ContainsKey(patchPaths[i]) ? PatchFileStatus.Modified : PatchFileStatus.Added,
            p.Commits)).ToList();

        // Stage exactly what was written or deleted (patches even if a .gitignore rule matches them).
        var touched = plan.Deletions.Concat(plan.Copies.Select(c => c.Destination)).Concat(patchPaths).Append(specDestination)
            .Select(p => ":(literal)" + p).Distinct(StringComparer.Ordinal);
        await dist.RunAsync(["add", "--all", "--force", "--pathspec-from-file=-", "--pathspec-file-nul"], cancellationToken, string.Join('\0', touched));
        if (!options.Commit)
        {
            var stagedFiles = SplitNul(await dist.RunAsync(["diff", "--cached", "--name-only", "-z", "--no-renames"], cancellationToken));
            return new UpdateDistGitResult(stagedFiles.Count > 0, false, null, sgHead, generated, stagedFiles, NothingToDo: false);
        }

        // Commit straight away (git refuses when nothing is staged, unless --allow-empty), then read the commit
        // and the paths it changed in one `git show`: one process fewer than asking `diff --cached` first and
        // `rev-parse HEAD` after, on the path every conversion waits for.
        var title = string.IsNullOrWhiteSpace(options.CommitTitle) ? $"Sync from source-git {sgHead[..12]}" : options.CommitTitle;
        var message = CommitMessage.Compose(title, options.CommitBody, new Trailer(SourceGitConverter.FromSourceGitCommit, sgHead));
        string[] commitArguments =
        [
            "-c", "maintenance.auto=false", "-c", "gc.auto=0", "commit", "--quiet", .. options.AllowEmpty ? ["--allow-empty"] : Array.Empty<string>(),
            "--no-verify", "--cleanup=verbatim", "-F", "-",
        ];
        var commit = await dist.RunUncheckedAsync(commitArguments, cancellationToken, message);
        if (!commit.Succeeded)
        {
            if (!options.AllowEmpty && await dist.SucceedsAsync(["diff", "--cached", "--quiet", "--no-renames"], cancellationToken))
            {
                return new UpdateDistGitResult(false, false, null, sgHead, generated, [], NothingToDo: false);
            }

            throw GitCli.Failure(dist.Root, commitArguments, commit);
        }

        // "<commit>\0\n<path>\0<path>\0...": the commit, then the paths changed against its parent.
        var shown = await dist.RunAsync(["show", "--no-show-signature", "--no-renames", "--name-only", "-z", "--format=%H", "HEAD", "--"], cancellationToken);
        var end = shown.IndexOf('\0', StringComparison.Ordinal);
        var distCommit = (end < 0 ? shown : shown[..end]).Trim();
        var changedFiles = end < 0 ? [] : SplitNul(shown[(end + 1)..].TrimStart('\n'));
        return new UpdateDistGitResult(changedFiles.Count > 0, true, distCommit, sgHead, generated, changedFiles, NothingToDo: false);
    }

    /// <summary>
    /// A patch must not replace what dist-git owns (docs/security.md, "Patch names"): the spec, <c>sources</c>, a file
    /// <c>files_to_sync</c> writes, or a folder; dotfiles are already refused by <see cref="PatchFileName"/>. Names that
    /// differ only in case are refused too (they are one file on a case-insensitive file system). Checked before
    /// anything is written.
    /// </summary>
    private static void RefuseCollisions(IReadOnlyList<PatchFile> patches, DistGitTarget target)
    {
        var owned = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { [target.SpecDestination] = "the spec" };
        owned.TryAdd("sources", "dist-git's sources file");
        owned.TryAdd(Join(target.SpecDirectory, "sources"), "dist-git's sources file");
        foreach (var copy in target.Plan.Copies)
        {
            owned.TryAdd(copy.Destination, $"{copy.Destination}, which files_to_sync copies from {copy.Source}");
        }

        foreach (var path in target.Plan.Copies.Select(c => c.Destination).Concat(target.DistFiles.Keys))
        {
            for (var slash = path.LastIndexOf('/'); slash > 0; slash = path.LastIndexOf('/', slash - 1))
            {
                owned.TryAdd(path[..slash], $"the folder {path[..slash]}");
            }
        }

        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var patch in patches)
        {
            var commit = patch.First.Commit.Short;
            if (owned.TryGetValue(Join(target.SpecDirectory, patch.FileName), out var what))
            {
                throw new CiJobsException(
                    $"commit {commit}: patch name {PatchFileName.Quote(patch.FileName)} would overwrite {what}; give the commit another Patch-name.",
                    SourceGitExitCodes.InvalidPatchMetadata);
            }

            if (names.TryGetValue(patch.FileName, out var other) && other != patch.FileName)
            {
                throw new CiJobsException(
                    $"commit {commit}: patch name {PatchFileName.Quote(patch.FileName)} differs from {PatchFileName.Quote(other)} only in case; they would be one file on a case-insensitive file system.",
                    SourceGitExitCodes.InvalidPatchMetadata);
            }

            names.TryAdd(patch.FileName, patch.FileName);
        }

        static string Join(string directory, string name) => directory.Length == 0 ? name : $"{directory}/{name}";
    }

    private static List<string> SplitNul(string output) => output.Split('\0', StringSplitOptions.RemoveEmptyEntries).ToList();

}

/// <summary>What DIST receives apart from the patches: the files_to_sync plan and the spec, known before format-patch ends.</summary>
internal sealed record DistGitTarget(
    string SourceRoot,
    int PatchIdDigits,
    FileSyncPlan Plan,
    string SpecDestination,
    string SpecDirectory,
    SpecLayout Spec,
    IReadOnlyDictionary<string, TrackedFile> SourceFiles,
    IReadOnlyDictionary<string, TrackedFile> DistFiles);
