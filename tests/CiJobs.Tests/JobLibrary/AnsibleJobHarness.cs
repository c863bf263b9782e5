using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CiJobs.Tests.Support;
using CliWrap;

namespace CiJobs.Tests.JobLibrary;

/// <summary>The outcome of one ansible-playbook run.</summary>
public sealed record PlaybookRun(string Playbook, int ExitCode, string Output)
{
    public override string ToString() => $"ansible-playbook {Playbook}: exit {ExitCode}\n{Output}";
}

/// <summary>
/// Runs the job library's playbooks with the real ansible-playbook on localhost the way a Zuul
/// executor does: a Zuul-shaped vars file, a fake node home holding Zuul-prepared checkouts under
/// <c>src/git.example.org/</c>, a fact cache shared by the job's playbooks, the repository's roles,
/// and the test-only <c>zuul_return</c> (tests/ansible/action_plugins) writing results.json.
/// The example repositories come from <c>examples/setup.sh</c>.
/// </summary>
public sealed class AnsibleJobHarness : IDisposable
{
    public const string Host = "git.example.org";

    private readonly TempDir dir = new("zuuljob");

    private AnsibleJobHarness()
    {
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(LogRoot);
    }

    /// <summary>The example repositories (<c>git/&lt;repo&gt;</c>) and rdoinfo, as examples/setup.sh makes them.</summary>
    public string Work => dir.Combine("work");

    /// <summary>The fake node's home (<c>ansible_user_dir</c>); src_dir paths are relative to it.</summary>
    public string Home => dir.Combine("home");

    public string JobDir => dir.Combine("job");

    public string LogRoot => dir.Combine("job", "logs");

    public string ResultDataFile => dir.Combine("job", "results.json");

    public string SrcDir(string repo) => $"src/{Host}/{repo}";

    public string Checkout(string repo) => Path.Combine(Home, SrcDir(repo));

    public TestGit Git(string repo) => new(Checkout(repo));

    public static async Task<AnsibleJobHarness> CreateAsync()
    {
        var harness = new AnsibleJobHarness();
        await RunAsync("bash", [Path.Combine(RepoPaths.Root, "examples", "setup.sh"), harness.Work], RepoPaths.Root);

        // cijobs is "already installed" on the node: ensure-cijobs probes it and skips the dotnet publish.
        var install = Path.Combine(harness.Home, ".local", "cijobs");
        Directory.CreateDirectory(install);
        var wrapper = Path.Combine(install, "cijobs");
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexec {CliRunner.CommandLine} \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return harness;
    }

    /// <summary>Prepares a checkout the way Zuul's merger does (a clone with every branch), at <paramref name="branch"/>.</summary>
    public async Task<TestGit> PrepareAsync(string repo, string branch)
    {
        var target = Checkout(repo);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await RunAsync("git", ["clone", "--quiet", "--no-local", Path.Combine(Work, "git", repo), target], Work);
        var git = new TestGit(target);
        var current = await git.RunAsync("rev-parse", "--abbrev-ref", "HEAD");
        foreach (var remote in (await git.RunAsync("branch", "-r", "--format=%(refname:short)")).Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var local = remote["origin/".Length..];
            if (local != "HEAD" && local != current && remote.StartsWith("origin/", StringComparison.Ordinal))
            {
                await git.RunAsync("branch", "--force", "--quiet", local, remote);
            }
        }

        await git.RunAsync("checkout", "--quiet", branch);
        return git;
    }

    /// <summary>Prepares the rdoinfo checkout: the example rdoinfo as one commit on master; returns its hash.</summary>
    public async Task<(TestGit Git, string Commit)> PrepareRdoinfoAsync()
    {
        var git = await TestGit.InitAsync(Checkout("rdoinfo"), "master");
        var files = Directory.EnumerateFiles(Path.Combine(Work, "rdoinfo"), "*.yml", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(Path.Combine(Work, "rdoinfo"), f), File.ReadAllText);
        var commit = await git.CommitAsync("Example rdoinfo", files, new DateTimeOffset(2026, 11, 10, 9, 0, 0, TimeSpan.Zero));
        return (git, commit);
    }

    public string RdoinfoFile(string relative) => Path.Combine(Checkout("rdoinfo"), relative);

    /// <summary>A Zuul project entry as <c>zuul.project</c> and <c>zuul.projects</c> hold it.</summary>
    public JsonObject Project(string repo) => new()
    {
        ["name"] = repo,
        ["short_name"] = repo,
        ["canonical_hostname"] = Host,
        ["canonical_name"] = $"{Host}/{repo}",
        ["src_dir"] = SrcDir(repo),
        ["required"] = true,
    };

    /// <summary>The <c>zuul</c> variable for an item of <paramref name="repo"/>; <paramref name="item"/> adds branch, change, newrev...</summary>
    public JsonObject Zuul(string repo, string pipeline, JsonObject item, params string[] requiredProjects)
    {
        var projects = new JsonObject();
        foreach (var name in requiredProjects.Prepend(repo).Distinct())
        {
            projects[$"{Host}/{name}"] = Project(name);
        }

        var zuul = new JsonObject
        {
            ["build"] = "0123456789abcdef",
            ["buildset"] = "fedcba9876543210",
            ["tenant"] = "example",
            ["job"] = "cijobs-test",
            ["pipeline"] = pipeline,
            ["project"] = Project(repo),
            ["projects"] = projects,
            ["items"] = new JsonArray(new JsonObject { ["project"] = Project(repo) }),
            ["executor"] = new JsonObject
            {
                ["hostname"] = "ze01",
                ["src_root"] = Path.Combine(JobDir, "src"),
                ["log_root"] = LogRoot,
                ["work_root"] = JobDir,
                ["result_data_file"] = ResultDataFile,
                ["inventory_file"] = Path.Combine(JobDir, "inventory.yaml"),
            },
        };
        foreach (var (key, value) in item)
        {
            zuul[key] = value?.DeepClone();
        }

        return zuul;
    }

    /// <summary>Runs playbooks of the repository in order, as one job (shared fact cache); stops at the first failure.</summary>
    public Task<IReadOnlyList<PlaybookRun>> RunJobAsync(JsonObject variables, params string[] playbooks) =>
        RunPlaybooksAsync(variables, ["-i", "localhost,", "-c", "local", "-e", $"ansible_user_dir={Home}"], playbooks);

    /// <summary>
    /// Runs playbooks as one job on a multi-node inventory: every node is this machine over the local connection, with
    /// its own host variables (its <c>ansible_user_dir</c> above all), in one group <c>nodes</c> in the order given.
    /// </summary>
    public async Task<IReadOnlyList<PlaybookRun>> RunJobOnNodesAsync(JsonObject variables, IReadOnlyList<(string Name, JsonObject HostVars)> nodes, params string[] playbooks)
    {
        var hosts = new JsonObject();
        foreach (var (name, hostVars) in nodes)
        {
            var vars = (JsonObject)hostVars.DeepClone();
            vars["ansible_connection"] = "local";
            vars["ansible_python_interpreter"] = "/usr/bin/python3";
            hosts[name] = vars;
        }

        var inventory = new JsonObject { ["all"] = new JsonObject { ["children"] = new JsonObject { ["nodes"] = new JsonObject { ["hosts"] = hosts } } } };
        var inventoryFile = Path.Combine(JobDir, $"inventory-{Guid.NewGuid():N}.json");
        Directory.CreateDirectory(JobDir);
        await File.WriteAllTextAsync(inventoryFile, inventory.ToJsonString());
        return await RunPlaybooksAsync(variables, ["-i", inventoryFile], playbooks);
    }

    private async Task<IReadOnlyList<PlaybookRun>> RunPlaybooksAsync(JsonObject variables, string[] inventoryArguments, string[] playbooks)
    {
        var varsFile = Path.Combine(JobDir, $"vars-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(varsFile, variables.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var runs = new List<PlaybookRun>();
        foreach (var playbook in playbooks)
        {
            var phase = playbook.EndsWith("pre.yaml", StringComparison.Ordinal) ? "pre" : playbook.EndsWith("post.yaml", StringComparison.Ordinal) ? "post" : "run";
            var output = new StringBuilder();
            var result = await global::CliWrap.Cli.Wrap("ansible-playbook")
                .WithArguments([
                    .. inventoryArguments,
                    "-e", "@" + varsFile,
                    "-e", "ansible_python_interpreter=/usr/bin/python3",
                    "-e", $"zuul_execution_phase={phase}",
                    "-e", "zuul_execution_trusted=False",
                    Path.Combine(RepoPaths.Root, "playbooks", playbook),
                ])
                .WithWorkingDirectory(JobDir)
                .WithEnvironmentVariables(new Dictionary<string, string?>
                {
                    ["ANSIBLE_ROLES_PATH"] = Path.Combine(RepoPaths.Root, "roles"),
                    ["ANSIBLE_ACTION_PLUGINS"] = Path.Combine(RepoPaths.Root, "tests", "ansible", "action_plugins"),
                    ["ANSIBLE_CACHE_PLUGIN"] = "jsonfile",
                    ["ANSIBLE_CACHE_PLUGIN_CONNECTION"] = Path.Combine(JobDir, "facts"),
                    ["ANSIBLE_GATHERING"] = "smart",
                    ["ANSIBLE_LOCAL_TEMP"] = Path.Combine(JobDir, "tmp"),
                    ["ANSIBLE_REMOTE_TEMP"] = Path.Combine(JobDir, "tmp"),
                    ["ANSIBLE_NOCOLOR"] = "1",
                    ["ANSIBLE_FORCE_COLOR"] = "0",
                    ["ANSIBLE_RETRY_FILES_ENABLED"] = "0",
                    ["GIT_CONFIG_NOSYSTEM"] = "1",
                })
                .WithValidation(CommandResultValidation.None)
                .WithStandardOutputPipe(PipeTarget.ToStringBuilder(output))
                .WithStandardErrorPipe(PipeTarget.ToStringBuilder(output))
                .ExecuteAsync();
            runs.Add(new PlaybookRun(playbook, result.ExitCode, output.ToString()));
            if (result.ExitCode != 0 && phase != "run")
            {
                break;
            }
        }

        return runs;
    }

    /// <summary>What the job returned through zuul_return (empty when it returned nothing).</summary>
    public JsonObject Returned() => File.Exists(ResultDataFile)
        ? JsonNode.Parse(File.ReadAllText(ResultDataFile))!.AsObject()
        : [];

    public void Dispose() => dir.Dispose();

    private static async Task RunAsync(string program, string[] arguments, string workingDirectory)
    {
        var output = new StringBuilder();
        var result = await global::CliWrap.Cli.Wrap(program).WithArguments(arguments).WithWorkingDirectory(workingDirectory)
            .WithEnvironmentVariables(new Dictionary<string, string?> { ["GIT_CONFIG_NOSYSTEM"] = "1" })
            .WithValidation(CommandResultValidation.None)
            .WithStandardOutputPipe(PipeTarget.ToStringBuilder(output))
            .WithStandardErrorPipe(PipeTarget.ToStringBuilder(output))
            .ExecuteAsync();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed: {output}");
        }
    }
}
