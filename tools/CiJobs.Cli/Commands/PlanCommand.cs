using System.CommandLine;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.Plan;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs plan</c>: which packages to build for which releases, from a Zuul item or plain flags.</summary>
internal static class PlanCommand
{
    /// <summary>The old name of <c>--trigger upstream</c>, still accepted with a warning so existing job configurations keep working.</summary>
    private const string DeprecatedUpstreamTrigger = "source-git";

    public static Command Create()
    {
        var zuulFile = new Option<FileInfo?>("--zuul") { Description = "The Zuul variables as a JSON or YAML file: the zuul dict itself or a mapping holding it under 'zuul' (what the cijobs-plan role writes from {{ zuul }})." };
        var project = new Option<string?>("--project") { Description = "Without --zuul: the project that changed (canonical name such as opendev.org/openstack/glance, or name)." };
        var branch = new Option<string?>("--branch") { Description = "Without --zuul: the branch that changed or that the change targets." };
        var srcDir = new Option<string?>("--src-dir") { Description = "Without --zuul: the project's checkout (default: the current folder)." };
        var newrev = new Option<string?>("--newrev") { Description = "Without --zuul: the new revision of a branch update." };
        var oldrev = new Option<string?>("--oldrev") { Description = "Without --zuul: the previous revision of a branch update (rdoinfo: what the change is compared with)." };
        var change = new Option<string?>("--change") { Description = "Without --zuul: the change number, for a change under review (check, gate)." };
        var checkouts = new Option<string[]>("--checkout") { Description = "Without --zuul: another prepared checkout, as NAME=DIR (for example rdoinfo=../rdoinfo). Repeatable." };
        var trigger = new Option<string>("--trigger")
        {
            Description = "What the project is: auto (decide from rdoinfo), upstream (a package's upstream source repository), distgit or rdoinfo. " +
                "source-git is a deprecated name of upstream.",
            DefaultValueFactory = _ => "auto",
        };
        trigger.AcceptOnlyFromAmong("auto", "upstream", "distgit", "rdoinfo", DeprecatedUpstreamTrigger);
        var rdoinfo = new Option<string?>("--rdoinfo") { Description = "The rdoinfo checkout. Default: the checkout of --rdoinfo-project among Zuul's projects." };
        var rdoinfoProject = new Option<string>("--rdoinfo-project") { Description = "The rdoinfo repository's name in Zuul (canonical name, name or short name).", DefaultValueFactory = _ => "rdoinfo" };
        var srcRoot = new Option<string>("--src-root") { Description = "The folder Zuul's src_dir paths are relative to (the node's home in a job).", DefaultValueFactory = _ => "." };
        var releases = new Option<string[]>("--release") { Description = "Only plan for this rdoinfo release (repeatable). Default: every release with a distgit branch." };
        var packages = new Option<string[]>("--package") { Description = "Plan these packages (name, project or URL) instead of mapping the project through rdoinfo. Repeatable." };
        var baseRevision = new Option<string?>("--base-revision") { Description = "rdoinfo trigger: the revision to compare with. Default: oldrev for branch updates, origin/<branch> (else the parent) for changes." };
        var format = OutputOptions.CreateFormatOption();
        var partitioned = new PlanPartitionsOptions();

        var command = new Command("plan",
            "Decide which packages to build, for which releases, from which checkouts, for the Zuul item that started a job " +
            "(or a change described with flags), and say why anything is skipped.");
        foreach (var option in new Option[] { zuulFile, project, branch, srcDir, newrev, oldrev, change, checkouts, trigger, rdoinfo, rdoinfoProject, srcRoot, releases, packages, baseRevision, format })
        {
            command.Options.Add(option);
        }

        foreach (var option in partitioned.All)
        {
            command.Options.Add(option);
        }

        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            if (parseResult.GetValue(partitioned.Partitions) is { } partitions)
            {
                return await partitioned.RunAsync(
                    parseResult,
                    partitions,
                    parseResult.GetValue(rdoinfo),
                    parseResult.GetValue(releases) ?? [],
                    parseResult.GetValue(format),
                    cancellationToken);
            }

            var triggerName = parseResult.GetValue(trigger);
            if (triggerName == DeprecatedUpstreamTrigger)
            {
                // Renamed so that the upstream-source trigger is not confused with packit-style source-git (docs/manual/plan.md).
                Console.Error.WriteLine($"cijobs: warning: --trigger {DeprecatedUpstreamTrigger} is deprecated; use upstream");
            }

            ZuulContext zuul;
            if (parseResult.GetValue(zuulFile) is { } file)
            {
                var text = await InputLimits.ReadTextFileAsync(file.FullName, "the Zuul variables file", PlanExitCodes.InvalidInput, cancellationToken);
                zuul = ZuulContext.Parse(text, file.FullName);
            }
            else
            {
                var name = parseResult.GetValue(project)
                    ?? throw new CiJobsException("pass --zuul FILE, or describe the change with --project and --branch.", PlanExitCodes.InvalidInput);
                zuul = FromFlags(
                    name,
                    parseResult.GetValue(branch) ?? throw new CiJobsException("--branch is required with --project.", PlanExitCodes.InvalidInput),
                    Path.GetFullPath(parseResult.GetValue(srcDir) ?? "."),
                    parseResult.GetValue(newrev),
                    parseResult.GetValue(oldrev),
                    parseResult.GetValue(change),
                    parseResult.GetValue(checkouts) ?? []);
            }

            var plan = await BuildPlanner.PlanAsync(
                new PlanRequest
                {
                    Zuul = zuul,
                    Trigger = triggerName switch
                    {
                        "upstream" or DeprecatedUpstreamTrigger => PlanTrigger.Upstream,
                        "distgit" => PlanTrigger.Distgit,
                        "rdoinfo" => PlanTrigger.Rdoinfo,
                        _ => PlanTrigger.Auto,
                    },
                    SrcRoot = Path.GetFullPath(parseResult.GetValue(srcRoot)!),
                    RdoinfoDirectory = parseResult.GetValue(rdoinfo) is { } dir ? Path.GetFullPath(dir) : null,
                    RdoinfoProject = parseResult.GetValue(rdoinfoProject)!,
                    Releases = parseResult.GetValue(releases) ?? [],
                    Packages = parseResult.GetValue(packages) ?? [],
                    BaseRevision = parseResult.GetValue(baseRevision),
                },
                cancellationToken);

            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                OutputOptions.WriteJson(plan);
            }
            else
            {
                WriteText(plan);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static ZuulContext FromFlags(string name, string branch, string srcDir, string? newrev, string? oldrev, string? change, IEnumerable<string> checkouts)
    {
        static ZuulProject Project(string name, string dir)
        {
            var hasHost = name.Split('/')[0].Contains('.', StringComparison.Ordinal);
            var shortName = name.Split('/')[^1];
            return hasHost
                ? new ZuulProject(name[(name.IndexOf('/', StringComparison.Ordinal) + 1)..], shortName, name.Split('/')[0], name, dir)
                : new ZuulProject(name, shortName, null, null, dir);
        }

        var project = Project(name, srcDir);
        var projects = new List<ZuulProject> { project };
        foreach (var item in checkouts)
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new CiJobsException($"--checkout '{item}': write it NAME=DIR.", PlanExitCodes.InvalidInput);
            }

            projects.Add(Project(item[..equals], Path.GetFullPath(item[(equals + 1)..])));
        }

        return new ZuulContext(project, branch, $"refs/heads/{branch}", newrev, oldrev, change, change is null ? null : "1", null, projects, []);
    }

    private static void WriteText(BuildPlan plan)
    {
        Console.Out.WriteLine($"{plan.Trigger} {plan.Project} ({plan.Branch ?? "no branch"}): {plan.Builds.Count} build(s), {plan.Skipped.Count} skipped");
        foreach (var build in plan.Builds)
        {
            Console.Out.WriteLine($"build {build.Package} for {build.Release}: source {build.Source ?? "(rdoinfo upstream)"}@{build.SourceRef ?? "default"}, " +
                $"distgit {build.Distgit ?? "(rdoinfo distgit)"}@{build.DistgitRef ?? "default"}");
            Console.Out.WriteLine($"  because {build.Reason}");
        }

        foreach (var skipped in plan.Skipped)
        {
            Console.Out.WriteLine($"skip {skipped.Package}{(skipped.Release is null ? "" : " for " + skipped.Release)}: {skipped.Reason}");
        }

        foreach (var note in plan.Notes)
        {
            Console.Error.WriteLine("plan: " + note);
        }
    }
}
