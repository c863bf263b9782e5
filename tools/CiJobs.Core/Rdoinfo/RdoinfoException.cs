namespace CiJobs.Core.Rdoinfo;

public static class RdoinfoExitCodes
{
    /// <summary>A file is missing: the entry file or an import.</summary>
    public const int MissingFile = 10;

    /// <summary>YAML syntax error, or a value distroinfo's PyYAML cannot read either.</summary>
    public const int Syntax = 11;

    /// <summary>
    /// Content error: a package without project or maintainers, an unknown conf template, a bad substitution,
    /// an import outside the rdoinfo folder or of something that is not a regular file.
    /// </summary>
    public const int Invalid = 12;

    /// <summary>A file imports itself or one of its importers.</summary>
    public const int ImportCycle = 13;

    /// <summary>The package or release asked for does not exist.</summary>
    public const int NotFound = 14;

    /// <summary>A file passes a reading limit (YAML depth, aliases, expanded nodes, file size); the message names the option.</summary>
    public const int Limit = 15;
}

/// <summary>An rdoinfo problem, with the file and line it was found at when there is one.</summary>
public sealed class RdoinfoException(string message, int exitCode, string? file = null, long? line = null)
    : CiJobsException(file is null ? message : $"{file}{(line is null ? "" : $":{line}")}: {message}", exitCode)
{
    public string? File { get; } = file;

    public long? Line { get; } = line;
}
