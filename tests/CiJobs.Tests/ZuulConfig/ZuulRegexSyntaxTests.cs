using CiJobs.Core.ZuulConfig;

namespace CiJobs.Tests.ZuulConfig;

/// <summary>
/// The regular-expression verdicts Zuul's loader reaches: RE2 first, then Python's re to tell deprecated syntax
/// from invalid syntax. Expected values were taken from RE2 (libre2 2022-06-01 through a probe program) and CPython
/// 3.11 <c>re.compile</c> on the same patterns; <c>(?&lt;name&gt;x)</c> follows RE2 releases from 2023 on.
/// </summary>
public class ZuulRegexSyntaxTests
{
    [Theory]
    [InlineData("^stable/.*$")]
    [InlineData("(?i)^(Patch Set [0-9]+:)?( [\\w\\\\+-]*)*(\\n\\n)?\\s*recheck")]
    [InlineData("a(?i)b")]
    [InlineData("(?)")]
    [InlineData("(?U)a*")]
    [InlineData("\\z")]
    [InlineData("\\pL\\p{Greek}\\p{^Han}[\\PL]")]
    [InlineData("[[:alpha:][:^digit:]]")]
    [InlineData("[\\d-z]")]
    [InlineData("\\x{41}\\Qa.b\\E+")]
    [InlineData("(?P<n>a)(?P<n>b)")]
    [InlineData("(?<n>a)")]
    [InlineData("a{,5}{")]
    [InlineData("^*")]
    [InlineData("\\12")]
    [InlineData("(a{10}){100}")]
    [InlineData("x{01}")]
    public void Check_Re2Syntax_IsClean(string pattern) =>
        ZuulRegexSyntax.Check(pattern).Should().Be(new ZuulRegexCheck(ZuulRegexVerdict.Re2, null));

    [Theory]
    [InlineData("^(?!doc/).*$", "invalid perl operator: (?!")]
    [InlineData("(?<=ab)c", "invalid perl operator: (?<=")]
    [InlineData("\\Z", "invalid escape sequence: \\Z")]
    [InlineData("a*+", "bad repetition operator: *+")]
    [InlineData("a{2}+", "bad repetition operator: {2}+")]
    [InlineData("a{1001}", "invalid repetition size: {1001}")]
    [InlineData("((a{10}){10}){11}", "invalid repetition size: {11}")]
    [InlineData("(a{500}|b{600}){2}", "invalid repetition size: {2}")]
    [InlineData("(?x) a # comment", "invalid perl operator: (?x")]
    [InlineData("(?P<n>a)(?P=n)", "invalid perl operator: (?P")]
    [InlineData("(a)\\1", "invalid escape sequence: \\1")]
    [InlineData("\\u0041", "invalid escape sequence: \\u")]
    [InlineData("\\N{EM DASH}", "invalid escape sequence: \\N")]
    [InlineData("[\\b]", "invalid escape sequence: \\b")]
    [InlineData("[[:foo:]]", "invalid character class range: [:foo:]")]
    [InlineData("(?#comment)abc", "invalid perl operator: (?#")]
    [InlineData("(?>abc)", "invalid perl operator: (?>")]
    [InlineData("(a)(?(1)a|b)", "invalid perl operator: (?(")]
    [InlineData("(?<=a|b)d", "invalid perl operator: (?<=")]
    public void Check_PythonOnlySyntax_IsDeprecatedWithRe2sMessage(string pattern, string re2Message) =>
        ZuulRegexSyntax.Check(pattern).Should().Be(new ZuulRegexCheck(ZuulRegexVerdict.PythonOnly, re2Message));

    [Theory]
    [InlineData("(abc", "missing ), unterminated subpattern")]
    [InlineData("abc)", "unbalanced parenthesis")]
    [InlineData("[z-a]", "bad character range z-a")]
    [InlineData("a**", "multiple repeat")]
    [InlineData("a{2}*", "multiple repeat")]
    [InlineData("a{2,1}", "min repeat greater than max repeat")]
    [InlineData("*a", "nothing to repeat")]
    [InlineData("{2}", "nothing to repeat")]
    [InlineData("(?-)", "missing flag")]
    [InlineData("(?L)x", "bad inline flags: cannot use 'L' flag with a str pattern")]
    [InlineData("(?'n'a)", "unknown extension ?'")]
    [InlineData("(?P<>a)", "missing group name")]
    [InlineData("\\1(a)", "invalid group reference 1")]
    [InlineData("(a\\1)", "cannot refer to an open group")]
    [InlineData("\\8", "invalid group reference 8")]
    [InlineData("\\x4", "incomplete escape \\x4")]
    [InlineData("\\U00110000", "bad escape \\U00110000")]
    [InlineData("\\q", "bad escape \\q")]
    [InlineData("\\p{Foo}", "bad escape \\p")]
    [InlineData("[\\8]", "bad escape \\8")]
    [InlineData("[a-\\d]", "bad character range a-\\d")]
    [InlineData("[]", "unterminated character set")]
    [InlineData("(?#unterminated", "missing ), unterminated comment")]
    [InlineData("(?(1)a|b)", "invalid group reference 1")]
    [InlineData("(a)(?(1)a|b|c)", "conditional backref with more than two branches")]
    [InlineData("(?<=a+)c", "look-behind requires fixed-width pattern")]
    [InlineData("(?<=a|bc)d", "look-behind requires fixed-width pattern")]
    [InlineData("abc\\", "bad escape (end of pattern)")]
    [InlineData("(?i)*", "nothing to repeat")]
    public void Check_NeitherEngine_IsInvalidWithPythonsMessage(string pattern, string pythonMessage) =>
        ZuulRegexSyntax.Check(pattern).Should().Be(new ZuulRegexCheck(ZuulRegexVerdict.Invalid, pythonMessage));
}
