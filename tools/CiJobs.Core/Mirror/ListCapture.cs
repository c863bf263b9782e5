using System.Security.Cryptography;
using System.Text;

namespace CiJobs.Core.Mirror;

/// <summary>
/// What reading SOURCE's package lists during the copy found (docs/manual/mirror.md, "Steps", step 4): the SHA-256 of
/// the bytes of each list read (by its path in the tree), and each package file the lists name with the size they give,
/// to be looked for in the copy once it is made. The claims are written to a file in <c>folder</c> as they come, so memory
/// does not grow with the number of packages. The copy's check adopts what was read only when its own metadata lists
/// exactly these lists with exactly these checksums (<see cref="Matches"/>); else it reads the copy's lists itself.
/// </summary>
internal sealed class ListCapture : IDisposable
{
    private readonly string claimsFile;
    private readonly List<string> listedIn = [];
    private readonly Dictionary<string, int> listedInIndex = new(StringComparer.Ordinal);
    private BinaryWriter? claims;

    public ListCapture(string folder)
    {
        claimsFile = Path.Combine(folder, "claims");
        claims = new BinaryWriter(new FileStream(claimsFile, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16), Encoding.UTF8);
    }

    /// <summary>Each list read, by its path relative to the tree's root: the SHA-256 (lower-case hex) of all its bytes.</summary>
    public Dictionary<string, string> Digests { get; } = new(StringComparer.Ordinal);

    public int Claims { get; private set; }

    /// <summary>A package file (relative to the tree's root) that the list <paramref name="list"/> names, with its size.</summary>
    public void Claim(string relativePath, long? size, string list)
    {
        var writer = claims ?? throw new InvalidOperationException("the claims are complete");
        if (!listedInIndex.TryGetValue(list, out var index))
        {
            listedInIndex[list] = index = listedIn.Count;
            listedIn.Add(list);
        }

        writer.Write(relativePath);
        writer.Write(size ?? -1);
        writer.Write(index);
        Claims++;
    }

    /// <summary>Ends the writing of the claims.</summary>
    public void Complete()
    {
        claims?.Dispose();
        claims = null;
    }

    /// <summary>The claims in the order they came: path relative to the tree's root, size (null when the list gives none), and the list.</summary>
    public IEnumerable<(string Path, long? Size, string ListedIn)> ReadClaims()
    {
        Complete();
        using var reader = new BinaryReader(new FileStream(claimsFile, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16), Encoding.UTF8);
        for (var i = 0; i < Claims; i++)
        {
            var path = reader.ReadString();
            var size = reader.ReadInt64();
            var list = reader.ReadInt32();
            yield return (path, size < 0 ? null : size, listedIn[list]);
        }
    }

    /// <summary>Whether the lists read are exactly the lists <paramref name="expected"/> names (path to the SHA-256 its
    /// metadata gives), with the same checksums: then the bytes read are the copy's bytes.</summary>
    public bool Matches(IReadOnlyDictionary<string, string> expected) =>
        expected.Count == Digests.Count && expected.All(e => Digests.TryGetValue(e.Key, out var digest) && string.Equals(digest, e.Value, StringComparison.Ordinal));

    public void Dispose() => Complete();
}

/// <summary>A read-only stream that hashes every byte read through it; <see cref="HashToEndAsync"/> reads and hashes what
/// was not read, so the hash is of the whole underlying stream.</summary>
internal sealed class HashingReadStream(Stream inner) : Stream
{
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        hash.AppendData(buffer[..read]);
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken);
        hash.AppendData(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Reads the rest of the stream into the hash and gives the SHA-256 of everything, as lower-case hex.</summary>
    public async Task<string> HashToEndAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        while (await ReadAsync(buffer, cancellationToken) > 0)
        {
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            hash.Dispose();
        }

        base.Dispose(disposing);
    }
}
