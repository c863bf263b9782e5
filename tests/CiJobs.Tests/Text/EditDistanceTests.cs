using CiJobs.Core.Text;
using FluentAssertions;
using FsCheck.Xunit;
using Xunit;

namespace CiJobs.Tests.Text;

public class EditDistanceTests
{
    [Theory]
    [InlineData("", "", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("abc", "", 3)]
    [InlineData("nova", "nova", 0)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("flaw", "lawn", 2)]
    [InlineData("nova", "Nova", 1)]
    [InlineData("python-novaclient", "python-novclient", 1)]
    [InlineData("branches", "branch", 2)]
    [InlineData("abc", "xyz", 3)]
    public void Known_distances(string a, string b, int expected) =>
        EditDistance.Between(a, b).Should().Be(expected);

    [Property(MaxTest = 500)]
    public bool Is_symmetric(string a, string b)
    {
        a ??= "";
        b ??= "";
        return EditDistance.Between(a, b) == EditDistance.Between(b, a);
    }

    [Property(MaxTest = 500)]
    public bool Lies_between_the_length_difference_and_the_longer_length_and_is_zero_only_for_equal_strings(string a, string b)
    {
        a ??= "";
        b ??= "";
        var distance = EditDistance.Between(a, b);
        return distance >= Math.Abs(a.Length - b.Length)
            && distance <= Math.Max(a.Length, b.Length)
            && (distance == 0) == (a == b);
    }

    [Property(MaxTest = 300)]
    public bool Obeys_the_triangle_inequality(string a, string b, string c)
    {
        a ??= "";
        b ??= "";
        c ??= "";
        return EditDistance.Between(a, c) <= EditDistance.Between(a, b) + EditDistance.Between(b, c);
    }

    [Theory]
    [InlineData("ab", 2)]
    [InlineData("nova", 2)]
    [InlineData("python-novaclient", 5)]
    public void Limit_is_a_third_of_the_length_and_at_least_two(string wanted, int expected) =>
        EditDistance.Limit(wanted).Should().Be(expected);

    [Fact]
    public void Closest_keeps_names_within_the_limit_closest_first_and_ties_in_input_order()
    {
        EditDistance.Closest("branch", ["files", "branches", "brunch", "tags", "branch", "bramch"])
            .Should().Equal("branch", "brunch", "bramch", "branches");
    }

    [Fact]
    public void Closest_of_nothing_close_is_empty() =>
        EditDistance.Closest("nova", ["keystone", "glance"]).Should().BeEmpty();
}
