using System.Net;
using System.Text.RegularExpressions;
using Pitts.Lab.Services;

namespace Pitts.Lab.Tests;

/// <summary>
/// What a new user sees on first opening a page, before touching anything (the prerendered HTML).
/// The TeX a page hands to KaTeX is the TeX its author wrote: no control characters. A formula written with
/// escapes in a non-verbatim string (or pasted through a tool that read them) turns <c>\text</c>, <c>\theta</c> and
/// <c>\tfrac</c> into a tab and <c>\nabla</c> into a newline; KaTeX then prints "ext{for each epoch:}" and "abla"
/// without an error, so only the source shows it.
/// </summary>
[Collection("lab")]
public sealed partial class FirstLookTests(LabFixture lab)
{
    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string> { "/" };
        foreach (var c in Chapters.Ready) data.Add(c.Href);
        return data;
    }

    [GeneratedRegex("data-tex=\"([^\"]*)\"")]
    private static partial Regex DataTex();

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task FormulasHaveNoControlCharacters(string path)
    {
        using var http = new HttpClient();
        string html = await http.GetStringAsync(lab.BaseUrl + path);
        foreach (Match m in DataTex().Matches(html))
        {
            string tex = WebUtility.HtmlDecode(m.Groups[1].Value);
            int bad = tex.IndexOfAny([.. Enumerable.Range(0, 32).Select(i => (char)i)]);
            Assert.True(bad < 0, $"{path}: formula has control character U+{(bad < 0 ? 0 : tex[bad]):X4} at {bad}: {tex}");
        }
    }

    [Theory]
    [InlineData("/training", "epoch 0 of 5000")]
    [InlineData("/overfitting", "epoch 0 of ")]
    public async Task TrainingPagesShowNoLossBeforeTraining(string path, string start)
    {
        // Before the first epoch there is no loss; "loss NaN" read as if training had already failed.
        using var http = new HttpClient();
        string html = await http.GetStringAsync(lab.BaseUrl + path);
        var status = Regex.Match(html, "data-testid=\"train-status\"[^>]*>([^<]*)<");
        Assert.True(status.Success, "no train-status element");
        string text = WebUtility.HtmlDecode(status.Groups[1].Value);
        Assert.StartsWith(start, text);
        Assert.DoesNotContain("NaN", text);
    }
}
