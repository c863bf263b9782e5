namespace CiJobs.Core.ZuulConfig.Bot;

public enum GeneratedFileStatus
{
    Unchanged,
    Created,
    Updated,
}

public sealed record GeneratedFileResult(string Path, GeneratedFileStatus Status);

/// <summary>
/// Writes the bot-owned files into a config repository: only the bot's own paths, only when the bytes differ,
/// each through a temporary file renamed into place. A file at a bot path that lacks the generated header was
/// written by a human and is never overwritten.
/// </summary>
public static class GeneratedFileWriter
{
    public static async Task<IReadOnlyList<GeneratedFileResult>> WriteAsync(string configRepository, GeneratedConfig config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (!Directory.Exists(configRepository))
        {
            throw new CiJobsException($"the config repository {configRepository} is not a folder.", ConfigBotExitCodes.ConfigRepoInvalid);
        }

        var files = config.Files();
        var existing = new List<string?>();
        foreach (var (path, _) in files)
        {
            existing.Add(await ReadOwnedAsync(configRepository, path, cancellationToken));
        }

        var results = new List<GeneratedFileResult>();
        for (var i = 0; i < files.Count; i++)
        {
            var (path, content) = files[i];
            if (existing[i] == content)
            {
                results.Add(new(path, GeneratedFileStatus.Unchanged));
                continue;
            }

            var full = Path.Combine(configRepository, path);
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                var temporary = full + ".cijobs-tmp";
                await File.WriteAllTextAsync(temporary, content, cancellationToken);
                File.Move(temporary, full, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CiJobsException($"cannot write {full}: {e.Message}", ExitCodes.Io, e);
            }

            results.Add(new(path, existing[i] is null ? GeneratedFileStatus.Created : GeneratedFileStatus.Updated));
        }

        return results;
    }

    /// <summary>The current content of a bot-owned file, null when absent; a hand-written file there is an error.</summary>
    public static async Task<string?> ReadOwnedAsync(string configRepository, string path, CancellationToken cancellationToken)
    {
        var full = Path.Combine(configRepository, path);
        if (!File.Exists(full))
        {
            return null;
        }

        var text = await File.ReadAllTextAsync(full, cancellationToken);
        if (!text.StartsWith(ConfigBotNames.GeneratedHeader, StringComparison.Ordinal))
        {
            throw new CiJobsException(
                $"{full} does not start with the generated-file header, so it is hand-written; the bot never overwrites it (move it away or add the header).",
                ConfigBotExitCodes.ConfigRepoInvalid);
        }

        return text;
    }
}
