using System.Globalization;
using System.Text;

namespace CiJobs.Core.ZuulConfig;

/// <summary>How Zuul's loader takes a regular expression (see docs/contracts/zuul-config.md, "Regular expressions").</summary>
internal enum ZuulRegexVerdict
{
    /// <summary>RE2 compiles it: Zuul accepts it silently.</summary>
    Re2,

    /// <summary>RE2 refuses it but Python's <c>re</c> compiles it: Zuul accepts it with a "Regex Deprecation" warning.</summary>
    PythonOnly,

    /// <summary>Neither compiles it: Zuul reports a configuration error.</summary>
    Invalid,
}

/// <summary>The verdict on a pattern and the message of the engine that refused it (RE2's, else Python's).</summary>
internal readonly record struct ZuulRegexCheck(ZuulRegexVerdict Verdict, string? Message);

/// <summary>
/// Zuul compiles user regular expressions with RE2 first and falls back to Python's <c>re</c> only to tell a
/// deprecated Perl-style pattern (a warning) from a broken one (an error). Neither engine is available to .NET,
/// so this class re-implements the two parsers' syntax rules (RE2's <c>parse.cc</c> with Perl-like flags, Python
/// 3.11+'s <c>re._parser</c> and the look-behind width rule of <c>re._compiler</c>), reporting only validity.
/// </summary>
internal static class ZuulRegexSyntax
{
    public static ZuulRegexCheck Check(string pattern)
    {
        var re2 = Re2Error(pattern);
        if (re2 is null)
        {
            return new ZuulRegexCheck(ZuulRegexVerdict.Re2, null);
        }

        var python = PythonError(pattern);
        return python is null
            ? new ZuulRegexCheck(ZuulRegexVerdict.PythonOnly, re2)
            : new ZuulRegexCheck(ZuulRegexVerdict.Invalid, python);
    }

    /// <summary>RE2's error text for <paramref name="pattern"/> (as <c>RE2::error()</c> words it), or null when RE2 accepts it.</summary>
    public static string? Re2Error(string pattern) => new Re2Parser(Runes(pattern)).Parse();

    /// <summary>Python's <c>re.error</c> message for <paramref name="pattern"/>, or null when <c>re.compile</c> accepts it.</summary>
    public static string? PythonError(string pattern) => new PythonParser(Runes(pattern)).Parse();

    private static int[] Runes(string text)
    {
        var runes = new List<int>(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            runes.Add(rune.Value);
        }

        return [.. runes];
    }

    private static string Text(int[] runes, int start, int end)
    {
        var builder = new StringBuilder();
        for (var i = start; i < Math.Min(end, runes.Length); i++)
        {
            builder.Append(char.ConvertFromUtf32(runes[i]));
        }

        return builder.ToString();
    }

    private static bool IsAsciiDigit(int c) => c is >= '0' and <= '9';

    private static bool IsOctal(int c) => c is >= '0' and <= '7';

    private static bool IsHex(int c) => c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F';

    private static bool IsAsciiLetter(int c) => c is >= 'a' and <= 'z' or >= 'A' and <= 'Z';

    private static UnicodeCategory Category(int c) => CharUnicodeInfo.GetUnicodeCategory(c);

    /// <summary>RE2 (Perl-like syntax, UTF-8): the checks of <c>Regexp::Parse</c> that can fail.</summary>
    private sealed class Re2Parser(int[] s)
    {
        private const int MaximumRepeatCount = 1000;

        private static readonly HashSet<string> PosixGroups = new(StringComparer.Ordinal)
        {
            "alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "word", "xdigit",
        };

        /// <summary>The general categories and scripts of RE2's unicode_groups.cc, plus "Any".</summary>
        private static readonly HashSet<string> UnicodeGroups = new(
            ("Any C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs " +
             "Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali Bhaiksuki " +
             "Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham Cherokee " +
             "Chorasmian Common Coptic Cuneiform Cypriot Cypro_Minoan Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan " +
             "Egyptian_Hieroglyphs Elbasan Elymaic Ethiopic Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi " +
             "Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic Inherited " +
             "Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kawi Kayah_Li Kharoshthi " +
             "Khitan_Small_Script Khmer Khojki Khudawadi Lao Latin Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian " +
             "Mahajani Makasar Malayalam Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui " +
             "Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari " +
             "Nandinagari New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian Old_Italic " +
             "Old_North_Arabian Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage " +
             "Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic Samaritan " +
             "Saurashtra Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese Syloti_Nagri " +
             "Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan " +
             "Tifinagh Tirhuta Toto Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square")
            .Split(' '),
            StringComparer.Ordinal);

        /// <summary>One open parenthesis (or the whole expression): is there an operand to repeat, and its nesting of counted repeats.</summary>
        private sealed class Frame
        {
            public bool HasOperand;

            /// <summary>The product of counted-repeat sizes nested in the last operand (RE2's RepetitionWalker).</summary>
            public long LastProduct = 1;

            /// <summary>The largest such product anywhere in this group so far.</summary>
            public long MaxProduct = 1;
        }

        private int pos;

        public string? Parse()
        {
            var frames = new Stack<Frame>();
            frames.Push(new Frame());
            var lastWasRepeat = false;
            var lastRepeatStart = 0;
            while (pos < s.Length)
            {
                var frame = frames.Peek();
                var start = pos;
                var isRepeat = false;
                var c = s[pos];
                switch (c)
                {
                    case '(':
                        if (pos + 1 < s.Length && s[pos + 1] == '?')
                        {
                            var (error, opened) = PerlFlags();
                            if (error is not null)
                            {
                                return error;
                            }

                            if (opened)
                            {
                                frames.Push(new Frame());
                            }

                            break;
                        }

                        pos++;
                        frames.Push(new Frame());
                        break;
                    case '|':
                        pos++;
                        frame.HasOperand = false;
                        break;
                    case ')':
                        if (frames.Count == 1)
                        {
                            return "unexpected ): " + Text(s, 0, s.Length);
                        }

                        pos++;
                        var closed = frames.Pop();
                        Operand(frames.Peek(), closed.MaxProduct);
                        break;
                    case '[':
                        {
                            var error = CharClass();
                            if (error is not null)
                            {
                                return error;
                            }

                            Operand(frame, 1);
                            break;
                        }

                    case '*' or '+' or '?':
                        {
                            pos++;
                            if (pos < s.Length && s[pos] == '?')
                            {
                                pos++;
                            }

                            if (lastWasRepeat)
                            {
                                return "bad repetition operator: " + Text(s, lastRepeatStart, pos);
                            }

                            if (!frame.HasOperand)
                            {
                                return "no argument for repetition operator: " + Text(s, start, pos);
                            }

                            isRepeat = true;
                            break;
                        }

                    case '{':
                        {
                            if (!Repetition(out var lo, out var hi))
                            {
                                pos++;
                                Operand(frame, 1);
                                break;
                            }

                            if (pos < s.Length && s[pos] == '?')
                            {
                                pos++;
                            }

                            if (lastWasRepeat)
                            {
                                return "bad repetition operator: " + Text(s, lastRepeatStart, pos);
                            }

                            var op = Text(s, start, pos);
                            if ((hi != -1 && hi < lo) || lo > MaximumRepeatCount || hi > MaximumRepeatCount)
                            {
                                return "invalid repetition size: " + op;
                            }

                            if (!frame.HasOperand)
                            {
                                return "no argument for repetition operator: " + op;
                            }

                            var m = hi < 0 ? lo : hi;
                            var product = m > 0 ? Math.Min(frame.LastProduct * m, 1L << 40) : frame.LastProduct;
                            if ((lo >= 2 || hi >= 2) && product > MaximumRepeatCount)
                            {
                                return "invalid repetition size: " + op;
                            }

                            frame.LastProduct = product;
                            frame.MaxProduct = Math.Max(frame.MaxProduct, product);
                            isRepeat = true;
                            break;
                        }

                    case '\\':
                        {
                            var error = Escape(frame);
                            if (error is not null)
                            {
                                return error;
                            }

                            break;
                        }

                    default:
                        pos++;
                        Operand(frame, 1);
                        break;
                }

                if (isRepeat)
                {
                    lastRepeatStart = start;
                }

                lastWasRepeat = isRepeat;
            }

            return frames.Count > 1 ? "missing ): " + Text(s, 0, s.Length) : null;
        }

        private static void Operand(Frame frame, long product)
        {
            frame.HasOperand = true;
            frame.LastProduct = product;
            frame.MaxProduct = Math.Max(frame.MaxProduct, product);
        }

        /// <summary><c>(?</c>: look-around (refused), named groups, flag groups. Returns whether a group was opened.</summary>
        private (string? Error, bool Opened) PerlFlags()
        {
            var t = pos;
            var rest = s.Length - t;
            if ((rest > 3 && s[t + 2] is '=' or '!') || (rest > 4 && s[t + 2] == '<' && s[t + 3] is '=' or '!'))
            {
                return ("invalid perl operator: " + Text(s, t, t + (s[t + 2] == '<' ? 4 : 3)), false);
            }

            if ((rest > 4 && s[t + 2] == 'P' && s[t + 3] == '<') || (rest > 3 && s[t + 2] == '<'))
            {
                var begin = t + (s[t + 2] == 'P' ? 4 : 3);
                var end = Array.IndexOf(s, (int)'>', begin);
                if (end < 0)
                {
                    return ("invalid named capture group: " + Text(s, t, s.Length), false);
                }

                var valid = end > begin;
                for (var i = begin; i < end && valid; i++)
                {
                    valid = Category(s[i]) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
                        or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                        or UnicodeCategory.LetterNumber or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
                        or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation;
                }

                if (!valid)
                {
                    return ("invalid named capture group: " + Text(s, t, end + 1), false);
                }

                pos = end + 1;
                return (null, true);
            }

            var p = t + 2;
            var negated = false;
            var sawFlags = false;
            while (true)
            {
                if (p >= s.Length)
                {
                    return ("invalid perl operator: " + Text(s, t, p), false);
                }

                var c = s[p++];
                switch (c)
                {
                    case 'i' or 'm' or 's' or 'U':
                        sawFlags = true;
                        continue;
                    case '-':
                        if (negated)
                        {
                            return ("invalid perl operator: " + Text(s, t, p), false);
                        }

                        negated = true;
                        sawFlags = false;
                        continue;
                    case ':' or ')':
                        if (negated && !sawFlags)
                        {
                            return ("invalid perl operator: " + Text(s, t, p), false);
                        }

                        pos = p;
                        return (null, c == ':');
                    default:
                        return ("invalid perl operator: " + Text(s, t, p), false);
                }
            }
        }

        /// <summary><c>{n}</c>, <c>{n,}</c> or <c>{n,m}</c> (no leading zeros); anything else leaves <c>{</c> a literal.</summary>
        private bool Repetition(out int lo, out int hi)
        {
            lo = hi = 0;
            var p = pos + 1;
            if (!Integer(ref p, out lo) || p >= s.Length)
            {
                return false;
            }

            if (s[p] == ',')
            {
                p++;
                if (p >= s.Length)
                {
                    return false;
                }

                if (s[p] == '}')
                {
                    hi = -1;
                }
                else if (!Integer(ref p, out hi))
                {
                    return false;
                }
            }
            else
            {
                hi = lo;
            }

            if (p >= s.Length || s[p] != '}')
            {
                return false;
            }

            pos = p + 1;
            return true;
        }

        private bool Integer(ref int p, out int value)
        {
            value = 0;
            if (p >= s.Length || !IsAsciiDigit(s[p]))
            {
                return false;
            }

            if (p + 1 < s.Length && s[p] == '0' && IsAsciiDigit(s[p + 1]))
            {
                return false;
            }

            while (p < s.Length && IsAsciiDigit(s[p]))
            {
                if (value >= 100_000_000)
                {
                    return false;
                }

                value = (value * 10) + s[p] - '0';
                p++;
            }

            return true;
        }

        private string? Escape(Frame frame)
        {
            if (pos + 1 < s.Length)
            {
                switch (s[pos + 1])
                {
                    case 'b' or 'B' or 'A' or 'z' or 'C':
                        pos += 2;
                        Operand(frame, 1);
                        return null;
                    case 'Q':
                        pos += 2;
                        while (pos < s.Length)
                        {
                            if (pos + 1 < s.Length && s[pos] == '\\' && s[pos + 1] == 'E')
                            {
                                pos += 2;
                                break;
                            }

                            pos++;
                            Operand(frame, 1);
                        }

                        return null;
                    case 'p' or 'P':
                        {
                            var error = UnicodeGroup();
                            if (error is null)
                            {
                                Operand(frame, 1);
                            }

                            return error;
                        }

                    case 'd' or 'D' or 's' or 'S' or 'w' or 'W':
                        pos += 2;
                        Operand(frame, 1);
                        return null;
                }
            }

            var escapeError = PlainEscape(out _);
            if (escapeError is null)
            {
                Operand(frame, 1);
            }

            return escapeError;
        }

        /// <summary><c>\p{Name}</c>, <c>\pL</c>, negated with <c>\P</c> or <c>^</c>; the name must be one RE2 knows.</summary>
        private string? UnicodeGroup()
        {
            var seqStart = pos;
            pos += 2;
            string name;
            if (pos >= s.Length)
            {
                name = "";
            }
            else if (s[pos] != '{')
            {
                name = Text(s, pos, pos + 1);
                pos++;
            }
            else
            {
                var end = Array.IndexOf(s, (int)'}', pos);
                if (end < 0)
                {
                    var seq = Text(s, seqStart, s.Length);
                    pos = s.Length;
                    return "invalid character class range: " + seq;
                }

                name = Text(s, pos + 1, end);
                pos = end + 1;
            }

            if (name.StartsWith('^'))
            {
                name = name[1..];
            }

            return UnicodeGroups.Contains(name) ? null : "invalid character class range: " + Text(s, seqStart, pos);
        }

        /// <summary>RE2's ParseEscape: the escapes that stand for one character.</summary>
        private string? PlainEscape(out int rune)
        {
            rune = 0;
            var begin = pos;
            if (pos + 1 >= s.Length)
            {
                pos = s.Length;
                return "trailing \\";
            }

            pos++;
            var c = s[pos++];
            switch (c)
            {
                case >= '1' and <= '7':
                    if (pos >= s.Length || !IsOctal(s[pos]))
                    {
                        return "invalid escape sequence: " + Text(s, begin, pos);
                    }

                    goto case '0';
                case '0':
                    rune = c - '0';
                    for (var i = 0; i < 2 && pos < s.Length && IsOctal(s[pos]); i++)
                    {
                        rune = (rune * 8) + s[pos++] - '0';
                    }

                    return null;
                case 'x':
                    {
                        if (pos >= s.Length)
                        {
                            return "invalid escape sequence: " + Text(s, begin, pos);
                        }

                        var d = s[pos++];
                        if (d == '{')
                        {
                            var digits = 0;
                            long code = 0;
                            while (pos < s.Length && IsHex(s[pos]))
                            {
                                digits++;
                                code = (code * 16) + Convert.ToInt32(char.ConvertFromUtf32(s[pos]), 16);
                                pos++;
                                if (code > 0x10FFFF)
                                {
                                    return "invalid escape sequence: " + Text(s, begin, pos);
                                }
                            }

                            if (pos >= s.Length || s[pos] != '}' || digits == 0)
                            {
                                pos = Math.Min(pos + 1, s.Length);
                                return "invalid escape sequence: " + Text(s, begin, pos);
                            }

                            pos++;
                            rune = (int)code;
                            return null;
                        }

                        if (pos >= s.Length)
                        {
                            return "invalid escape sequence: " + Text(s, begin, pos);
                        }

                        var e = s[pos++];
                        if (!IsHex(d) || !IsHex(e))
                        {
                            return "invalid escape sequence: " + Text(s, begin, pos);
                        }

                        rune = (Convert.ToInt32(char.ConvertFromUtf32(d), 16) * 16) + Convert.ToInt32(char.ConvertFromUtf32(e), 16);
                        return null;
                    }

                case 'n':
                    rune = '\n';
                    return null;
                case 'r':
                    rune = '\r';
                    return null;
                case 't':
                    rune = '\t';
                    return null;
                case 'a':
                    rune = 7;
                    return null;
                case 'f':
                    rune = '\f';
                    return null;
                case 'v':
                    rune = '\v';
                    return null;
                default:
                    if (c < 0x80 && !IsAsciiLetter(c) && !IsAsciiDigit(c))
                    {
                        rune = c;
                        return null;
                    }

                    return "invalid escape sequence: " + Text(s, begin, pos);
            }
        }

        /// <summary>A bracketed class: POSIX names, Unicode groups, Perl classes, characters and ranges.</summary>
        private string? CharClass()
        {
            var whole = pos;
            pos++;
            if (pos < s.Length && s[pos] == '^')
            {
                pos++;
            }

            var first = true;
            while (pos < s.Length && (s[pos] != ']' || first))
            {
                first = false;
                if (s.Length - pos > 2 && s[pos] == '[' && s[pos + 1] == ':')
                {
                    var q = pos + 2;
                    while (q <= s.Length - 2 && !(s[q] == ':' && s[q + 1] == ']'))
                    {
                        q++;
                    }

                    if (q <= s.Length - 2)
                    {
                        var name = Text(s, pos + 2, q);
                        var bare = name.StartsWith('^') ? name[1..] : name;
                        if (!PosixGroups.Contains(bare))
                        {
                            return "invalid character class range: " + Text(s, pos, q + 2);
                        }

                        pos = q + 2;
                        continue;
                    }
                }

                if (s.Length - pos > 2 && s[pos] == '\\' && s[pos + 1] is 'p' or 'P')
                {
                    var error = UnicodeGroup();
                    if (error is not null)
                    {
                        return error;
                    }

                    continue;
                }

                if (s.Length - pos >= 2 && s[pos] == '\\' && s[pos + 1] is 'd' or 'D' or 's' or 'S' or 'w' or 'W')
                {
                    pos += 2;
                    continue;
                }

                var rangeStart = pos;
                var loError = ClassCharacter(whole, out var lo);
                if (loError is not null)
                {
                    return loError;
                }

                if (s.Length - pos >= 2 && s[pos] == '-' && s[pos + 1] != ']')
                {
                    pos++;
                    var hiError = ClassCharacter(whole, out var hi);
                    if (hiError is not null)
                    {
                        return hiError;
                    }

                    if (hi < lo)
                    {
                        return "invalid character class range: " + Text(s, rangeStart, pos);
                    }
                }
            }

            if (pos >= s.Length)
            {
                return "missing ]: " + Text(s, whole, s.Length);
            }

            pos++;
            return null;
        }

        private string? ClassCharacter(int whole, out int rune)
        {
            rune = 0;
            if (pos >= s.Length)
            {
                return "missing ]: " + Text(s, whole, s.Length);
            }

            if (s[pos] == '\\')
            {
                return PlainEscape(out rune);
            }

            rune = s[pos++];
            return null;
        }
    }

    /// <summary>Python 3.11+ <c>re</c> for str patterns: the checks of <c>re._parser.parse</c> and the look-behind width check of the compiler.</summary>
    private sealed class PythonParser(int[] s)
    {
        private const long MaxRepeat = uint.MaxValue;
        private const long Saturated = long.MaxValue / 4;

        private const int FlagIgnoreCase = 2;
        private const int FlagLocale = 4;
        private const int FlagMultiline = 8;
        private const int FlagDotAll = 16;
        private const int FlagUnicode = 32;
        private const int FlagVerbose = 64;
        private const int FlagTemplate = 1;
        private const int FlagAscii = 256;
        private const int TypeFlags = FlagAscii | FlagLocale | FlagUnicode;

        private static readonly Dictionary<int, int> Flags = new()
        {
            ['i'] = FlagIgnoreCase,
            ['L'] = FlagLocale,
            ['m'] = FlagMultiline,
            ['s'] = FlagDotAll,
            ['x'] = FlagVerbose,
            ['a'] = FlagAscii,
            ['t'] = FlagTemplate,
            ['u'] = FlagUnicode,
        };

        private readonly Dictionary<string, int> groupNames = new(StringComparer.Ordinal);

        /// <summary>Width of each group once closed (index 0 is the whole pattern); null while open.</summary>
        private readonly List<(long Lo, long Hi)?> groupWidths = [null];

        private readonly HashSet<int> conditionalReferences = [];

        private int flags;
        private int? lookbehindGroups;

        /// <summary>The tokenizer's position: the next token starts here (a backslash and its character form one token).</summary>
        private int index;

        private enum ItemKind
        {
            Unit,
            At,
            Repeat,
            Group,
            Other,
        }

        private readonly record struct Item(ItemKind Kind, long Lo, long Hi);

        private sealed class ParseError(string message) : Exception(message);

        public string? Parse()
        {
            try
            {
                ParseSub(verbose: false, nested: 0);
                if ((flags & FlagLocale) != 0)
                {
                    return "cannot use LOCALE flag with a str pattern";
                }

                if ((flags & FlagAscii) != 0 && (flags & FlagUnicode) != 0)
                {
                    return "ASCII and UNICODE flags are incompatible";
                }

                if (Peek() is not null)
                {
                    return "unbalanced parenthesis";
                }

                foreach (var group in conditionalReferences.Where(g => g >= groupWidths.Count))
                {
                    return $"invalid group reference {group}";
                }

                return null;
            }
            catch (ParseError e)
            {
                return e.Message;
            }
        }

        private string? Peek() => Token(index, out _);

        private string? Token(int at, out int next)
        {
            next = at;
            if (at >= s.Length)
            {
                return null;
            }

            if (s[at] == '\\')
            {
                if (at + 1 >= s.Length)
                {
                    throw new ParseError("bad escape (end of pattern)");
                }

                next = at + 2;
                return Text(s, at, at + 2);
            }

            next = at + 1;
            return Text(s, at, at + 1);
        }

        private string? Get()
        {
            var token = Token(index, out var next);
            index = next;
            return token;
        }

        private bool Match(string token)
        {
            if (Peek() == token)
            {
                Get();
                return true;
            }

            return false;
        }

        private string GetWhile(int n, Func<int, bool> charset)
        {
            var result = new StringBuilder();
            for (var i = 0; i < n; i++)
            {
                var token = Peek();
                if (token is null || token.Length != 1 || !charset(token[0]))
                {
                    break;
                }

                result.Append(token);
                Get();
            }

            return result.ToString();
        }

        private string GetUntil(string terminator, string name)
        {
            var result = new StringBuilder();
            while (true)
            {
                var c = Get();
                if (c is null)
                {
                    throw new ParseError(result.Length == 0 ? "missing " + name : $"missing {terminator}, unterminated name");
                }

                if (c == terminator)
                {
                    if (result.Length == 0)
                    {
                        throw new ParseError("missing " + name);
                    }

                    break;
                }

                result.Append(c);
            }

            return result.ToString();
        }

        private static bool IsIdentifier(string name)
        {
            if (name.Length == 0)
            {
                return false;
            }

            var first = true;
            foreach (var rune in name.EnumerateRunes())
            {
                var category = Rune.GetUnicodeCategory(rune);
                var start = rune.Value == '_' || category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
                    or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
                    or UnicodeCategory.LetterNumber;
                var cont = start || category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
                    or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation;
                if (first ? !start : !cont)
                {
                    return false;
                }

                first = false;
            }

            return true;
        }

        private static void CheckGroupName(string name)
        {
            if (!IsIdentifier(name))
            {
                throw new ParseError($"bad character in group name '{name}'");
            }
        }

        private bool CheckGroup(int gid) => gid < groupWidths.Count && groupWidths[gid] is not null;

        private void CheckLookbehindGroup(int gid)
        {
            if (lookbehindGroups is { } limit)
            {
                if (!CheckGroup(gid))
                {
                    throw new ParseError("cannot refer to an open group");
                }

                if (gid >= limit)
                {
                    throw new ParseError("cannot refer to group defined in the same lookbehind subpattern");
                }
            }
        }

        private static long Add(long a, long b) => Math.Min(a + b, Saturated);

        private static long Multiply(long a, long b) => a == 0 || b == 0 ? 0 : (a > Saturated / b ? Saturated : a * b);

        private static (long Lo, long Hi) Cap((long Lo, long Hi) width) => (Math.Min(width.Lo, MaxRepeat - 1), Math.Min(width.Hi, MaxRepeat));

        private (long Lo, long Hi) ParseSub(bool verbose, int nested)
        {
            (long Lo, long Hi)? width = null;
            var items = 0;
            while (true)
            {
                var item = ParseSequence(verbose, nested + 1, nested == 0 && items == 0);
                items++;
                width = width is null ? item : (Math.Min(width.Value.Lo, item.Lo), Math.Max(width.Value.Hi, item.Hi));
                if (!Match("|"))
                {
                    break;
                }

                if (nested == 0)
                {
                    verbose = (flags & FlagVerbose) != 0;
                }
            }

            return Cap(width!.Value);
        }

        private (long Lo, long Hi) ParseSequence(bool verbose, int nested, bool first)
        {
            var items = new List<Item>();
            while (true)
            {
                var token = Peek();
                if (token is null || token is "|" or ")")
                {
                    break;
                }

                Get();
                if (verbose)
                {
                    if (token is " " or "\t" or "\n" or "\r" or "\v" or "\f")
                    {
                        continue;
                    }

                    if (token == "#")
                    {
                        while (Get() is { } skipped && skipped != "\n")
                        {
                        }

                        continue;
                    }
                }

                if (token[0] == '\\')
                {
                    items.Add(Escape(token));
                }
                else if (token == "[")
                {
                    CharacterSet();
                    items.Add(new Item(ItemKind.Unit, 1, 1));
                }
                else if (token is "*" or "+" or "?" or "{")
                {
                    long min, max;
                    if (token == "?")
                    {
                        (min, max) = (0, 1);
                    }
                    else if (token == "*")
                    {
                        (min, max) = (0, MaxRepeat);
                    }
                    else if (token == "+")
                    {
                        (min, max) = (1, MaxRepeat);
                    }
                    else
                    {
                        if (Peek() == "}")
                        {
                            items.Add(new Item(ItemKind.Unit, 1, 1));
                            continue;
                        }

                        var here = index;
                        var lo = GetWhile(int.MaxValue, IsAsciiDigit);
                        var hi = lo;
                        if (Match(","))
                        {
                            hi = GetWhile(int.MaxValue, IsAsciiDigit);
                        }

                        if (!Match("}"))
                        {
                            items.Add(new Item(ItemKind.Unit, 1, 1));
                            index = here;
                            continue;
                        }

                        (min, max) = (0, MaxRepeat);
                        if (lo.Length > 0)
                        {
                            min = ParseCount(lo);
                        }

                        if (hi.Length > 0)
                        {
                            max = ParseCount(hi);
                            if (max < min)
                            {
                                throw new ParseError("min repeat greater than max repeat");
                            }
                        }
                    }

                    if (items.Count == 0 || items[^1].Kind == ItemKind.At)
                    {
                        throw new ParseError("nothing to repeat");
                    }

                    if (items[^1].Kind == ItemKind.Repeat)
                    {
                        throw new ParseError("multiple repeat");
                    }

                    if (!Match("?"))
                    {
                        Match("+");
                    }

                    var repeated = items[^1];
                    items[^1] = new Item(ItemKind.Repeat, Multiply(repeated.Lo, min), Multiply(repeated.Hi, max));
                }
                else if (token == ".")
                {
                    items.Add(new Item(ItemKind.Unit, 1, 1));
                }
                else if (token == "(")
                {
                    var (item, globalFlags) = Group(verbose, nested, first && items.Count == 0, items);
                    if (item is { } added)
                    {
                        items.Add(added);
                    }

                    if (globalFlags)
                    {
                        verbose = (flags & FlagVerbose) != 0;
                    }
                }
                else if (token is "^" or "$")
                {
                    items.Add(new Item(ItemKind.At, 0, 0));
                }
                else
                {
                    items.Add(new Item(ItemKind.Unit, 1, 1));
                }
            }

            long totalLo = 0, totalHi = 0;
            foreach (var item in items)
            {
                totalLo = Add(totalLo, item.Lo);
                totalHi = Add(totalHi, item.Hi);
            }

            return Cap((totalLo, totalHi));
        }

        private static long ParseCount(string digits)
        {
            if (digits.Length > 12 || long.Parse(digits, CultureInfo.InvariantCulture) >= MaxRepeat)
            {
                throw new ParseError("the repetition number is too large");
            }

            return long.Parse(digits, CultureInfo.InvariantCulture);
        }

        /// <summary>After <c>(</c>: the item to append (null for comments and global flags), and whether global flags were set.</summary>
        private (Item? Item, bool GlobalFlags) Group(bool verbose, int nested, bool atStart, List<Item> items)
        {
            var capture = true;
            string? name = null;
            var addFlags = 0;
            var delFlags = 0;
            if (Match("?"))
            {
                var c = Get() ?? throw new ParseError("unexpected end of pattern");
                if (c == "P")
                {
                    if (Match("<"))
                    {
                        name = GetUntil(">", "group name");
                        CheckGroupName(name);
                    }
                    else if (Match("="))
                    {
                        var reference = GetUntil(")", "group name");
                        CheckGroupName(reference);
                        if (!groupNames.TryGetValue(reference, out var gid))
                        {
                            throw new ParseError($"unknown group name '{reference}'");
                        }

                        if (!CheckGroup(gid))
                        {
                            throw new ParseError("cannot refer to an open group");
                        }

                        CheckLookbehindGroup(gid);
                        var w = groupWidths[gid]!.Value;
                        return (new Item(ItemKind.Unit, w.Lo, w.Hi), false);
                    }
                    else
                    {
                        var next = Get() ?? throw new ParseError("unexpected end of pattern");
                        throw new ParseError("unknown extension ?P" + next);
                    }
                }
                else if (c == ":")
                {
                    capture = false;
                }
                else if (c == "#")
                {
                    while (true)
                    {
                        if (Peek() is null)
                        {
                            throw new ParseError("missing ), unterminated comment");
                        }

                        if (Get() == ")")
                        {
                            return (null, false);
                        }
                    }
                }
                else if (c is "=" or "!" or "<")
                {
                    var behind = false;
                    int? saved = null;
                    if (c == "<")
                    {
                        var kind = Get() ?? throw new ParseError("unexpected end of pattern");
                        if (kind is not ("=" or "!"))
                        {
                            throw new ParseError("unknown extension ?<" + kind);
                        }

                        behind = true;
                        saved = lookbehindGroups;
                        lookbehindGroups ??= groupWidths.Count;
                    }

                    var width = ParseSub(verbose, nested + 1);
                    if (behind && saved is null)
                    {
                        lookbehindGroups = null;
                    }

                    if (!Match(")"))
                    {
                        throw new ParseError("missing ), unterminated subpattern");
                    }

                    if (behind && width.Lo != width.Hi)
                    {
                        throw new ParseError("look-behind requires fixed-width pattern");
                    }

                    return (new Item(ItemKind.Other, 0, 0), false);
                }
                else if (c == "(")
                {
                    var condition = GetUntil(")", "group name");
                    int group;
                    if (IsIdentifier(condition))
                    {
                        if (!groupNames.TryGetValue(condition, out group))
                        {
                            throw new ParseError($"unknown group name '{condition}'");
                        }
                    }
                    else
                    {
                        if (!condition.All(IsAsciiDigitChar) || condition.Length > 9)
                        {
                            throw new ParseError($"bad character in group name '{condition}'");
                        }

                        group = int.Parse(condition, CultureInfo.InvariantCulture);
                        if (group == 0)
                        {
                            throw new ParseError("bad group number");
                        }

                        conditionalReferences.Add(group);
                    }

                    CheckLookbehindGroup(group);
                    var yes = ParseSequence(verbose, nested + 1, first: false);
                    (long Lo, long Hi) width = (0, yes.Hi);
                    if (Match("|"))
                    {
                        var no = ParseSequence(verbose, nested + 1, first: false);
                        if (Peek() == "|")
                        {
                            throw new ParseError("conditional backref with more than two branches");
                        }

                        width = (Math.Min(yes.Lo, no.Lo), Math.Max(yes.Hi, no.Hi));
                    }

                    if (!Match(")"))
                    {
                        throw new ParseError("missing ), unterminated subpattern");
                    }

                    return (new Item(ItemKind.Other, width.Lo, width.Hi), false);
                }
                else if (c == ">")
                {
                    capture = false;
                }
                else if ((c.Length == 1 && Flags.ContainsKey(c[0])) || c == "-")
                {
                    var parsed = ParseFlags(c);
                    if (parsed is null)
                    {
                        if (!atStart || items.Count > 0)
                        {
                            throw new ParseError("global flags not at the start of the expression");
                        }

                        return (null, true);
                    }

                    (addFlags, delFlags) = parsed.Value;
                    capture = false;
                }
                else
                {
                    throw new ParseError("unknown extension ?" + c);
                }
            }

            var gidOpened = -1;
            if (capture)
            {
                gidOpened = groupWidths.Count;
                groupWidths.Add(null);
                if (name is not null)
                {
                    if (groupNames.ContainsKey(name))
                    {
                        throw new ParseError($"redefinition of group name '{name}' as group {gidOpened}; was group {groupNames[name]}");
                    }

                    groupNames[name] = gidOpened;
                }
            }

            var subVerbose = (verbose || (addFlags & FlagVerbose) != 0) && (delFlags & FlagVerbose) == 0;
            var content = ParseSub(subVerbose, nested + 1);
            if (!Match(")"))
            {
                throw new ParseError("missing ), unterminated subpattern");
            }

            if (gidOpened >= 0)
            {
                groupWidths[gidOpened] = content;
            }

            return (new Item(ItemKind.Group, content.Lo, content.Hi), false);
        }

        private static bool IsAsciiDigitChar(char c) => c is >= '0' and <= '9';

        /// <summary><c>re._parser._parse_flags</c>: null for global flags <c>(?x)</c>, else the scoped flags turned on and off.</summary>
        private (int Add, int Del)? ParseFlags(string c)
        {
            var add = 0;
            var del = 0;
            if (c != "-")
            {
                while (true)
                {
                    var flag = Flags[c[0]];
                    if (c == "L")
                    {
                        throw new ParseError("bad inline flags: cannot use 'L' flag with a str pattern");
                    }

                    add |= flag;
                    if ((flag & TypeFlags) != 0 && (add & TypeFlags) != flag)
                    {
                        throw new ParseError("bad inline flags: flags 'a', 'u' and 'L' are incompatible");
                    }

                    c = Get() ?? throw new ParseError("missing -, : or )");
                    if (c is ")" or "-" or ":")
                    {
                        break;
                    }

                    if (c.Length != 1 || !Flags.ContainsKey(c[0]))
                    {
                        throw new ParseError(c.Length == 1 && char.IsLetter(c[0]) ? "unknown flag" : "missing -, : or )");
                    }
                }
            }

            if (c == ")")
            {
                flags |= add;
                return null;
            }

            if ((add & FlagTemplate) != 0)
            {
                throw new ParseError("bad inline flags: cannot turn on global flag");
            }

            if (c == "-")
            {
                c = Get() ?? throw new ParseError("missing flag");
                if (c.Length != 1 || !Flags.ContainsKey(c[0]))
                {
                    throw new ParseError(c.Length == 1 && char.IsLetter(c[0]) ? "unknown flag" : "missing flag");
                }

                while (true)
                {
                    var flag = Flags[c[0]];
                    if ((flag & TypeFlags) != 0)
                    {
                        throw new ParseError("bad inline flags: cannot turn off flags 'a', 'u' and 'L'");
                    }

                    del |= flag;
                    c = Get() ?? throw new ParseError("missing :");
                    if (c == ":")
                    {
                        break;
                    }

                    if (c.Length != 1 || !Flags.ContainsKey(c[0]))
                    {
                        throw new ParseError(c.Length == 1 && char.IsLetter(c[0]) ? "unknown flag" : "missing :");
                    }
                }
            }

            if ((del & FlagTemplate) != 0)
            {
                throw new ParseError("bad inline flags: cannot turn off global flag");
            }

            if ((add & del) != 0)
            {
                throw new ParseError("bad inline flags: flag turned on and off");
            }

            return (add, del);
        }

        /// <summary>An escape outside a set (<c>re._parser._escape</c>).</summary>
        private Item Escape(string escape)
        {
            var c = escape[1];
            switch (c)
            {
                case 'A' or 'b' or 'B' or 'Z':
                    return new Item(ItemKind.At, 0, 0);
                case 'd' or 'D' or 's' or 'S' or 'w' or 'W' or 'a' or 'f' or 'n' or 'r' or 't' or 'v' or '\\':
                    return new Item(ItemKind.Unit, 1, 1);
            }

            if (UnicodeEscape(escape))
            {
                return new Item(ItemKind.Unit, 1, 1);
            }

            if (c == '0')
            {
                GetWhile(2, IsOctal);
                return new Item(ItemKind.Unit, 1, 1);
            }

            if (IsAsciiDigit(c))
            {
                var digits = escape[1..];
                if (Peek() is { Length: 1 } next && IsAsciiDigit(next[0]))
                {
                    digits += Get();
                    if (IsOctal(digits[0]) && IsOctal(digits[1]) && Peek() is { Length: 1 } third && IsOctal(third[0]))
                    {
                        digits += Get();
                        if (Convert.ToInt32(digits, 8) > 0xFF)
                        {
                            throw new ParseError($"octal escape value \\{digits} outside of range 0-0o377");
                        }

                        return new Item(ItemKind.Unit, 1, 1);
                    }
                }

                var group = int.Parse(digits, CultureInfo.InvariantCulture);
                if (group < groupWidths.Count)
                {
                    if (!CheckGroup(group))
                    {
                        throw new ParseError("cannot refer to an open group");
                    }

                    CheckLookbehindGroup(group);
                    var w = groupWidths[group]!.Value;
                    return new Item(ItemKind.Unit, w.Lo, w.Hi);
                }

                throw new ParseError($"invalid group reference {group}");
            }

            if (escape.Length == 2 && char.IsAscii(c) && char.IsLetter(c))
            {
                throw new ParseError("bad escape " + escape);
            }

            return new Item(ItemKind.Unit, 1, 1);
        }

        /// <summary><c>\x</c>, <c>\u</c>, <c>\U</c> and <c>\N{name}</c>; false when <paramref name="escape"/> is none of them.</summary>
        private bool UnicodeEscape(string escape)
        {
            var c = escape[1];
            var digits = c switch
            {
                'x' => 2,
                'u' => 4,
                'U' => 8,
                _ => 0,
            };
            if (digits > 0)
            {
                var hex = GetWhile(digits, IsHex);
                if (hex.Length != digits)
                {
                    throw new ParseError($"incomplete escape {escape}{hex}");
                }

                if (c == 'U' && long.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture) > 0x10FFFF)
                {
                    throw new ParseError($"bad escape {escape}{hex}");
                }

                return true;
            }

            if (c == 'N')
            {
                if (!Match("{"))
                {
                    throw new ParseError("missing {");
                }

                // The name is looked up in Unicode's character names, which .NET does not have: any name passes.
                GetUntil("}", "character name");
                return true;
            }

            return false;
        }

        /// <summary>A set <c>[...]</c> (<c>re._parser._parse</c>, the <c>[</c> branch).</summary>
        private void CharacterSet()
        {
            var count = 0;
            Match("^");
            while (true)
            {
                var token = Get() ?? throw new ParseError("unterminated character set");
                if (token == "]" && count > 0)
                {
                    break;
                }

                var loIsLiteral = true;
                var lo = 0;
                if (token[0] == '\\')
                {
                    (loIsLiteral, lo) = ClassEscape(token);
                }
                else
                {
                    lo = char.ConvertToUtf32(token, 0);
                }

                if (Match("-"))
                {
                    var that = Get() ?? throw new ParseError("unterminated character set");
                    if (that == "]")
                    {
                        count += 2;
                        break;
                    }

                    var hiIsLiteral = true;
                    int hi;
                    if (that[0] == '\\')
                    {
                        (hiIsLiteral, hi) = ClassEscape(that);
                    }
                    else
                    {
                        hi = char.ConvertToUtf32(that, 0);
                    }

                    if (!loIsLiteral || !hiIsLiteral || hi < lo)
                    {
                        throw new ParseError($"bad character range {token}-{that}");
                    }
                }

                count++;
            }
        }

        /// <summary>An escape inside a set (<c>re._parser._class_escape</c>): whether it is one character, and which.</summary>
        private (bool IsLiteral, int Rune) ClassEscape(string escape)
        {
            var c = escape[1];
            switch (c)
            {
                case 'd' or 'D' or 's' or 'S' or 'w' or 'W':
                    return (false, 0);
                case 'a':
                    return (true, 7);
                case 'b':
                    return (true, 8);
                case 'f':
                    return (true, '\f');
                case 'n':
                    return (true, '\n');
                case 'r':
                    return (true, '\r');
                case 't':
                    return (true, '\t');
                case 'v':
                    return (true, '\v');
                case '\\':
                    return (true, '\\');
            }

            if (c is 'x' or 'u' or 'U')
            {
                var digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
                var hex = GetWhile(digits, IsHex);
                if (hex.Length != digits)
                {
                    throw new ParseError($"incomplete escape {escape}{hex}");
                }

                var value = long.Parse(hex, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (value > 0x10FFFF)
                {
                    throw new ParseError($"bad escape {escape}{hex}");
                }

                return (true, (int)value);
            }

            if (c == 'N')
            {
                UnicodeEscape(escape);
                return (true, 0);
            }

            if (IsOctal(c))
            {
                var digits = c + GetWhile(2, IsOctal);
                var value = Convert.ToInt32(digits, 8);
                if (value > 0xFF)
                {
                    throw new ParseError($"octal escape value \\{digits} outside of range 0-0o377");
                }

                return (true, value);
            }

            if (IsAsciiDigit(c) || (char.IsAscii(c) && char.IsLetter(c)))
            {
                throw new ParseError("bad escape " + escape);
            }

            return (true, char.ConvertToUtf32(escape, 1));
        }
    }
}
