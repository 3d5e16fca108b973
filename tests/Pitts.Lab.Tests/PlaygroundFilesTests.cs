using System.Globalization;
using System.Text;
using Pitts.IO;
using Pitts.Lab.Services;
using Microsoft.Playwright;
using Pitts.Lab.Widgets;
using static Microsoft.Playwright.Assertions;

namespace Pitts.Lab.Tests;

/// <summary>
/// The playground's files, in process: a CSV file the reader loads (PlaygroundCsv over the library's Csv.ParseLabeled and
/// the recipe's CsvPoints), the mini-batch stepping the page uses against the recipe's own epoch loop, and the weights it
/// downloads (safetensors) loaded back by the library.
/// </summary>
public sealed class PlaygroundFilesTests
{
    /// <summary>
    /// Two well-separated groups, cats (small) and dogs (large), in raw units far from the playground's square, written as a
    /// spreadsheet in a decimal-comma locale writes them: a header, ';' and "12,5".
    /// </summary>
    public static string Animals(int rows = 120)
    {
        var g = new Generator(7);
        var sb = new StringBuilder("height;weight;species\n");
        for (int i = 0; i < rows; i++)
        {
            bool dog = i % 2 == 1;
            double h = (dog ? 60 : 25) + 20 * (g.NextDouble() - 0.5), w = (dog ? 30 : 4) + 10 * (g.NextDouble() - 0.5);
            sb.Append(string.Create(CultureInfo.InvariantCulture, $"{h:0.00};{w:0.00};{(dog ? "dog" : "cat")}\n").Replace('.', ','));
        }
        return sb.ToString();
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void A_spreadsheet_file_with_class_names_becomes_points_on_the_square()
    {
        var csv = PlaygroundCsv.Parse("animals.csv", Utf8(Animals()));
        Assert.Equal("animals.csv", csv.FileName);
        Assert.Equal(["height", "weight"], csv.Table.Columns);
        Assert.Equal(["cat", "dog"], csv.Table.Classes);
        Assert.Equal(120, csv.Points.Count);
        // Each column's range maps onto [-5, 5]: the extremes land on the edges, and every point inside.
        Assert.Equal(-5, csv.Points.Min(p => p.X), 9);
        Assert.Equal(5, csv.Points.Max(p => p.X), 9);
        Assert.Equal(-5, csv.Points.Min(p => p.Y), 9);
        Assert.Equal(5, csv.Points.Max(p => p.Y), 9);
        // Row 2 (a dog): its scaled height from the file's own numbers.
        var (min, max) = PlaygroundRecipe.CsvRange(csv.Table, 0);
        double h = double.Parse(Animals().Split('\n')[2].Split(';')[0].Replace(',', '.'), CultureInfo.InvariantCulture);
        Assert.Equal(-5 + 10 * (h - min) / (max - min), csv.Points[1].X, 5);
        Assert.Equal(1, csv.Points[1].Label);
        Assert.Equal(0, csv.Points[0].Label);
    }

    [Theory]
    [InlineData("0,0,0\n1,1,1\n0.5,0.2,0\n", 3, "0", "1")]                       // no header, commas, 0/1
    [InlineData("\uFEFFa,b,y\r\n0,0,1\r\n1,1,2\r\n", 2, "1", "2")]              // a byte order mark, CRLF, labels 1/2
    [InlineData("x;y;label\n1,5;2;yes\n3;4,25;no\n", 2, "no", "yes")]           // semicolons, decimal commas, names
    public void Good_files_load(string text, int rows, string class0, string class1)
    {
        var csv = PlaygroundCsv.Parse("f.csv", Utf8(text));
        Assert.Equal(rows, csv.Points.Count);
        Assert.Equal([class0, class1], csv.Table.Classes);
        Assert.All(csv.Points, p => Assert.InRange(p.X, -5, 5));
    }

    [Theory]
    [InlineData("x,y\n1,0\n2,1\n", "CSV: bad.csv: 2 columns; the playground needs three: two numeric features, then the label")]
    [InlineData("a,b,c,label\n1,2,3,0\n4,5,6,1\n", "CSV: bad.csv: 4 columns; the playground needs three")]
    [InlineData("x,y,label\n1,2,0\n3,4\n", "CSV: bad.csv: line 3 has 2 fields but earlier lines have 3")]
    [InlineData("x,y,label\n1,2,0\n3,four,1\n", "CSV: bad.csv: line 3, column 2 ('y'): 'four' is not a number")]
    [InlineData("x,y,label\n1,2,cat\n3,4,cat\n", "CSV: bad.csv: the label column 'label' has 1 class (cat); the playground needs exactly two")]
    [InlineData("x,y,label\n1,2,0\n3,4,1\n5,6,2\n", "the label column 'label' has 3 classes (0, 1, 2); the playground needs exactly two")]
    [InlineData("x,y,label\n1,nan,0\n3,4,1\n", "CSV: bad.csv: data row 1, column 'y' is NaN; the playground needs finite numbers")]
    [InlineData("", "CSV: bad.csv: the file is empty")]
    [InlineData(" \n\n", "CSV: bad.csv: the file is empty")]
    [InlineData("x,y,label\n", "CSV: bad.csv: a header but no rows")]
    public void Bad_files_get_a_message_that_names_the_file_and_the_problem(string text, string message)
    {
        var e = Assert.Throws<CsvException>(() => PlaygroundCsv.Parse("bad.csv", Utf8(text)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void Too_large_files_are_refused_by_rows_and_by_bytes()
    {
        var rows = Assert.Throws<CsvException>(() => PlaygroundCsv.Parse("big.csv", Utf8(Animals(PlaygroundCsv.MaxRows + 1))));
        Assert.Contains($"1,001 rows; the playground trains in your browser on at most 1,000", rows.Message);
        Assert.Equal(PlaygroundCsv.MaxRows, PlaygroundCsv.Parse("ok.csv", Utf8(Animals(PlaygroundCsv.MaxRows))).Points.Count);
        var bytes = new byte[PlaygroundCsv.MaxBytes + 1];
        var e = Assert.Throws<CsvException>(() => PlaygroundCsv.Parse("huge.csv", bytes));
        Assert.Contains("262,145 bytes; the playground reads files of up to 256 KB", e.Message);
    }

    [Theory]
    [InlineData("animals.csv", "animals.csv")]
    [InlineData("C:\\Users\\me\\my data (1).CSV", "my_data__1_.CSV")]
    [InlineData("../../etc/passwd", "passwd.csv")]
    [InlineData("a\"b\nc.csv", "a_b_c.csv")]
    [InlineData("...", "data.csv")]
    public void File_names_become_safe_csv_paths(string name, string safe) => Assert.Equal(safe, PlaygroundCsv.SafeName(name));

    [Fact]
    public void Stepping_mini_batches_gives_the_recipes_epochs_exactly()
    {
        // Batch 7 does not divide the 150 training points: the last batch of each epoch is short.
        var s = new PlaygroundSettings { Data = "xor", Batch = 7, Epochs = 5, Seed = 3, Hidden = [3] };
        var model = new PlaygroundModel(s);
        var recipe = new PlaygroundRecipe(s);
        Assert.Equal(22, model.BatchesPerEpoch);
        for (int e = 0; e < 3; e++)
        {
            for (int b = 1; b < model.BatchesPerEpoch; b++)
            {
                Assert.False(model.StepBatch());
                Assert.Equal(b, model.BatchesDone);
            }
            Assert.True(model.StepBatch());
            Assert.Equal(0, model.BatchesDone);
            recipe.Epoch();
            Assert.Equal(e + 1, model.EpochsDone);
            foreach (var ((name, mine), (_, theirs)) in model.Net.NamedParameters().Zip(recipe.Net.NamedParameters()))
                Assert.True(mine.ToArray().SequenceEqual(theirs.ToArray()), $"{name} differs after epoch {e + 1}");
        }
        Assert.Equal(recipe.Losses().Train, model.LastLoss);
    }

    [Fact]
    public void The_weights_file_loads_back_into_the_recipes_network_and_predicts_the_same()
    {
        var csv = PlaygroundCsv.Parse("animals.csv", Utf8(Animals()));
        var s = new PlaygroundSettings { Data = "csv", CsvPath = csv.FileName, Hidden = [4, 2], Epochs = 10, Seed = 2 };
        var model = new PlaygroundModel(s, csv);
        for (int e = 0; e < 10; e++) model.Epoch();
        var file = Safetensors.Load(model.Safetensors());
        Assert.Equal(["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"], file.Tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([4, 2], file.Tensors["0.weight"].Shape);
        Assert.Equal(RecipeFiles.Describe(s), file.Metadata["settings"]);
        Assert.Equal("height,weight", file.Metadata["csv.columns"]);
        Assert.Equal("cat,dog", file.Metadata["csv.classes"]);
        Assert.Equal("10", file.Metadata["epochs"]);

        // A fresh network (other seed, so other initial weights) with the file's weights predicts what the trained one does.
        var fresh = new PlaygroundRecipe(s with { Seed = 99 }, csv.Points);
        fresh.Net.LoadStateDict(file.Tensors);
        var grid = PlaygroundModel.Grid(12);
        Assert.Equal(model.Probabilities(grid), fresh.Probabilities(grid));
        // And the raw file's rows, scaled as the metadata says, classify as well as the page reported.
        var lo = file.Metadata["csv.min"].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var hi = file.Metadata["csv.max"].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var raw = csv.Table.Features.ToArray();
        var scaled = Enumerable.Range(0, csv.Points.Count).Select(i => (-5 + 10 * (raw[2 * i] - lo[0]) / (hi[0] - lo[0]), -5 + 10 * (raw[2 * i + 1] - lo[1]) / (hi[1] - lo[1]))).ToList();
        var p = fresh.Probabilities(scaled);
        double accuracy = csv.Points.Select((q, i) => (p[i] >= 0.5 ? 1 : 0) == q.Label ? 1.0 : 0).Average();
        Assert.True(accuracy > 0.95, $"accuracy {accuracy} on two well-separated groups");
    }
}

/// <summary>
/// The playground's files in the browser: a CSV file loaded through the page trains the model and a bad one gets a message;
/// the weights it downloads load back in the library and predict what the page shows; the recipe it downloads holds the
/// page's settings and, run on its own beside the CSV file, prints the page's numbers.
/// </summary>
[Collection("lab")]
public sealed class PlaygroundFilesPageTests(LabFixture lab, Xunit.Abstractions.ITestOutputHelper output)
{
    private const string Run = "/playground?hidden=4,2&epochs=30&seed=2&lr=0.03&batch=10";

    private static double Number(string text) => double.Parse(text.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static FilePayload File(string name, string text) => new() { Name = name, MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(text) };

    private static async Task<LabPage> TrainOnAnimals(LabFixture lab)
    {
        var p = await lab.OpenAsync(Run);
        await p.ById("csv-file").SetInputFilesAsync(File("animals.csv", PlaygroundFilesTests.Animals()));
        await Expect(p.ById("csv-info")).ToContainTextAsync("Training on animals.csv: 120 rows");
        await Expect(p.ById("data")).ToHaveValueAsync("csv");
        await p.ById("run").ClickAsync();
        await Expect(p.ById("train-status")).ToHaveTextAsync("epoch 30 of 30", new() { Timeout = 60000 });
        return p;
    }

    private static PlaygroundSettings Settings => new() { Data = "csv", CsvPath = "animals.csv", Hidden = [4, 2], Epochs = 30, Seed = 2 };

    [Fact]
    public async Task A_CSV_file_trains_the_network_and_the_link_says_a_file_is_in_use()
    {
        await using var p = await TrainOnAnimals(lab);
        await Expect(p.ById("csv-info")).ToContainTextAsync("x₁ is height and x₂ weight");
        await Expect(p.ById("csv-info")).ToContainTextAsync("cat (0, orange) and dog (1, blue)");
        await Expect(p.ById("csv-info")).ToContainTextAsync("the link records only that a CSV file");
        // Two well-separated groups: the test points are classified (almost) all right.
        double acc = Number(await p.ById("test-acc").InnerTextAsync());
        Assert.True(acc >= 95, $"test accuracy {acc}%");
        await p.WaitForUrlAsync(u => u.Contains("data=csv") && u.Contains("csv=animals.csv"));
        await Expect(p.ById("recipe-settings")).ToHaveTextAsync(RecipeFiles.Describe(Settings));

        // The link alone cannot bring the file back: it says so and shows the circle.
        await using var q = await lab.OpenAsync(p.Page.Url);
        await Expect(q.Page.GetByText("This link trained on a CSV file (animals.csv) that a link cannot carry")).ToBeVisibleAsync();
        await Expect(q.ById("data")).ToHaveValueAsync("circle");
        Assert.Empty(p.Errors);
        Assert.Empty(q.Errors);
    }

    [Fact]
    public async Task Bad_CSV_files_get_a_message_and_the_page_keeps_working()
    {
        await using var p = await lab.OpenAsync(Run);
        var cases = new (FilePayload File, string Message)[]
        {
            (File("two.csv", "x,y\n1,0\n2,1\n"), "CSV: two.csv: 2 columns; the playground needs three: two numeric features, then the label"),
            (File("words.csv", "x,y,label\n1,2,0\n3,four,1\n"), "CSV: words.csv: line 3, column 2 ('y'): 'four' is not a number"),
            (File("one.csv", "x,y,label\n1,2,cat\n3,4,cat\n"), "CSV: one.csv: the label column 'label' has 1 class (cat); the playground needs exactly two"),
            (File("empty.csv", ""), "CSV: empty.csv: the file is empty"),
            (File("rows.csv", PlaygroundFilesTests.Animals(PlaygroundCsv.MaxRows + 1)), "CSV: rows.csv: 1,001 rows; the playground trains in your browser on at most 1,000"),
            (new FilePayload { Name = "huge.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("1,2,0\n", 50000))) },
                "CSV: huge.csv: 300,000 bytes; the playground reads files of up to 256 KB (1,000 rows)"),
        };
        foreach (var (file, message) in cases)
        {
            await p.ById("csv-file").SetInputFilesAsync(file);
            await Expect(p.ById("csv-message")).ToHaveTextAsync(message);
            await Expect(p.ById("data")).ToHaveValueAsync("circle");
        }
        // The page still trains on what it had.
        await p.ById("run").ClickAsync();
        await Expect(p.ById("train-status")).ToHaveTextAsync("epoch 30 of 30", new() { Timeout = 60000 });
        // A good file clears the message.
        await p.ById("csv-file").SetInputFilesAsync(File("ok.csv", "0,0,0\n1,1,1\n0,1,0\n1,0,1\n"));
        await Expect(p.ById("csv-info")).ToContainTextAsync("Training on ok.csv: 4 rows");
        await Expect(p.ById("csv-message")).ToHaveCountAsync(0);
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task The_downloaded_weights_load_in_the_library_and_predict_what_the_page_shows()
    {
        await using var p = await TrainOnAnimals(lab);
        var download = await p.Page.RunAndWaitForDownloadAsync(() => p.ById("download-weights").ClickAsync());
        Assert.Equal("animals.safetensors", download.SuggestedFilename);
        string path = await download.PathAsync() ?? throw new InvalidOperationException("no download");
        var file = Safetensors.Load(path);
        Assert.Equal(RecipeFiles.Describe(Settings), file.Metadata["settings"]);
        Assert.Equal("30", file.Metadata["epochs"]);

        // The recipe's network, built here (natively) for the page's settings and file, with the downloaded weights: its losses
        // and accuracy are the page's, to the digits the page shows.
        var csv = PlaygroundCsv.Parse("animals.csv", Encoding.UTF8.GetBytes(PlaygroundFilesTests.Animals()));
        var recipe = new PlaygroundRecipe(Settings, csv.Points);
        recipe.Net.LoadStateDict(file.Tensors);
        var (train, test) = recipe.Losses();
        output.WriteLine($"page: training {await p.ById("train-loss").InnerTextAsync()}, test {await p.ById("test-loss").InnerTextAsync()}, "
            + $"accuracy {await p.ById("test-acc").InnerTextAsync()}; library: {train:0.0000}, {test:0.0000}, {100 * recipe.Accuracy(test: true):0.0}%");
        Assert.Equal(Num.Fixed(train, 3), await p.ById("train-loss").InnerTextAsync());
        Assert.Equal(Num.Fixed(test, 3), await p.ById("test-loss").InnerTextAsync());
        Assert.Equal(Num.F(100 * recipe.Accuracy(test: true), 1) + "%", await p.ById("test-acc").InnerTextAsync());
        Assert.Empty(p.Errors);
    }

    [Fact]
    public async Task The_downloaded_recipe_holds_the_pages_settings_and_reproduces_the_run_beside_the_CSV_file()
    {
        await using var p = await TrainOnAnimals(lab);
        await p.Page.Locator("[data-testid=show-code] summary").ClickAsync();
        var download = await p.Page.RunAndWaitForDownloadAsync(() => p.ById("download-recipe").ClickAsync());
        Assert.Equal("playground.recipe.cs", download.SuggestedFilename);
        string text = await System.IO.File.ReadAllTextAsync(await download.PathAsync() ?? throw new InvalidOperationException("no download"));
        Assert.Equal(RecipeFiles.WithSettings("playground", Settings), text);
        Assert.Contains("\nvar settings = " + RecipeFiles.Describe(Settings) + ";\n", text);

        // Run on its own, as saved over the recipe in a clone, with animals.csv in the folder it runs in.
        string root = DocSnippetsRunTests.RepoRoot();
        using var apps = new FileBasedApps(root);
        Directory.CreateDirectory(Path.Combine(apps.Dir, "downloaded"));
        await System.IO.File.WriteAllTextAsync(Path.Combine(apps.Dir, "downloaded", "animals.csv"), PlaygroundFilesTests.Animals());
        string code = FileBasedApps.InPlace(Path.Combine(root, "src", "Pitts.Lab.Client", RecipeFiles.PathOf("playground")), text);
        var r = (await apps.RunAll([("downloaded", code)], TimeSpan.FromMinutes(4), environment: DocSnippetsRunTests.Environment(root)))[0];
        Assert.True(r.ExitCode == 0, r.Log);
        string printed = r.Log.ReplaceLineEndings("\n").TrimEnd().Split('\n')[^1];
        output.WriteLine($"standalone: {printed}; page: training {await p.ById("train-loss").InnerTextAsync()}, test {await p.ById("test-loss").InnerTextAsync()}");

        // What the widget's model computes natively for these settings, to the printed digit (as RecipesTests checks the defaults),
        var model = new PlaygroundModel(Settings, PlaygroundCsv.Parse("animals.csv", Encoding.UTF8.GetBytes(PlaygroundFilesTests.Animals())));
        while (model.EpochsDone < 30) model.Epoch();
        var (train, test) = model.Losses();
        Assert.Equal($"epoch 30: training loss {train:0.0000}, test loss {test:0.0000}, test accuracy {100 * model.Accuracy(test: true):0.0}%", printed);
        // and the page's numbers (WebAssembly's 128-bit kernels against the native ones) to the page's three decimals, give or take one.
        Assert.InRange(Number(await p.ById("train-loss").InnerTextAsync()), train - 0.0015, train + 0.0015);
        Assert.InRange(Number(await p.ById("test-loss").InnerTextAsync()), test - 0.0015, test + 0.0015);
        Assert.Empty(p.Errors);
    }
}
