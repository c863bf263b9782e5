namespace CiJobs.Core.Truth;

/// <summary>Exit codes of <c>cijobs truth</c> (range 135-139); docs/exit-codes.md lists them, docs/manual/truth.md explains them.</summary>
public static class TruthExitCodes
{
    /// <summary>A manifest that cannot be read or is not a valid v1 or v2 manifest: corrupt JSON, too large, a missing or
    /// unknown member, a bad hash, a negative or non-number build duration, an input hash that does not match its inputs, a URL with credentials, or an artifact
    /// whose size contradicts the one already stored. Nothing of the batch is stored.</summary>
    public const int ManifestInvalid = 135;

    /// <summary>A manifest whose <c>schema_version</c> this cijobs does not read (newer, or none).</summary>
    public const int UnknownSchemaVersion = 136;

    /// <summary>The store cannot be used: the SQLite file is locked past the timeout, read-only, not a database, or its
    /// folder is missing; the PostgreSQL server cannot be reached or refuses the login.</summary>
    public const int StoreUnavailable = 137;

    /// <summary>The store was migrated by a newer cijobs (its schema version is above this one's); it is left untouched.</summary>
    public const int StoreTooNew = 138;

    /// <summary>No store, both --store and --store-url, or an unusable connection string; for the queries also an argument
    /// that is not valid (a sha256 that is not 64 hex digits, a time that is not ISO 8601 or Unix seconds, an unknown
    /// release: HTTP 400 or 404 in <c>truth serve</c>).</summary>
    public const int StoreOption = 139;
}
