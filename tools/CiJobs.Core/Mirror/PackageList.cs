using System.Globalization;
using System.Text;

namespace CiJobs.Core.Mirror;

/// <summary>One package a repository's metadata lists: its repository (path in the tree), name, architecture, version, and
/// the location and size the metadata gives (empty and null when it gives none).</summary>
public sealed record PackageRow(string Repository, string Name, string Arch, string Version, string Path, long? Size)
{
    /// <summary>Ordinal on each field in turn: repository, name, architecture, version, path, size.</summary>
    public static readonly IComparer<PackageRow> Order = Comparer<PackageRow>.Create(Compare);

    public static int Compare(PackageRow? a, PackageRow? b)
    {
        if (a is null || b is null)
        {
            return a is null ? (b is null ? 0 : -1) : 1;
        }

        var c = SameKey(a, b);
        if (c != 0)
        {
            return c;
        }

        c = string.CompareOrdinal(a.Version, b.Version);
        c = c != 0 ? c : string.CompareOrdinal(a.Path, b.Path);
        return c != 0 ? c : Nullable.Compare(a.Size, b.Size);
    }

    /// <summary>The order of the report's key alone: repository, name, architecture.</summary>
    public static int SameKey(PackageRow a, PackageRow b)
    {
        var c = string.CompareOrdinal(a.Repository, b.Repository);
        c = c != 0 ? c : string.CompareOrdinal(a.Name, b.Name);
        return c != 0 ? c : string.CompareOrdinal(a.Arch, b.Arch);
    }
}

/// <summary>Where a repository tree's check puts the packages it reads.</summary>
public interface IPackageSink
{
    void Add(PackageRow package);
}

/// <summary>The changes between two package lists, each sorted by <see cref="PackageRow.Order"/>.</summary>
public sealed record PackageChanges(IReadOnlyList<MirrorPackageChange> Added, IReadOnlyList<MirrorPackageChange> Removed, IReadOnlyList<MirrorPackageChange> Changed)
{
    /// <summary>
    /// A sort-merge of the two streams (docs/manual/mirror.md, "Performance"): one name and architecture of one repository at
    /// a time is held, whatever the sizes of the lists. Several versions of one name and architecture are joined by ", "
    /// (distinct, ordinal order), and a key is "changed" when its set of versions differs.
    /// </summary>
    public static PackageChanges Merge(IEnumerable<PackageRow> newRows, IEnumerable<PackageRow> oldRows)
    {
        List<MirrorPackageChange> added = [], removed = [], changed = [];
        using var next = new Groups(newRows);
        using var previous = new Groups(oldRows);
        next.Move();
        previous.Move();
        while (next.Current is not null || previous.Current is not null)
        {
            var c = next.Current is null ? 1 : previous.Current is null ? -1 : PackageRow.SameKey(next.Current, previous.Current);
            if (c < 0)
            {
                added.Add(new(next.Current!.Repository, next.Current.Name, next.Current.Arch, null, next.Versions));
                next.Move();
            }
            else if (c > 0)
            {
                removed.Add(new(previous.Current!.Repository, previous.Current.Name, previous.Current.Arch, previous.Versions, null));
                previous.Move();
            }
            else
            {
                if (!string.Equals(next.Versions, previous.Versions, StringComparison.Ordinal))
                {
                    changed.Add(new(next.Current!.Repository, next.Current.Name, next.Current.Arch, previous.Versions, next.Versions));
                }

                next.Move();
                previous.Move();
            }
        }

        return new PackageChanges(added, removed, changed);
    }

    /// <summary>The rows of one key at a time, with their distinct versions joined; refuses rows out of order.</summary>
    private sealed class Groups(IEnumerable<PackageRow> rows) : IDisposable
    {
        private readonly IEnumerator<PackageRow> rows = rows.GetEnumerator();
        private PackageRow? lookahead;
        private bool started;

        public PackageRow? Current { get; private set; }

        public string Versions { get; private set; } = "";

        public void Move()
        {
            if (!started)
            {
                started = true;
                lookahead = rows.MoveNext() ? rows.Current : null;
            }

            Current = lookahead;
            if (Current is null)
            {
                return;
            }

            var versions = new StringBuilder(Current.Version);
            var last = Current;
            while (true)
            {
                lookahead = rows.MoveNext() ? rows.Current : null;
                if (lookahead is null)
                {
                    break;
                }

                if (PackageRow.Compare(last, lookahead) > 0)
                {
                    throw new InvalidDataException($"the package list is not sorted: '{lookahead.Repository}' {lookahead.Name}.{lookahead.Arch} {lookahead.Version} comes after {last.Name}.{last.Arch} {last.Version}");
                }

                if (PackageRow.SameKey(Current, lookahead) != 0)
                {
                    break;
                }

                if (!string.Equals(lookahead.Version, last.Version, StringComparison.Ordinal))
                {
                    versions.Append(", ").Append(lookahead.Version);
                }

                last = lookahead;
            }

            Versions = versions.ToString();
        }

        public void Dispose() => rows.Dispose();
    }
}

/// <summary>
/// The package list a local snapshot carries, <c>.cijobs-packages</c> at its root (docs/manual/mirror.md, "The package
/// list of a snapshot"): a header line, then one line per package, <c>repository TAB name TAB arch TAB version TAB path TAB
/// size</c>, sorted by <see cref="PackageRow.Order"/>; a backslash, tab, line feed or carriage return in a field is written
/// <c>\\</c>, <c>\t</c>, <c>\n</c>, <c>\r</c>.
/// </summary>
public static class PackageListFile
{
    /// <summary>The file's name at a snapshot's root; SOURCE's own file of this name (or starting with it and a dot) is not copied.</summary>
    public const string Name = ".cijobs-packages";

    public const string Header = "# cijobs mirror sync package list 1: repository, name, arch, version, path, size; tab-separated, sorted";

    /// <summary>A name at the root of a snapshot that mirror sync writes itself: the list and its temporary files.</summary>
    public static bool IsReserved(string rootEntry) => rootEntry == Name || rootEntry.StartsWith(Name + ".", StringComparison.Ordinal);

    public static string Format(PackageRow row) =>
        $"{Escape(row.Repository)}\t{Escape(row.Name)}\t{Escape(row.Arch)}\t{Escape(row.Version)}\t{Escape(row.Path)}\t{row.Size?.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The rows of a list file (with or without the header line); a malformed line is an <see cref="InvalidDataException"/>.</summary>
    public static IEnumerable<PackageRow> Read(string file, bool header)
    {
        using var reader = new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, new FileStreamOptions { BufferSize = 1 << 16 });
        if (header && reader.ReadLine() != Header)
        {
            throw new InvalidDataException($"{file} does not start with the header of this version");
        }

        var number = header ? 1 : 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            var fields = line.Split('\t');
            long? size = null;
            if (fields.Length != 6)
            {
                throw new InvalidDataException($"{file}: line {number} is not 6 tab-separated fields");
            }

            if (fields[5].Length > 0)
            {
                size = long.TryParse(fields[5], NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : throw new InvalidDataException($"{file}: line {number} has no valid size");
            }

            yield return new PackageRow(Unescape(fields[0]), Unescape(fields[1]), Unescape(fields[2]), Unescape(fields[3]), Unescape(fields[4]), size);
        }
    }

    private static string Escape(string value) =>
        value.AsSpan().IndexOfAny("\\\t\n\r") < 0 ? value : value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal);

    private static string Unescape(string value)
    {
        if (!value.Contains('\\', StringComparison.Ordinal))
        {
            return value;
        }

        var text = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '\\' || i + 1 == value.Length)
            {
                text.Append(value[i]);
                continue;
            }

            i++;
            text.Append(value[i] switch { 't' => '\t', 'n' => '\n', 'r' => '\r', var other => other });
        }

        return text.ToString();
    }
}

/// <summary>
/// Writes a package list sorted with bounded memory: rows are kept in chunks of <see cref="ChunkRows"/>, each chunk is
/// sorted and spilled to a file beside the list when full, and the list is a merge of the chunks (an external sort; memory
/// does not grow with the number of packages). The chunks and the list are written in the half-made snapshot, the list in
/// one rename.
/// </summary>
public sealed class PackageListWriter(string folder) : IPackageSink
{
    public const int ChunkRows = 4096;

    private readonly List<PackageRow> chunk = [];
    private readonly List<string> spilled = [];

    public string Path => System.IO.Path.Combine(folder, PackageListFile.Name);

    public void Add(PackageRow package)
    {
        chunk.Add(package);
        if (chunk.Count >= ChunkRows)
        {
            var spill = System.IO.Path.Combine(folder, $"{PackageListFile.Name}.chunk-{spilled.Count}");
            chunk.Sort(PackageRow.Order);
            File.WriteAllLines(spill, chunk.Select(PackageListFile.Format));
            spilled.Add(spill);
            chunk.Clear();
        }
    }

    /// <summary>Writes the sorted list (<see cref="PackageListFile.Name"/> in the folder) and deletes the chunks.</summary>
    public void Complete()
    {
        chunk.Sort(PackageRow.Order);
        var sources = spilled.Select(s => PackageListFile.Read(s, header: false)).Append(chunk).ToList();
        var temp = Path + ".writing";
        using (var writer = new StreamWriter(temp, append: false, new UTF8Encoding(false), 1 << 16))
        {
            writer.NewLine = "\n";
            writer.WriteLine(PackageListFile.Header);
            foreach (var row in MergeSorted(sources))
            {
                writer.WriteLine(PackageListFile.Format(row));
            }
        }

        File.Move(temp, Path, overwrite: true);
        foreach (var spill in spilled)
        {
            File.Delete(spill);
        }

        chunk.Clear();
        spilled.Clear();
    }

    private static IEnumerable<PackageRow> MergeSorted(List<IEnumerable<PackageRow>> sources)
    {
        var readers = sources.Select(s => s.GetEnumerator()).ToList();
        try
        {
            var queue = new PriorityQueue<int, PackageRow>(PackageRow.Order);
            for (var i = 0; i < readers.Count; i++)
            {
                if (readers[i].MoveNext())
                {
                    queue.Enqueue(i, readers[i].Current);
                }
            }

            while (queue.TryDequeue(out var i, out var row))
            {
                yield return row;
                if (readers[i].MoveNext())
                {
                    queue.Enqueue(i, readers[i].Current);
                }
            }
        }
        finally
        {
            foreach (var reader in readers)
            {
                reader.Dispose();
            }
        }
    }
}
