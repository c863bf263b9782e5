namespace CiJobs.Core.Truth;

/// <summary>
/// <c>truth ingest --dlrn</c>: the stored cursors, one read of the server (nothing written meanwhile), then the whole
/// read applied in one transaction with the cursors (docs/manual/truth.md, "DLRN ingest").
/// </summary>
public static class DlrnIngest
{
    /// <summary>Rows at or below each cursor read again by default.</summary>
    public const long DefaultReread = 1000;

    /// <summary>The server's name in the store: its API URL without query, fragment or trailing slash (credentials are refused before).</summary>
    public static string ServerKey(Uri apiUrl)
    {
        ArgumentNullException.ThrowIfNull(apiUrl);
        return apiUrl.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    public static async Task<TruthIngestReport> RunAsync(IDlrnTruthStore store, DlrnIngestReader reader, string server, long reread, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(time);
        var cursors = await store.DlrnCursorsAsync(server, cancellationToken);
        // Milliseconds: two ingests at once are ordered by when each began to read.
        var readAt = time.GetUtcNow().ToUnixTimeMilliseconds();
        var snapshot = await reader.ReadAsync(server, cursors, reread, readAt, cancellationToken);
        return await store.ApplyDlrnAsync(snapshot, cancellationToken);
    }
}
