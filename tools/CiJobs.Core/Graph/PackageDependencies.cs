namespace CiJobs.Core.Graph;

/// <summary>A package to put in the graph: its name (the rdoinfo name, or the NAME of <c>--spec-dir NAME=DIR</c>) and
/// the folder holding its spec or its <c>debian/</c> folder.</summary>
public sealed record PackageSource(string Name, string Directory);

/// <summary>
/// What one package needs to build and what it gives: the names read from its spec (rpmspec) or its
/// <c>debian/control</c> (dpkg's parser). <paramref name="SourceName"/> is the SRPM or Debian source name,
/// <paramref name="Binaries"/> the binary packages, <paramref name="Provides"/> every name a binary package provides
/// (its own name included), <paramref name="BuildRequires"/> every name a build dependency mentions (each alternative
/// of <c>a | b</c> and of a rich <c>(a or b)</c> dependency), without versions.
/// </summary>
public sealed record PackageDependencies(
    string Name,
    string Format,
    string SourceName,
    IReadOnlyList<string> Binaries,
    IReadOnlyList<string> Provides,
    IReadOnlyList<string> BuildRequires);
