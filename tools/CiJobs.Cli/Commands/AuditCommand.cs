using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CiJobs.Cli.Output;
using CiJobs.Core;
using CiJobs.Core.Audit;
using CiJobs.Core.Builds;
using CiJobs.Core.Dlrn;
using CiJobs.Core.Forges;
using CiJobs.Core.Forges.GitLab;
using CiJobs.Core.Forges.Mirroring;
using CiJobs.Core.Git;
using CiJobs.Core.Platform;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.Truth;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs audit</c>: what rdoinfo expects of a release against what DLRN (and the store) hold (docs/manual/audit.md).</summary>
internal static class AuditCommand
{
    /// <summary>DLRN's rows read per package (newest first).</summary>
    private const int DlrnRowsPerPackage = 50;

    public static Command Create()
    {
        var dlrn = new DlrnOptions();
        var release = new Option<string>("--release") { Description = "The rdoinfo release to audit (its packages: those with the release's tag or its -uc tag).", Required = true };
        var rdoinfo = new Option<string>("--rdoinfo") { Description = "The rdoinfo checkout.", Required = true };
        var entry = new Option<string>("--rdoinfo-entry") { Description = "rdoinfo's entry file.", DefaultValueFactory = _ => RdoinfoLoader.DefaultEntryFile };
        var heads = new Option<FileInfo?>("--heads") { Description = "Take the heads from this JSON file ({\"packages\": {NAME: {\"source\": HASH, \"distgit\": HASH, \"source_time\": ISO?}}}) instead of git ls-remote of each package's repositories." };
        var staleAfter = new Option<double>("--stale-after") { Description = "Hours a head may wait unbuilt before it is stale, 0 to 8760.", DefaultValueFactory = _ => 24.0 }.InRange(0.0, 8760.0);
        var jobs = new Option<int>("--jobs") { Description = "Packages read at once (git ls-remote, DLRN), 1 to 64.", DefaultValueFactory = _ => 8 }.InRange(1, 64);
        var reportDir = new Option<DirectoryInfo?>("--report-dir") { Description = "Also write audit-report.json and audit-report.txt into this folder (each in one atomic step), for the job's artifacts." };
        var replay = new Option<bool>("--replay") { Description = "Ask for the missing work again: DLRN recheck of a failed build, re-import of a dropped one from its stored result, a new CI pipeline of a never-built or stale package (with --rerun-gitlab-url). DLRN credentials: --user/--password-file or the environment." };
        var gitlabUrl = new Option<string?>("--rerun-gitlab-url") { Description = "With --replay: the GitLab server holding the distgits; a pipeline of the package's distgit branch is created. Token: CIJOBS_GITLAB_TOKEN or CIJOBS_GITLAB_TOKEN_FILE (api scope)." };
        var store = new Option<string?>("--store") { Description = "Also compare with this SQLite truth store: its copy of DLRN's rows (truth ingest --dlrn) and its publications (publish dlrn --store), for import_dropped and store_disagrees." };
        var storeUrl = new Option<string?>("--store-url") { Description = "Also compare with this PostgreSQL truth store (postgresql://host:port/database?user=NAME; the password from PGPASSWORD)." };
        var format = OutputOptions.CreateFormatOption();
        var command = new Command(
            "audit",
            "Compare what rdoinfo expects of a release (each package's source and distgit heads) with DLRN's builds: never built, " +
            "stale (a head unbuilt past --stale-after), failed and never fixed. Exit 0 when nothing is found, 2 with the report " +
            "when something is (a scheduled job's failure is the alert), 143 when a --replay request failed, 140-141 on bad input or unreadable heads.");
        foreach (var option in new Option[] { release, rdoinfo, entry, heads, staleAfter, jobs, reportDir, replay, gitlabUrl, store, storeUrl, format })
        {
            command.Options.Add(option);
        }

        dlrn.AddTo(command);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var releaseName = PackageNames.ValidateRelease(parseResult.GetValue(release)!, "--release", AuditExitCodes.InvalidInput);
            var database = await RdoinfoLoader.LoadAsync(parseResult.GetValue(rdoinfo)!, parseResult.GetValue(entry)!, cancellationToken);
            var expected = Expected(database, releaseName);
            var progress = new Action<string>(line => Console.Error.WriteLine($"cijobs: {line}"));
            var parallelism = parseResult.GetValue(jobs);
            IHeadSource headSource = parseResult.GetValue(heads) is { } file
                ? await HeadsFile.ReadAsync(file.FullName, cancellationToken)
                : new GitHeadSource(new GitCli(new CliWrapProcessRunner())) { Parallelism = parallelism };

            var options = await dlrn.ResolveAsync(parseResult, cancellationToken, anonymous: !parseResult.GetValue(replay));
            using var http = DlrnOptions.CreateHttpClient();
            var client = new DlrnApiClient(http, options);
            await using var truth = parseResult.GetValue(store) is null && parseResult.GetValue(storeUrl) is null
                ? null
                : await TruthCommand.OpenAsync(parseResult.GetValue(store), parseResult.GetValue(storeUrl), null, TimeSpan.FromSeconds(30), cancellationToken);
            var history = truth is null ? null : new StoreAuditHistory((IDlrnTruthStore)truth, DlrnIngest.ServerKey(options.ApiUrl));
            var auditor = new ReleaseAuditor(headSource, new DlrnBuildSource(client, DlrnRowsPerPackage), history, TimeProvider.System, progress)
            {
                Parallelism = parallelism,
                DlrnRowsPerPackage = DlrnRowsPerPackage,
            };
            var report = await auditor.AuditAsync(releaseName, expected, TimeSpan.FromHours(parseResult.GetValue(staleAfter)), cancellationToken);

            if (parseResult.GetValue(replay) && report.Findings.Count > 0)
            {
                GitLabAccess? gitlab = null;
                Uri? gitlabRoot = null;
                if (parseResult.GetValue(gitlabUrl) is { } url)
                {
                    gitlab = GitLabAccess.Open(SystemEnvironment.Instance, url, "--rerun-gitlab-url", "run pipelines");
                    gitlabRoot = Uri.TryCreate(url.TrimEnd('/') + "/", UriKind.Absolute, out var root) && root.Scheme is "http" or "https"
                        ? root
                        : throw new CiJobsException("--rerun-gitlab-url is not an http or https URL", AuditExitCodes.InvalidInput);
                }

                using (gitlab)
                {
                    progress($"replaying {report.Findings.Count(f => f.Replay is not null)} finding(s)");
                    report = await ReleaseAuditor.ReplayAsync(report, expected, history?.Last ?? [], new AuditReplayer(client, gitlab?.Client, gitlabRoot), cancellationToken);
                }
            }

            var json = JsonSerializer.Serialize(report, (JsonTypeInfo<AuditReport>)OutputOptions.Json.GetTypeInfo(typeof(AuditReport)));
            var text = AuditText.Format(report);
            if (parseResult.GetValue(reportDir) is { } dir)
            {
                Directory.CreateDirectory(dir.FullName);
                await OutputOptions.WriteFileAsync(Path.Combine(dir.FullName, "audit-report.json"), json + "\n");
                await OutputOptions.WriteFileAsync(Path.Combine(dir.FullName, "audit-report.txt"), text);
            }

            if (parseResult.GetValue(format) == OutputFormat.Json)
            {
                Console.Out.WriteLine(json);
            }
            else
            {
                await Console.Out.WriteAsync(text);
            }

            return report.Replays.Any(r => !r.Succeeded) ? AuditExitCodes.ReplayFailed
                : report.Findings.Count > 0 ? AuditExitCodes.DriftFound
                : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The release's packages with their repositories and refs, by the rules of 'cijobs build' (BuildTargetResolver).</summary>
    private static List<ExpectedPackage> Expected(RdoinfoDatabase database, string releaseName)
    {
        var release = database.FindRelease(releaseName)
            ?? throw new CiJobsException($"unknown release '{releaseName}'; rdoinfo defines {string.Join(", ", database.Releases.Select(r => r.Name))}", AuditExitCodes.InvalidInput);
        var expected = new List<ExpectedPackage>();
        foreach (var package in database.ExpandAll(release.Name))
        {
            if (package.Upstream is not { Length: > 0 } upstream || package.MasterDistgit is not { Length: > 0 } distgit)
            {
                Console.Error.WriteLine($"cijobs: {package.Name}: rdoinfo gives no upstream or master-distgit; not audited");
                continue;
            }

            expected.Add(new ExpectedPackage(
                PackageNames.Validate(package.Name, "rdoinfo package name"),
                upstream,
                BuildTargetResolver.SourceRef(package, release).Ref,
                distgit,
                BuildTargetResolver.DistgitRef(package, release).Ref));
        }

        return expected;
    }
}
