using System.CommandLine;
using System.Runtime.CompilerServices;
using CiJobs.Core;
using CiJobs.Core.Rdoinfo;
using CiJobs.Core.Truth;

namespace CiJobs.Cli.Commands;

/// <summary><c>cijobs truth serve</c>: the read-only HTTP API and page of the truth store on 127.0.0.1; docs/manual/truth.md, "HTTP API and page".</summary>
internal static class TruthServeCommand
{
    public static Command Create()
    {
        var store = new TruthQueryCommand.StoreOptions();
        var port = new Option<int>("--port") { Description = "TCP port on 127.0.0.1, 0 to 65535; 0 picks a free one.", DefaultValueFactory = _ => 0 }.InRange(0, 65535);
        var rdoinfo = new Option<string?>("--rdoinfo") { Description = "The rdoinfo checkout the release status reads (without it /api/release answers 400)." };
        var entry = new Option<string>("--rdoinfo-entry") { Description = "rdoinfo's entry file.", DefaultValueFactory = _ => RdoinfoLoader.DefaultEntryFile };
        var command = new Command(
            "serve",
            "Serve the store's queries as a read-only JSON API (GET /api/...) and a status page (GET /) on 127.0.0.1; print the URL on stdout (one line), until Ctrl-C or SIGTERM.");
        command.Options.Add(port);
        command.Options.Add(rdoinfo);
        command.Options.Add(entry);
        store.AddTo(command);
        command.SetHandler(async (parseResult, cancellationToken) =>
        {
            var database = parseResult.GetValue(rdoinfo) is { } directory
                ? await RdoinfoLoader.LoadAsync(directory, parseResult.GetValue(entry)!, cancellationToken)
                : null;
            await using var truth = await store.OpenAsync(parseResult, cancellationToken);
            return await ServeAsync(new TruthApi((ITruthQueries)truth, database), truth.Description, parseResult.GetValue(port), cancellationToken);
        });
        return command;
    }

    // Separate method, not inlined: System.Net.HttpListener loads only when serve runs.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Task<int> ServeAsync(TruthApi api, string description, int port, CancellationToken cancellationToken) =>
        ServeCommand.RunUntilCancelledAsync(() => Serving.TruthServer.Start(api, port), server => server.Url, port, "the " + description, cancellationToken);
}
