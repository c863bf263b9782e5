using System.Globalization;

namespace CiJobs.Core.BuildOnce;

/// <summary>GETs whose body is read up to a bound; a larger answer is an <see cref="HttpRequestException"/>.</summary>
public static class BoundedHttp
{
    public static async Task<byte[]> GetBytesAsync(HttpClient http, string pathOrUrl, long maxBytes, string what, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(pathOrUrl, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        EnsureSuccess(response, what);
        using var buffer = new MemoryStream();
        await CopyBoundedAsync(response, buffer, maxBytes, what, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>Copies the body into <paramref name="target"/>, failing past <paramref name="maxBytes"/>; returns the bytes copied.</summary>
    public static async Task<long> CopyBoundedAsync(HttpResponseMessage response, Stream target, long maxBytes, string what, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw TooLarge(what, maxBytes);
        }

        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var chunk = new byte[81920];
        long total = 0;
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            total += read;
            if (total > maxBytes)
            {
                throw TooLarge(what, maxBytes);
            }

            await target.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }

        return total;
    }

    public static void EnsureSuccess(HttpResponseMessage response, string what)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"{what}: HTTP {((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)}");
        }
    }

    private static HttpRequestException TooLarge(string what, long maxBytes) =>
        new($"{what} is larger than {maxBytes.ToString(CultureInfo.InvariantCulture)} bytes");
}
