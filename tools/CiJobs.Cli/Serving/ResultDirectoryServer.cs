using System.Net;

namespace CiJobs.Cli.Serving;

/// <summary>
/// Serves a result directory read-only over HTTP on 127.0.0.1 (GET and HEAD of files by path, no listing),
/// so a local or test flow can hand a repo URL to the DLRN remote import. Built on
/// <see cref="HttpListener"/>, which is part of the base framework: <c>cijobs</c> needs no web framework at
/// start-up, and this class's assembly loads only when <c>serve</c> runs.
/// Symbolic links are followed only while they stay inside the served folder (DLRN results link sibling builds and
/// <c>current</c> with relative links); a path that resolves outside it answers 403 (docs/security.md, "serve").
/// </summary>
internal sealed class ResultDirectoryServer : IAsyncDisposable
{
    private readonly string root;
    private readonly LoopbackHttpServer http;

    private ResultDirectoryServer(string root, int port)
    {
        this.root = root;
        http = LoopbackHttpServer.Start(port, RespondAsync);
    }

    /// <summary>For example <c>http://127.0.0.1:41234/</c>.</summary>
    public string Url => http.Url;

    /// <exception cref="IOException">The folder cannot be resolved or the port cannot be taken.</exception>
    public static ResultDirectoryServer Start(string directory, int port)
    {
        // The real path: links in the folder's own path (a /tmp link, a checkout under a linked home) are not escapes.
        var root = RealPath(Path.GetFullPath(directory)) ?? throw new IOException($"{directory} cannot be resolved");
        return new ResultDirectoryServer(root, port);
    }

    public ValueTask DisposeAsync() => http.DisposeAsync();

    private async Task RespondAsync(HttpListenerContext context, CancellationToken stopping)
    {
        var response = context.Response;
        try
        {
            var method = context.Request.HttpMethod;
            var relative = Uri.UnescapeDataString(context.Request.Url?.AbsolutePath ?? "/").TrimStart('/');
            var full = relative.Contains('\0', StringComparison.Ordinal) ? null : Path.GetFullPath(Path.Combine(root, relative));
            var real = full is not null && Inside(full) ? RealPath(full) : null;
            if (method is not ("GET" or "HEAD"))
            {
                response.StatusCode = 405;
            }
            else if (full is null || !Inside(full) || real is null)
            {
                response.StatusCode = 404;
            }
            else if (!Inside(real))
            {
                // A link inside the folder that leads out of it.
                response.StatusCode = 403;
            }
            else if (!File.Exists(real))
            {
                response.StatusCode = 404;
            }
            else
            {
                // The resolved path: no link is followed again between the check and the read.
                await using var file = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                response.StatusCode = 200;
                // Served raw, as on disk: DLRN fetches files by exact name, uncompressed.
                response.ContentType = ContentType(full);
                response.ContentLength64 = file.Length;
                if (method == "GET")
                {
                    await file.CopyToAsync(response.OutputStream, stopping);
                }
            }
        }
        catch (Exception e) when (e is IOException or HttpListenerException or UnauthorizedAccessException or OperationCanceledException)
        {
            // The client went away or the file vanished: nothing to answer.
        }
    }

    private bool Inside(string path) => path.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>
    /// <paramref name="path"/> (absolute, normalized) with every symbolic link in it resolved, as realpath(3) does:
    /// component by component, a relative target against the link's folder. Null when a component is missing or
    /// links loop (more than 40 links, the kernel's limit).
    /// </summary>
    internal static string? RealPath(string path)
    {
        var pending = new Stack<string>(path.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse());
        var resolved = Path.GetPathRoot(path) ?? "/";
        var links = 0;
        while (pending.TryPop(out var part))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                resolved = Path.GetDirectoryName(resolved) ?? resolved;
                continue;
            }

            var next = Path.Join(resolved, part);
            var info = new FileInfo(next);
            string? target;
            try
            {
                target = info.LinkTarget;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return null;
            }

            if (target is null)
            {
                if (!info.Exists && !Directory.Exists(next))
                {
                    return null;
                }

                resolved = next;
                continue;
            }

            if (++links > 40)
            {
                return null;
            }

            foreach (var piece in target.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries).Reverse())
            {
                pending.Push(piece);
            }

            if (Path.IsPathRooted(target))
            {
                resolved = Path.GetPathRoot(target) ?? "/";
            }
        }

        return resolved;
    }

    /// <summary>The media type by name. Compressed files are named as what they are (application/gzip, ...), never
    /// given a Content-Encoding: apt and dnf fetch Packages.gz or primary.xml.gz and decompress them themselves.</summary>
    private static string ContentType(string path) => Path.GetFileName(path) is "Release" or "InRelease" or "Packages" or "Sources"
        ? "text/plain"
        : Path.GetExtension(path) switch
        {
            ".log" or ".yaml" or ".csv" or ".repo" or ".list" or ".dsc" or ".changes" or ".buildinfo" or ".txt" or ".md5" => "text/plain",
            ".html" => "text/html",
            ".xml" => "application/xml",
            ".gz" => "application/gzip",
            ".xz" => "application/x-xz",
            ".bz2" => "application/x-bzip2",
            ".zst" => "application/zstd",
            ".rpm" => "application/x-rpm",
            ".deb" => "application/vnd.debian.binary-package",
            _ => "application/octet-stream",
        };
}
