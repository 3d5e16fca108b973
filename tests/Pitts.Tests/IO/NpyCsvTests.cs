using System.Text;
using System.Text.Json;
using Pitts.IO;

namespace Pitts.Tests.IO;

public class NpyTests
{
    private static string Npy(string name) => Path.Combine(TestFiles.Here(), "Golden", "npy", name);

    private static (int[] Shape, float[] Values) Expected(string key)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Npy("expected.json")));
        var e = doc.RootElement.GetProperty(key);
        return (e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
                e.GetProperty("values").EnumerateArray().Select(x => (float)x.GetDouble()).ToArray());
    }

    public static IEnumerable<object[]> NumpyFiles() => new[]
    {
        "f32_2x3.npy", "f32_2x3_v2.npy", "f32_2x3_v3.npy", "f64_4.npy", "i4_2x2.npy", "i8_3.npy", "u1_2x2x3.npy", "b1.npy",
        "i1.npy", "i2.npy", "f2.npy", "f4_big_endian.npy", "i8_big_endian.npy", "scalar.npy", "empty_0x3.npy", "f32_5x4_random.npy",
    }.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(NumpyFiles))]
    public void NumpyWrittenFileLoadsWithNumpysFloat32Values(string file)
    {
        var (shape, values) = Expected(file);
        var t = Pitts.IO.Npy.Load(Npy(file));
        Assert.Equal(shape, t.Shape);
        Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), t.ToArray().Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void HeaderVersionsAreReported()
    {
        Assert.Equal((1, 0), Pitts.IO.Npy.ReadHeader(Npy("f32_2x3.npy")).Version);
        Assert.Equal((2, 0), Pitts.IO.Npy.ReadHeader(Npy("f32_2x3_v2.npy")).Version);
        var h3 = Pitts.IO.Npy.ReadHeader(Npy("f32_2x3_v3.npy"));
        Assert.Equal((3, 0), h3.Version);
        Assert.Equal("<f4", h3.Descr);
        Assert.Equal(0, h3.DataOffset % 64);
    }

    [Fact]
    public void FortranOrderIsRefusedWithAClearError()
    {
        var e = Assert.Throws<NpyException>(() => Pitts.IO.Npy.Load(Npy("fortran.npy")));
        Assert.Contains("Fortran", e.Message);
        Assert.Contains("ascontiguousarray", e.Message);
    }

    [Fact]
    public void SaveWritesTheBytesNumpyWrites()
    {
        using var dir = new TempDir();
        foreach (var name in new[] { "f32_2x3.npy", "scalar.npy", "empty_0x3.npy", "f32_5x4_random.npy" })
        {
            var t = Pitts.IO.Npy.Load(Npy(name));
            Pitts.IO.Npy.Save(dir.File(name), t);
            Assert.Equal(File.ReadAllBytes(Npy(name)), File.ReadAllBytes(dir.File(name)));
        }
        var v = Tensor.Arange(5);
        Pitts.IO.Npy.Save(dir.File("v.npy"), v);
        Assert.Contains("'shape': (5,), }", Encoding.Latin1.GetString(File.ReadAllBytes(dir.File("v.npy"))));
    }

    [Theory]
    [InlineData("bundle.npz")]
    [InlineData("bundle_compressed.npz")]
    public void NpzArchivesLoadEveryArrayByName(string file)
    {
        var d = Pitts.IO.Npy.LoadNpz(Npy(file));
        Assert.Equal(Expected("f32_5x4_random.npy").Values, d["weights"].ToArray());
        Assert.Equal(Expected("i8_3.npy").Values, d["labels"].ToArray());
        if (file == "bundle.npz") Assert.Equal([2, 2, 3], d["pixels"].Shape);
    }

    private static byte[] NpyBytes(string dict, int dataBytes, byte major = 1)
    {
        var h = Encoding.Latin1.GetBytes(dict + "\n");
        var ms = new MemoryStream();
        ms.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', major, 0]);
        if (major == 1) ms.Write(BitConverter.GetBytes((ushort)h.Length));
        else ms.Write(BitConverter.GetBytes((uint)h.Length));
        ms.Write(h);
        ms.Write(new byte[dataBytes]);
        return ms.ToArray();
    }

    public static IEnumerable<object[]> Malformed()
    {
        const string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        yield return ["empty", Array.Empty<byte>(), "too short"];
        yield return ["wrong magic", Encoding.ASCII.GetBytes("PK\u0003\u0004 not numpy at all"), "wrong magic"];
        yield return ["version 4", NpyBytes(ok, 24, major: 4), "version 4.0"];
        yield return ["header past end", NpyBytes(ok, 24).AsSpan(0, 20).ToArray(), "runs past the end"];
        yield return ["truncated data", NpyBytes(ok, 23), "truncated"];
        yield return ["trailing data", NpyBytes(ok, 25), "trailing bytes"];
        yield return ["object dtype", NpyBytes(ok.Replace("<f4", "|O"), 24), "unsupported dtype '|O'"];
        yield return ["complex dtype", NpyBytes(ok.Replace("<f4", "<c8"), 48), "unsupported dtype '<c8'"];
        yield return ["structured dtype", NpyBytes("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8), "structured"];
        yield return ["huge shape", NpyBytes(ok.Replace("(2, 3)", "(100000, 100000, 100000)"), 24), "more elements"];
        yield return ["negative dim", NpyBytes(ok.Replace("(2, 3)", "(-2, 3)"), 24), "non-negative"];
        yield return ["missing key", NpyBytes("{'descr': '<f4', 'shape': (2, 3), }", 24), "needs the keys"];
        yield return ["unknown key", NpyBytes(ok.Replace("}", "'extra': 1, }"), 24), "unknown key 'extra'"];
        yield return ["duplicate key", NpyBytes(ok.Replace("}", "'shape': (6,), }"), 24), "duplicate key 'shape'"];
        yield return ["bad fortran value", NpyBytes(ok.Replace("False", "0"), 24), "True or False"];
        yield return ["not a dict", NpyBytes("[1, 2, 3]", 24), "expected '{'"];
        yield return ["unterminated string", NpyBytes("{'descr: <f4", 24), "unterminated"];
        yield return ["bad UTF-8 in v3", NpyBytes(ok.Replace("<f4", "<f4\u00ff"), 24, major: 3)[..^0].Select((b, i) => b == 0xC3 ? (byte)0xFF : b).ToArray(), "UTF-8"];
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedNpyGivesItsTypedError(string name, byte[] bytes, string fragment)
    {
        var e = Record.Exception(() => Pitts.IO.Npy.Load(new MemoryStream(bytes)));
        Assert.True(e is NpyException, $"{name}: {e?.GetType().Name ?? "no error"}: {e?.Message}");
        Assert.True(e!.Message.Contains(fragment), $"{name}: message was: {e.Message}");
    }

    [Fact]
    public void EveryTruncationOfANumpyFileIsATypedError()
    {
        var good = File.ReadAllBytes(Npy("f32_5x4_random.npy"));
        for (int len = 0; len < good.Length; len++)
        {
            var e = Record.Exception(() => Pitts.IO.Npy.Load(new MemoryStream(good[..len])));
            Assert.True(e is NpyException, $"length {len}: {e?.GetType().Name}");
        }
    }

    [Fact]
    public void RandomHeaderCorruptionGivesOnlyTypedErrors()
    {
        var good = File.ReadAllBytes(Npy("f32_5x4_random.npy"));
        var g = new Generator(12);
        int detected = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var b = (byte[])good.Clone();
            for (int k = 0; k < 1 + (int)g.NextInt64(0, 3); k++) b[(int)g.NextInt64(0, 128)] = (byte)g.NextInt64(0, 256);
            var e = Record.Exception(() => Pitts.IO.Npy.Load(new MemoryStream(b)));
            if (e is null) continue;
            Assert.True(e is NpyException, $"trial {trial}: {e.GetType().Name}: {e.Message}");
            detected++;
        }
        Assert.True(detected > 1000, $"only {detected} corruptions detected");
    }

    [Fact]
    public void RandomNpzCorruptionGivesOnlyTypedErrors()
    {
        var good = File.ReadAllBytes(Npy("bundle_compressed.npz"));
        var g = new Generator(13);
        using var dir = new TempDir();
        string path = dir.File("x.npz");
        for (int trial = 0; trial < 400; trial++)
        {
            var b = (byte[])good.Clone();
            for (int k = 0; k < 1 + (int)g.NextInt64(0, 4); k++) b[(int)g.NextInt64(0, b.Length)] = (byte)g.NextInt64(0, 256);
            File.WriteAllBytes(path, b);
            var e = Record.Exception(() => Pitts.IO.Npy.LoadNpz(path));
            Assert.True(e is null or NpyException, $"trial {trial}: {e?.GetType().Name}: {e?.Message}");
        }
    }

    [Fact]
    public void BrokenNpzIsATypedError()
    {
        using var dir = new TempDir();
        var bytes = File.ReadAllBytes(Npy("bundle_compressed.npz"));
        File.WriteAllBytes(dir.File("cut.npz"), bytes[..(bytes.Length / 2)]);
        Assert.Throws<NpyException>(() => Pitts.IO.Npy.LoadNpz(dir.File("cut.npz")));
        File.WriteAllText(dir.File("text.npz"), "hello");
        Assert.Throws<NpyException>(() => Pitts.IO.Npy.LoadNpz(dir.File("text.npz")));
    }
}

public class CsvTests
{
    private static string Golden(string name) => Path.Combine(TestFiles.Here(), "Golden", "npy", name);

    [Theory]
    [InlineData("table_header.csv", true)]
    [InlineData("table_plain.csv", false)]
    public void NumpySavetxtFilesLoad(string file, bool header)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Golden("expected.json")));
        var want = doc.RootElement.GetProperty("table.csv").GetProperty("values").EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
        var t = Csv.Load(Golden(file));
        Assert.Equal([5, 3], t.Values.Shape);
        var got = t.Values.ToArray();
        for (int i = 0; i < want.Length; i++) Assert.Equal(want[i], got[i], 6);
        Assert.Equal(header ? ["x", "sin_x", "label"] : ["column1", "column2", "column3"], t.Columns);
        if (header)
        {
            var ds = t.ToDataset("label");
            Assert.Equal([5, 2], ds.Inputs.Shape);
            Assert.Equal([0f, 1, 2, 3, 4], ds.Targets.ToArray());
        }
    }

    [Fact]
    public void QuotesSpecialValuesCommentsAndOtherDelimiters()
    {
        var t = Csv.Parse("# comment\n\"a\";\"b, c\"\r\n1.5;nan\n-inf;1e3\n\n", delimiter: ';');
        Assert.Equal(["a", "b, c"], t.Columns);
        var v = t.Values.ToArray();
        Assert.Equal(1.5f, v[0]);
        Assert.True(float.IsNaN(v[1]));
        Assert.Equal(float.NegativeInfinity, v[2]);
        Assert.Equal(1000f, v[3]);
        Assert.Equal([2f, 3], Csv.Parse("1,2\n2,3", hasHeader: true).Values.ToArray());
    }

    [Theory]
    [InlineData("a,b\n1,2\n3\n", "line 3 has 1 fields but earlier lines have 2")]
    [InlineData("a,b\n1,2,3\n", "line 2 has 3 fields but the header has 2")]
    [InlineData("x,y\n1,2\n3,abc\n", "line 3, column 2 ('y'): 'abc' is not a number")]
    [InlineData("1,2\n3,\n", "line 2, column 2 is empty")]
    [InlineData("1,2\n\"3,4\n", "line 2 has an unterminated quoted field")]
    [InlineData("\n\n", "no data")]
    [InlineData("1,2\n3,4,5\n", "line 2 has 3 fields but earlier lines have 2")]
    [InlineData("1;5\n1,5\n", "line 1, column 1: '1;5' is not a number")]
    public void BadCsvNamesTheLineAndColumn(string text, string fragment)
    {
        var e = Assert.Throws<CsvException>(() => Csv.Parse(text, hasHeader: text.StartsWith("1;") ? false : null));
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void LabelledCsvWithNumericLabelsAndAHeader()
    {
        var t = Csv.ParseLabeled("x,y,label\n1.5,-2,1\n0,3e1,0\n2,2,1.0\n");
        Assert.Equal(["x", "y"], t.Columns);
        Assert.Equal("label", t.LabelColumn);
        Assert.Equal([3, 2], t.Features.Shape);
        Assert.Equal([1.5f, -2, 0, 30, 2, 2], t.Features.ToArray());
        Assert.Equal(["0", "1"], t.Classes);        // by value: "1.0" is the class "1"
        Assert.Equal([1, 0, 1], t.Labels);
    }

    [Fact]
    public void LabelledCsvWithClassNamesSemicolonsDecimalCommasAndNoHeader()
    {
        // A spreadsheet in a decimal-comma locale: ';' is detected from the first data line, "1,5" is 1.5; names are sorted.
        var t = Csv.ParseLabeled("# made by hand\r\n1,5;2;dog\r\n-0,25;4;cat\r\n\r\n3;\"1,0\";dog\r\n");
        Assert.Equal(["column1", "column2"], t.Columns);
        Assert.Equal("column3", t.LabelColumn);
        Assert.Equal([1.5f, 2, -0.25f, 4, 3, 1], t.Features.ToArray());
        Assert.Equal(["cat", "dog"], t.Classes);
        Assert.Equal([1, 0, 1], t.Labels);
        // Numeric labels sort by value, not as text: 10 after 9.
        Assert.Equal(["9", "10"], Csv.ParseLabeled("1,10\n2,9\n").Classes);
        // Tabs are detected too; a header row whose feature fields are names is a header even when the label field is a number.
        var tabs = Csv.ParseLabeled("a\tb\t0\n1\t2\t1\n");
        Assert.Equal(["a", "b"], tabs.Columns);
        Assert.Equal("0", tabs.LabelColumn);
        Assert.Equal(["1"], tabs.Classes);
    }

    [Fact]
    public void LabelledCsvLoadsFromAFileWithAByteOrderMark()
    {
        string path = Path.Combine(Path.GetTempPath(), $"pitts-labelled-{Environment.ProcessId}.csv");
        File.WriteAllText(path, "x;y;class\n1;2;a\n3;4;b\n", new System.Text.UTF8Encoding(true));
        try
        {
            var t = Csv.LoadLabeled(path);
            Assert.Equal(["x", "y"], t.Columns);
            Assert.Equal(["a", "b"], t.Classes);
            Assert.Equal([1f, 2, 3, 4], t.Features.ToArray());
        }
        finally { File.Delete(path); }
    }

    [Theory]
    [InlineData("x,y,label\n1,2,0\n3,0\n", "line 3 has 2 fields but earlier lines have 3")]
    [InlineData("x,y,label\n1,2,0,4\n", "line 2 has 4 fields but the header has 3")]
    [InlineData("x,y,label\n1,abc,0\n", "line 2, column 2 ('y'): 'abc' is not a number")]
    [InlineData("1,2,0\n1,,1\n", "line 2, column 2 is empty")]
    [InlineData("x,y,label\n1,2,\n", "line 2, column 3 ('label') (the label) is empty")]
    [InlineData("x,y,label\n", "a header but no rows")]
    [InlineData("\n# nothing\n", "no data")]
    [InlineData("1\n2\n", "line 1 has 1 field; a labelled table needs at least two columns")]
    [InlineData("1,2,a\n1.5.2,3,b\n", "line 2, column 1: '1.5.2' is not a number")]
    public void BadLabelledCsvNamesTheLineAndColumn(string text, string fragment)
    {
        var e = Assert.Throws<CsvException>(() => Csv.ParseLabeled(text, source: "my.csv"));
        Assert.Contains("CSV: my.csv: " + fragment, e.Message);
    }

    [Fact]
    public void LabelledCsvRespectsTheReadLimits()
    {
        var e = Assert.Throws<CsvException>(() => Csv.ParseLabeled(string.Concat(Enumerable.Repeat("1,2,0\n", 100)), limits: new ReadLimits { MaxDataBytes = 100 * 4 }));
        Assert.Contains("past 100 values", e.Message);
    }
}
