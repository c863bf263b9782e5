using System.Text.RegularExpressions;

namespace CiJobs.Core.SourceGit;

/// <summary>
/// What a patch file name written into dist-git may be (docs/security.md, "Patch names"). The name becomes a file
/// next to the spec and a word on a <c>PatchN:</c> line, so it must be a plain file name that neither rpm nor git
/// reads as anything else, and must not replace a file dist-git owns (the spec, <c>sources</c>, dotfiles such as
/// <c>.git</c> and <c>.gitignore</c>, or a file <c>files_to_sync</c> writes).
/// </summary>
public static partial class PatchFileName
{
    /// <summary>The longest name accepted: a file name's limit on Linux file systems (NAME_MAX, in bytes; names are ASCII).</summary>
    public const int MaxLength = 255;

    public const string Suffix = ".patch";

    /// <summary>Why <paramref name="name"/> cannot be a patch file name, or null when it can.</summary>
    /// <remarks>
    /// Letters, digits and <c>. _ + ~ -</c>, starting with a letter or digit (so no dotfile, no option-like
    /// <c>-name</c>, no path, no space that would cut the <c>PatchN:</c> line, no <c>%</c> that rpm would expand as a
    /// macro, no line break that would add spec lines), ending in <c>.patch</c>, at most <see cref="MaxLength"/> long.
    /// </remarks>
    public static string? Problem(string name)
    {
        if (name.Length > MaxLength)
        {
            return $"is longer than {MaxLength} characters";
        }

        if (!Plain().IsMatch(name))
        {
            return "must be a plain file name: letters, digits and . _ + ~ -, starting with a letter or a digit " +
                "(no '/', no leading '.', no spaces, no '%')";
        }

        return name.Length > Suffix.Length && name.EndsWith(Suffix, StringComparison.Ordinal) ? null : $"must end in {Suffix}";
    }

    /// <summary>The name as a message may show it: one line, at most 80 characters.</summary>
    public static string Quote(string name) =>
        "'" + new string([.. name.Take(80).Select(c => char.IsControl(c) ? '?' : c)]) + (name.Length > 80 ? "...'" : "'");

    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9._+~-]*\z")]
    private static partial Regex Plain();
}
