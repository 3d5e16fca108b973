using Pitts.Lab.Services;

namespace Pitts.Lab.Tests;

/// <summary>
/// What a new user sees on first opening a page, before touching anything (the page as Chromium renders it).
/// The TeX a page hands to KaTeX is the TeX its author wrote: no control characters. A formula written with
/// escapes in a non-verbatim string (or pasted through a tool that read them) turns <c>\text</c>, <c>\theta</c> and
/// <c>\tfrac</c> into a tab and <c>\nabla</c> into a newline; KaTeX then prints "ext{for each epoch:}" and "abla"
/// without an error, so only the source shows it.
/// </summary>
[Collection("lab")]
public sealed class FirstLookTests(LabFixture lab)
{
    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string> { "/" };
        foreach (var c in Chapters.Ready) data.Add(c.Href);
        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task FormulasHaveNoControlCharactersAndLinksFollowTheBase(string path)
    {
        await using var p = await lab.OpenAsync(path);
        await p.WaitInteractiveAsync();
        string[] formulas = await p.Page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('[data-tex]')].map(e => e.getAttribute('data-tex'))");
        if (path is not "/" and not "/zoo") Assert.NotEmpty(formulas);   // every chapter shows its formula (the zoo is a list)
        // A class may host the lab in a sub-folder (<base href="/REPO/">): every link inside the lab is relative to the base.
        string[] absolute = await p.Page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')).filter(h => h.startsWith('/'))");
        Assert.True(absolute.Length == 0, $"{path}: links that ignore <base href>: {string.Join(", ", absolute)}");
        foreach (string tex in formulas)
        {
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
        await using var p = await lab.OpenAsync(path);
        await p.WaitInteractiveAsync();
        string text = await p.ById("train-status").InnerTextAsync();
        Assert.StartsWith(start, text);
        Assert.DoesNotContain("NaN", text);
    }
}
