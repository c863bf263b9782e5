namespace CiJobs.Core.ZuulConfig.Bot;

/// <summary>
/// How rdoinfo URLs map onto the tenant: the tenant name and the connection each git host is reached through.
/// A distgit host not in <see cref="Connections"/> uses <see cref="DistgitConnection"/> (Gerrit); an upstream host
/// not in it uses a git connection named after the host.
/// </summary>
public sealed record ZuulGeneratorSettings
{
    public string Tenant { get; init; } = "rdo";

    public string DistgitConnection { get; init; } = "gerrit";

    /// <summary>Host (lower case) → connection name.</summary>
    public IReadOnlyDictionary<string, string> Connections { get; init; } = new Dictionary<string, string>();

    /// <summary>Release statuses whose source branches are not emitted (their jobs are gone).</summary>
    public IReadOnlyList<string> SkippedReleaseStatuses { get; init; } = ["eol"];

    public static ZuulGeneratorSettings Default { get; } = new();

    /// <summary>Parses <c>HOST=NAME</c> pairs; throws a usage error on a malformed one.</summary>
    public static IReadOnlyDictionary<string, string> ParseConnections(IEnumerable<string> pairs)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in pairs)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == pair.Length - 1)
            {
                throw new CiJobsException($"--connection '{pair}' is not HOST=NAME.", ConfigBotExitCodes.InputInvalid);
            }

            map[pair[..equals].Trim().ToLowerInvariant()] = pair[(equals + 1)..].Trim();
        }

        return map;
    }
}
