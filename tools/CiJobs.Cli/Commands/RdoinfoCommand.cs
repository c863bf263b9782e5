using System.CommandLine;
using CiJobs.Cli.Output;
using CiJobs.Core.Rdoinfo;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs rdoinfo packages|show|releases|diff</c>: query and compare the package database.</summary>
internal static class RdoinfoCommand
{
    public static Command Create()
    {
        var command = new Command("rdoinfo", "Load, query and compare an rdoinfo package database (imports, templates, tags, releases).");
        command.Subcommands.Add(CreatePackages());
        command.Subcommands.Add(CreateShow());
        command.Subcommands.Add(CreateReleases());
        command.Subcommands.Add(CreateDiff());
        return command;
    }

    /// <summary>The <c>--rdoinfo DIR</c> option other verbs share.</summary>
    public static Option<DirectoryInfo> CreateRdoinfoOption() => new("--rdoinfo")
    {
        Description = "The rdoinfo folder (a checkout of the package database).",
        Required = true,
    };

    public static Option<string> CreateEntryOption() => new("--entry")
    {
        Description = "Entry file inside the rdoinfo folder; its imports are followed.",
        DefaultValueFactory = _ => RdoinfoLoader.DefaultEntryFile,
    };

    private static Command CreatePackages()
    {
        var rdoinfo = CreateRdoinfoOption();
        var entry = CreateEntryOption();
        var release = new Option<string?>("--release") { Description = "Only packages in this release (tag <release> or <release>-uc), expanded for it." };
        var tag = new Option<string?>("--tag") { Description = "Only packages carrying this tag (e.g. under-review); without --release the tag's overrides are applied." };
        var format = OutputOptions.CreateFormatOption();
        var command = new Command("packages", "List every package fully expanded (default, conf template, package, per-release tag override).")
        {
            rdoinfo, entry, release, tag, format,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var database = await RdoinfoLoader.LoadAsync(parse.GetValue(rdoinfo)!.FullName, parse.GetValue(entry)!, ct);
            var releaseName = parse.GetValue(release);
            var tagName = parse.GetValue(tag);
            IEnumerable<RdoPackage> selected = database.ExpandAll(releaseName);
            if (tagName is not null)
            {
                selected = selected.Where(p => p.HasTag(tagName));
                if (releaseName is null)
                {
                    selected = selected.Select(p => database.Expand(p.Project, tagName));
                }
            }

            var list = selected.ToList();
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                using var stdout = Console.OpenStandardOutput();
                YamlValueJson.WritePackages(list, stdout);
            }
            else
            {
                foreach (var package in list)
                {
                    var branch = package.SourceBranch is { } b ? $"  source-branch={b}" : "";
                    Console.Out.WriteLine($"{package.Name}  (project {package.Project}){branch}");
                }

                Console.Error.WriteLine($"{list.Count} packages");
            }

            return 0;
        });
        return command;
    }

    private static Command CreateShow()
    {
        var name = new Argument<string>("name") { Description = "Package name (RPM name), project, or upstream/distgit URL." };
        var rdoinfo = CreateRdoinfoOption();
        var entry = CreateEntryOption();
        var release = new Option<string?>("--release") { Description = "Expand for this release: its tag's overrides (source-branch, ...) apply." };
        var format = OutputOptions.CreateFormatOption();
        var command = new Command("show", "Show one package expanded, optionally for a release, with the source branch that applies.")
        {
            name, rdoinfo, entry, release, format,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var database = await RdoinfoLoader.LoadAsync(parse.GetValue(rdoinfo)!.FullName, parse.GetValue(entry)!, ct);
            var reference = parse.GetValue(name)!;
            var found = database.GetPackage(reference);
            var releaseName = parse.GetValue(release);
            RdoRelease? rdoRelease = null;
            var package = found;
            if (releaseName is not null)
            {
                rdoRelease = database.FindRelease(releaseName) ?? throw UnknownRelease(database, releaseName);
                var tag = database.ReleaseTagFor(found.Project, releaseName)
                    ?? throw new RdoinfoException($"package '{found.Name}' is not in release '{releaseName}' (no '{releaseName}' or '{releaseName}-uc' tag)", RdoinfoExitCodes.NotFound);
                package = database.Expand(found.Project, tag);
            }

            // The ref a build uses: the tag's source-branch pin, else the release's upstream branch.
            var sourceBranch = package.SourceBranch ?? rdoRelease?.UpstreamBranch;
            var distroBranch = package.DistroBranch ?? rdoRelease?.Branch;
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(new RdoinfoShowJson(
                    package.Project,
                    package.Name,
                    releaseName,
                    package.AppliedTag,
                    sourceBranch,
                    package.SourceBranch is not null,
                    distroBranch,
                    package.IsUnderReview,
                    package.Fields));
            }
            else
            {
                Console.Out.WriteLine($"{package.Name} (project {package.Project}){(releaseName is null ? "" : $" for release {releaseName}")}");
                if (sourceBranch is not null)
                {
                    Console.Out.WriteLine($"  source-branch: {sourceBranch}{(package.SourceBranch is null ? " (release default)" : "")}");
                }

                if (distroBranch is not null)
                {
                    Console.Out.WriteLine($"  distro-branch: {distroBranch}{(package.DistroBranch is null ? " (release default)" : "")}");
                }

                foreach (var (key, value) in package.Fields)
                {
                    Console.Out.WriteLine($"  {key}: {TextValue(value)}");
                }
            }

            return 0;
        });
        return command;
    }

    private static Command CreateReleases()
    {
        var rdoinfo = CreateRdoinfoOption();
        var entry = CreateEntryOption();
        var format = OutputOptions.CreateFormatOption();
        var command = new Command("releases", "List releases with their status, branch, upstream branch and build repos.")
        {
            rdoinfo, entry, format,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var database = await RdoinfoLoader.LoadAsync(parse.GetValue(rdoinfo)!.FullName, parse.GetValue(entry)!, ct);
            if (parse.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(database.Releases);
            }
            else
            {
                foreach (var release in database.Releases)
                {
                    Console.Out.WriteLine($"{release.Name}  status={release.Status ?? "-"}  branch={release.Branch ?? "-"}  upstream_branch={release.UpstreamBranch ?? "-"}");
                    foreach (var repo in release.Repos)
                    {
                        Console.Out.WriteLine($"  repo {repo.Name}  branch={repo.Branch}{(repo.Buildsys is null ? "" : $"  buildsys={repo.Buildsys}")}");
                    }
                }
            }

            return 0;
        });
        return command;
    }

    private static Command CreateDiff()
    {
        var oldArgument = new Argument<string>("old") { Description = "The old database: a folder, or a revision when --repo is given." };
        var newArgument = new Argument<string>("new") { Description = "The new database: a folder, or a revision when --repo is given." };
        var repo = new Option<DirectoryInfo?>("--repo") { Description = "An rdoinfo git repository; OLD and NEW are then revisions in it (e.g. HEAD~1 HEAD)." };
        var entry = CreateEntryOption();
        var format = OutputOptions.CreateFormatOption();
        var command = new Command("diff", "Added, removed and changed packages (fields, tags, per-release source-branch) between two databases.")
        {
            oldArgument, newArgument, repo, entry, format,
        };
        command.SetHandler(async (parse, ct) =>
        {
            var entryFile = parse.GetValue(entry)!;
            var repoDir = parse.GetValue(repo);
            RdoinfoDiff diff;
            if (repoDir is null)
            {
                var before = await RdoinfoLoader.LoadAsync(parse.GetValue(oldArgument)!, entryFile, ct);
                var after = await RdoinfoLoader.LoadAsync(parse.GetValue(newArgument)!, entryFile, ct);
                diff = RdoinfoDiff.Compare(before, after);
            }
            else
            {
                // Both revisions are opened before either is loaded: a missing revision is reported first.
                using var oldRevision = RdoinfoAtRevision.Open(repoDir.FullName, parse.GetValue(oldArgument)!);
                using var newRevision = RdoinfoAtRevision.Open(repoDir.FullName, parse.GetValue(newArgument)!);
                var before = await oldRevision.LoadAsync(entryFile, ct);
                var after = await newRevision.LoadAsync(entryFile, ct);
                diff = RdoinfoDiff.Compare(before, after);
            }

            if (parse.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(diff);
                return 0;
            }

            foreach (var package in diff.Added)
            {
                Console.Out.WriteLine($"+ {package.Name} (project {package.Project}) tags: {RdoPackageChangeText.Names(package.Tags)}");
            }

            foreach (var package in diff.Removed)
            {
                Console.Out.WriteLine($"- {package.Name} (project {package.Project})");
            }

            foreach (var change in diff.Changed)
            {
                Console.Out.WriteLine($"~ {change.Name} (project {change.Project})");
                foreach (var line in RdoPackageChangeText.Lines(change))
                {
                    Console.Out.WriteLine($"    {line}");
                }
            }

            Console.Error.WriteLine($"{diff.Added.Count} added, {diff.Removed.Count} removed, {diff.Changed.Count} changed");
            return 0;
        });
        return command;
    }

    internal static RdoinfoException UnknownRelease(RdoinfoDatabase database, string release) =>
        new($"unknown release '{release}'; known releases: {string.Join(", ", database.Releases.Select(r => r.Name))}", RdoinfoExitCodes.NotFound);

    private static string TextValue(object? value) => value switch
    {
        null => "~",
        string s => s,
        IReadOnlyDictionary<string, object?> map => "{" + string.Join(", ", map.Select(kv => $"{kv.Key}: {TextValue(kv.Value)}")) + "}",
        IReadOnlyList<object?> list => "[" + string.Join(", ", list.Select(TextValue)) + "]",
        _ => value.ToString() ?? "",
    };
}

/// <summary>The JSON of <c>cijobs rdoinfo show</c>.</summary>
internal sealed record RdoinfoShowJson(
    string Project,
    string Name,
    string? Release,
    string? AppliedTag,
    string? SourceBranch,
    bool SourceBranchPinned,
    string? DistroBranch,
    bool UnderReview,
    IReadOnlyDictionary<string, object?> Fields);
