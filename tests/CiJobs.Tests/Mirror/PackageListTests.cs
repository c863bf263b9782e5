using CiJobs.Core.Mirror;
using CiJobs.Tests.Support;
using FluentAssertions;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace CiJobs.Tests.Mirror;

/// <summary>The package list of a snapshot and the report's sort-merge; docs/manual/mirror.md, "The package list of a snapshot".</summary>
public sealed class PackageListTests : IDisposable
{
    private readonly TempDir temp = new("mirror-list");

    public void Dispose() => temp.Dispose();

    // Few distinct values, so that keys and versions collide; hostile characters included (tab, line feed, backslash).
    private static readonly string[] Names = ["a", "b", "a\tb", "x\\ty", "n\nl", "é", "", "\\"];

    public static Arbitrary<PackageRow> Rows() =>
        Gen.Zip(Gen.Elements("", "rpm", "deb/dists/stable"), Gen.Zip(Gen.Elements(Names), Gen.Zip(Gen.Elements("noarch", "x86_64", "source"), Gen.Zip(Gen.Elements("1.0-1", "1.1-1", "2:0.9", "1.0"), Gen.Elements<long?>(null, 0, 7)))))
            .Select(t => new PackageRow(t.Item1, t.Item2.Item1, t.Item2.Item2.Item1, t.Item2.Item2.Item2.Item1, "Packages/" + t.Item2.Item1, t.Item2.Item2.Item2.Item2))
            .ToArbitrary();

    /// <summary>The report as it was made before the lists: two in-memory indexes of version sets.</summary>
    private static (string[] Added, string[] Removed, string[] Changed) Model(IEnumerable<PackageRow> next, IEnumerable<PackageRow> old)
    {
        static Dictionary<(string, string, string), string> Index(IEnumerable<PackageRow> rows) => rows
            .GroupBy(r => (r.Repository, r.Name, r.Arch))
            .ToDictionary(g => g.Key, g => string.Join(", ", g.Select(r => r.Version).Distinct().Order(StringComparer.Ordinal)));
        var n = Index(next);
        var o = Index(old);
        static string Key((string R, string N, string A) k) => $"{k.R}|{k.N}|{k.A}";
        var keys = n.Keys.Concat(o.Keys).Distinct().OrderBy(k => k.Item1, StringComparer.Ordinal).ThenBy(k => k.Item2, StringComparer.Ordinal).ThenBy(k => k.Item3, StringComparer.Ordinal).ToList();
        return (
            [.. keys.Where(k => n.ContainsKey(k) && !o.ContainsKey(k)).Select(k => $"{Key(k)} {n[k]}")],
            [.. keys.Where(k => o.ContainsKey(k) && !n.ContainsKey(k)).Select(k => $"{Key(k)} {o[k]}")],
            [.. keys.Where(k => n.ContainsKey(k) && o.ContainsKey(k) && n[k] != o[k]).Select(k => $"{Key(k)} {o[k]} -> {n[k]}")]);
    }

    private string Written(IEnumerable<PackageRow> rows)
    {
        var folder = temp.Combine(Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var writer = new PackageListWriter(folder);
        foreach (var row in rows)
        {
            writer.Add(row);
        }

        writer.Complete();
        Directory.GetFiles(folder).Select(Path.GetFileName).Should().Equal([PackageListFile.Name], "the chunks are deleted");
        return writer.Path;
    }

    [Property(Arbitrary = [typeof(PackageListTests)], MaxTest = 200)]
    public void Written_lists_read_back_sorted_and_their_merge_is_the_report_of_two_indexes(PackageRow[] next, PackageRow[] old)
    {
        var newList = Written(next);
        var oldList = Written(old);
        PackageListFile.Read(newList, header: true).Should().Equal(next.Order(PackageRow.Order), "escaped fields read back as they were");

        var changes = PackageChanges.Merge(PackageListFile.Read(newList, header: true), PackageListFile.Read(oldList, header: true));

        var (added, removed, changed) = Model(next, old);
        changes.Added.Select(p => $"{p.Repository}|{p.Name}|{p.Arch} {p.NewVersion}").Should().Equal(added);
        changes.Removed.Select(p => $"{p.Repository}|{p.Name}|{p.Arch} {p.OldVersion}").Should().Equal(removed);
        changes.Changed.Select(p => $"{p.Repository}|{p.Name}|{p.Arch} {p.OldVersion} -> {p.NewVersion}").Should().Equal(changed);
    }

    [Fact]
    public void A_list_larger_than_a_chunk_is_sorted_through_chunk_files_and_merges_with_an_index()
    {
        var random = new Random(14);
        var rows = Enumerable.Range(0, (PackageListWriter.ChunkRows * 3) + 17)
            .Select(i => new PackageRow("rpm", $"p{random.Next(5000):D5}", i % 3 == 0 ? "x86_64" : "noarch", $"{random.Next(3)}.0-1", $"Packages/p{i}.rpm", i))
            .ToList();
        var list = Written(rows);
        File.ReadLines(list).First().Should().Be(PackageListFile.Header);
        PackageListFile.Read(list, header: true).Should().Equal(rows.Order(PackageRow.Order));

        var index = new PackageIndex();
        foreach (var row in rows.Skip(10))
        {
            index.Add(row);
        }

        var changes = PackageChanges.Merge(PackageListFile.Read(list, header: true), index.SortedRows());
        var (added, removed, changed) = Model(rows, rows.Skip(10));
        changes.Added.Select(p => $"{p.Repository}|{p.Name}|{p.Arch} {p.NewVersion}").Should().Equal(added);
        changes.Removed.Should().BeEmpty();
        changes.Changed.Select(p => $"{p.Repository}|{p.Name}|{p.Arch} {p.OldVersion} -> {p.NewVersion}").Should().Equal(changed);
        (added.Length + changed.Length).Should().BePositive();
    }

    [Fact]
    public void A_list_out_of_order_or_malformed_is_refused()
    {
        var unsorted = new[] { new PackageRow("rpm", "b", "noarch", "1", "", null), new PackageRow("rpm", "a", "noarch", "1", "", null) };
        var act = () => PackageChanges.Merge(unsorted, []);
        act.Should().Throw<InvalidDataException>().WithMessage("*not sorted*");

        var file = temp.Write("list", PackageListFile.Header + "\nrpm\ta\tnoarch\t1\n");
        var read = () => PackageListFile.Read(file, header: true).ToList();
        read.Should().Throw<InvalidDataException>().WithMessage("*6 tab-separated fields*");
        File.WriteAllText(file, "# another header\n");
        read.Should().Throw<InvalidDataException>().WithMessage("*header*");
    }
}
