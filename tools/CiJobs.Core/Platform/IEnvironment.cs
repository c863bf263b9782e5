namespace CiJobs.Core.Platform;

/// <summary>Reads environment variables; the core never reads the process environment directly.</summary>
public interface IEnvironment
{
    string? GetVariable(string name);
}

public sealed class SystemEnvironment : IEnvironment
{
    public static SystemEnvironment Instance { get; } = new();

    public string? GetVariable(string name) => Environment.GetEnvironmentVariable(name);
}

/// <summary>An environment made of a dictionary, for tests and for callers that pass variables explicitly.</summary>
public sealed class DictionaryEnvironment(IReadOnlyDictionary<string, string> variables) : IEnvironment
{
    public string? GetVariable(string name) => variables.TryGetValue(name, out var value) ? value : null;
}
