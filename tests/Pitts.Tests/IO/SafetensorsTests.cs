using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Pitts.IO;

namespace Pitts.Tests.IO;

public class SafetensorsTests
{
    // ---------------------------------------------------------------- files written by an independent writer (torch)

    [Fact]
    public void ReferenceFileWrittenByTorchLoadsWithTorchsFloatValues()
    {
        var file = Safetensors.Load(TestFiles.Golden("reference_all_dtypes.safetensors"));
        using var doc = JsonDocument.Parse(File.ReadAllText(TestFiles.Golden("reference_expected.json")));
        var tensors = doc.RootElement.GetProperty("tensors");
        Assert.Equal(tensors.EnumerateObject().Count(), file.Tensors.Count);
        foreach (var p in tensors.EnumerateObject())
        {
            var t = file.Tensors[p.Name];
            var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(shape, t.Shape);
            var want = p.Value.GetProperty("values").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
            var got = t.ToArray();
            Assert.Equal(want.Length, got.Length);
            for (int i = 0; i < want.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(want[i]) == BitConverter.SingleToInt32Bits(got[i]), $"{p.Name}[{i}]: torch says {want[i]:R}, Pitts read {got[i]:R}");
            var entry = file.Header.Entries.Single(e => e.Name == p.Name);
            Assert.Equal(p.Value.GetProperty("dtype").GetString(), entry.Dtype);
        }
        var meta = doc.RootElement.GetProperty("metadata");
        Assert.Equal(meta.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!), file.Metadata);
        Assert.Equal("Grüße ✓", file.Metadata["unicode"]);
    }

    [Fact]
    public void ReadHeaderListsDtypesShapesAndOffsetsWithoutData()
    {
        var h = Safetensors.ReadHeader(TestFiles.Golden("reference_all_dtypes.safetensors"));
        var bf = h.Entries.Single(e => e.Name == "brain");
        Assert.Equal("BF16", bf.Dtype);
        Assert.Equal([5L], bf.Shape);
        Assert.Equal(10, bf.ByteLength);
        Assert.Equal(0, h.DataStart % 8);
        Assert.Equal(new FileInfo(TestFiles.Golden("reference_all_dtypes.safetensors")).Length, h.FileLength);
        Assert.Equal(0, h.Entries.Single(e => e.Name == "empty").ByteLength);
        Assert.Equal(h.FileLength - h.DataStart, h.Entries.Max(e => e.End));
    }

    [Fact]
    public void NoMetadataFileHasEmptyMetadata()
    {
        var f = Safetensors.Load(TestFiles.Golden("reference_no_metadata.safetensors"));
        Assert.Empty(f.Metadata);
        Assert.Equal([0f, 1, 2, 3, 4, 5], f.Tensors["a"].ToArray());
        Assert.Equal([2, 3], f.Tensors["a"].Shape);
    }

    // ---------------------------------------------------------------- Pitts-written file checked by torch

    private static Dictionary<string, Tensor> PittsRecipe()
    {
        // Same formulas as pitts_recipe() in scripts/data/safetensors_reference.py.
        var w = new float[12];
        for (int i = 0; i < 12; i++) w[i] = i * 0.25f - 1.0f;
        return new()
        {
            ["fc1.weight"] = Tensor.FromArray(w, 3, 4),
            ["fc1.bias"] = Tensor.FromArray([1.0e-3f, -7.5f, 0f]),
            ["scalar"] = Tensor.Scalar(3.14159274f),
            ["empty"] = Tensor.Zeros(2, 0),
        };
    }

    private static readonly Dictionary<string, string> PittsMeta = new() { ["model"] = "Net", ["epoch"] = "3" };

    [Fact]
    public void WriterReproducesTheFileThatTorchVerified()
    {
        string golden = TestFiles.Golden("pitts_written.safetensors");
        var bytes = Safetensors.Serialize(PittsRecipe(), PittsMeta);
        if (Environment.GetEnvironmentVariable("PITTS_REGEN_GOLDEN") == "1") File.WriteAllBytes(golden, bytes);
        // scripts/data/safetensors_reference.py verify read this committed file with its own parser and torch.frombuffer.
        Assert.Equal(File.ReadAllBytes(golden), bytes);
        using var doc = JsonDocument.Parse(File.ReadAllText(TestFiles.Golden("pitts_written.verified.json")));
        Assert.StartsWith("torch", doc.RootElement.GetProperty("verified_by").GetString());
        Assert.Equal(4.5, doc.RootElement.GetProperty("tensors").GetProperty("fc1.weight").GetProperty("sum").GetDouble(), 6);
    }

    [Fact]
    public void WrittenHeaderIsPaddedCompactJsonWithMetadataFirst()
    {
        var bytes = Safetensors.Serialize(PittsRecipe(), PittsMeta);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, (8 + n) % 8);
        string json = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.StartsWith("{\"__metadata__\":{\"epoch\":\"3\",\"model\":\"Net\"},\"empty\":{\"dtype\":\"F32\",\"shape\":[2,0],\"data_offsets\":[0,0]}", json);
        Assert.Equal(json.TrimEnd(' ').Length + (int)(n - (ulong)json.TrimEnd(' ').Length), json.Length);
        Assert.Equal(8 + (int)n + 4 * (12 + 3 + 1), bytes.Length);
    }

    [Fact]
    public void RoundTripKeepsBitsShapesAndUnicodeNames()
    {
        var g = new Generator(7);
        var tensors = new Dictionary<string, Tensor>
        {
            ["conv.weight"] = Tensor.Randn([4, 3, 3, 3], g),
            ["ünïcode/name"] = Tensor.FromArray([float.NaN, float.PositiveInfinity, -0f, float.Epsilon]),
            ["zero_dim"] = Tensor.Scalar(-2.5f),
        };
        using var dir = new TempDir();
        string path = dir.File("model.safetensors");
        Safetensors.Save(path, tensors, new Dictionary<string, string> { ["k"] = "v \"quoted\"\n" });
        var back = Safetensors.Load(path);
        Assert.Equal("v \"quoted\"\n", back.Metadata["k"]);
        foreach (var (k, t) in tensors)
        {
            Assert.Equal(t.Shape, back.Tensors[k].Shape);
            Assert.Equal(t.ToArray().Select(BitConverter.SingleToInt32Bits), back.Tensors[k].ToArray().Select(BitConverter.SingleToInt32Bits));
        }
        Assert.Equal(["model.safetensors"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void EmptyFileWithNoTensorsIsValid()
    {
        var f = Safetensors.Load(Make("{}", []));
        Assert.Empty(f.Tensors);
        var g = Safetensors.Load(Safetensors.Serialize(new Dictionary<string, Tensor>()));
        Assert.Empty(g.Tensors);
    }

    [Fact]
    public void SaveRejectsReservedNameWithoutTouchingTheTarget()
    {
        using var dir = new TempDir();
        string path = dir.File("x.safetensors");
        File.WriteAllText(path, "old");
        var e = Assert.Throws<SafetensorsException>(() => Safetensors.Save(path, new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Zeros(1) }));
        Assert.Contains("reserved", e.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void CrashBeforeRenameLeavesOldCheckpointAndNoTempFile()
    {
        using var dir = new TempDir();
        string path = dir.File("ckpt.safetensors");
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Ones(3) });
        byte[] before = File.ReadAllBytes(path);
        string? tempSeen = null;
        Assert.Throws<InvalidOperationException>(() => Safetensors.SaveCore(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(1000) }, null,
            tmp => { tempSeen = tmp; Assert.True(File.Exists(tmp)); throw new InvalidOperationException("simulated crash"); }));
        Assert.NotNull(tempSeen);
        Assert.Equal(Path.GetDirectoryName(Path.GetFullPath(path)), Path.GetDirectoryName(tempSeen));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(dir.Path));
        Assert.Equal([1f, 1, 1], Safetensors.Load(path).Tensors["w"].ToArray());
    }

    [Fact]
    public void SaveIntoMissingFolderIsATypedError()
    {
        var e = Assert.Throws<SafetensorsException>(() => Safetensors.Save("/nonexistent-pitts-dir/x.safetensors", new Dictionary<string, Tensor>()));
        Assert.Contains("does not exist", e.Message);
    }

    // ---------------------------------------------------------------- malformed corpus

    private static byte[] Make(string json, byte[] data, ulong? declared = null) => MakeRaw(Encoding.UTF8.GetBytes(json), data, declared);

    private static byte[] MakeRaw(byte[] header, byte[] data, ulong? declared = null)
    {
        var b = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(b, declared ?? (ulong)header.Length);
        header.CopyTo(b, 8);
        data.CopyTo(b, 8 + header.Length);
        return b;
    }

    private const string A = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    public static IEnumerable<object[]> Malformed()
    {
        var eight = new byte[8];
        var twelve = new byte[12];
        yield return ["empty file", Array.Empty<byte>(), "too short"];
        yield return ["truncated length", new byte[5], "too short"];
        yield return ["header past the end", Make("{" + A + "}", eight, declared: 1000), "runs past the end"];
        yield return ["huge header length", Make("{}", [], declared: ulong.MaxValue), "exceeds the limit"];
        yield return ["header one byte over the limit", Make("{}", [], declared: 100_000_001), "exceeds the limit"];
        yield return ["zero header length", Make("", []), "too small"];
        yield return ["non-UTF-8 header", MakeRaw([(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}'], []), "not valid UTF-8"];
        yield return ["overlong UTF-8", MakeRaw([(byte)'{', (byte)'"', 0xC0, 0xAF, (byte)'"', (byte)'}'], []), "not valid UTF-8"];
        yield return ["header not an object", Make("[1, 2]  ", []), "must start with '{'"];
        yield return ["leading space", Make(" {}", []), "must start with '{'"];
        yield return ["invalid JSON", Make("{\"a\":}", []), "not valid JSON"];
        yield return ["JSON cut short", Make("{\"a\":{\"dtype\"", []), "JSON"];
        yield return ["content after the object", Make("{}x", []), "not valid JSON"];
        yield return ["second object after the first", Make("{}{}", []), "JSON"];
        yield return ["comment in header", Make("{/*c*/}", []), "not valid JSON"];
        yield return ["duplicate keys", Make("{" + A + "," + A.Replace("[0,8]", "[8,16]") + "}", new byte[16]), "duplicate key 'a'"];
        yield return ["duplicate keys by escape", Make("{" + A + ",\"\\u0061\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", new byte[16]), "duplicate key 'a'"];
        yield return ["duplicate __metadata__", Make("{\"__metadata__\":{},\"__metadata__\":{}}", []), "duplicate key '__metadata__'"];
        yield return ["duplicate metadata entry", Make("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", []), "duplicate key 'k'"];
        yield return ["metadata value not a string", Make("{\"__metadata__\":{\"k\":1}}", []), "must be a string"];
        yield return ["metadata not an object", Make("{\"__metadata__\":[\"k\"]}", []), "must be an object"];
        yield return ["bad dtype", Make("{" + A.Replace("F32", "F31") + "}", eight), "unknown dtype 'F31'"];
        yield return ["lowercase dtype", Make("{" + A.Replace("F32", "f32") + "}", eight), "unknown dtype 'f32'"];
        yield return ["dtype not a string", Make("{" + A.Replace("\"F32\"", "32") + "}", eight), "dtype must be a string"];
        yield return ["shape/length mismatch", Make("{" + A.Replace("[2]", "[3]") + "}", eight), "needs 12 bytes"];
        yield return ["dtype/length mismatch", Make("{" + A.Replace("F32", "F64") + "}", eight), "needs 16 bytes"];
        yield return ["negative dimension", Make("{" + A.Replace("[2]", "[-2]") + "}", eight), "non-negative integers"];
        yield return ["fractional dimension", Make("{" + A.Replace("[2]", "[2.5]") + "}", eight), "non-negative integers"];
        yield return ["dimension as string", Make("{" + A.Replace("[2]", "[\"2\"]") + "}", eight), "non-negative integers"];
        yield return ["shape overflows", Make("{" + A.Replace("[2]", "[4294967296,4294967296,4294967296]") + "}", eight), "too many elements"];
        yield return ["dimension past Int64", Make("{" + A.Replace("[2]", "[99999999999999999999]") + "}", eight), "non-negative integers"];
        yield return ["huge declared size", Make("{\"a\":{\"dtype\":\"F32\",\"shape\":[1000000000],\"data_offsets\":[0,4000000000]}}", eight), "past the end of the data buffer"];
        yield return ["huge offsets", Make("{\"a\":{\"dtype\":\"U8\",\"shape\":[8],\"data_offsets\":[9223372036854775799,9223372036854775807]}}", eight), "must start at 0"];
        yield return ["overlapping offsets", Make("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", twelve), "overlaps"];
        yield return ["same range twice", Make("{" + A + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight), "overlaps"];
        yield return ["gap between tensors", Make("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", twelve), "gap"];
        yield return ["data not starting at 0", Make("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", eight), "must start at 0"];
        yield return ["trailing bytes", Make("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", eight), "trailing bytes"];
        yield return ["truncated data", Make("{" + A + "}", new byte[6]), "past the end of the data buffer"];
        yield return ["end before begin", Make("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}}", eight), "end before they begin"];
        yield return ["one offset", Make("{" + A.Replace("[0,8]", "[0]") + "}", eight), "exactly two"];
        yield return ["three offsets", Make("{" + A.Replace("[0,8]", "[0,8,8]") + "}", eight), "exactly two"];
        yield return ["missing shape", Make("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", eight), "missing field 'shape'"];
        yield return ["missing dtype", Make("{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}", eight), "missing field 'dtype'"];
        yield return ["missing offsets", Make("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", eight), "missing field 'data_offsets'"];
        yield return ["duplicate field", Make("{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", eight), "duplicate field 'dtype'"];
        yield return ["unknown field", Make("{" + A.Replace("}", ",\"stride\":[1]}") + "}", eight), "unknown field 'stride'"];
        yield return ["tensor not an object", Make("{\"a\":5}", []), "must be an object"];
        yield return ["shape not an array", Make("{" + A.Replace("[2]", "2") + "}", eight), "must be an array"];
        yield return ["deeply nested", Make("{\"a\":" + new string('[', 50) + new string(']', 50) + "}", []), "must be an object"];
        yield return ["sub-byte dtype not filling bytes", Make("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", new byte[2]), "whole number of bytes"];
        yield return ["unloadable dtype", Make("{\"a\":{\"dtype\":\"F4\",\"shape\":[4],\"data_offsets\":[0,2]}}", new byte[2]), "cannot convert"];
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedFileGivesItsTypedErrorAndNothingElse(string name, byte[] bytes, string fragment)
    {
        var fromBytes = Record.Exception(() => Safetensors.Load(bytes));
        Assert.True(fromBytes is SafetensorsException, $"{name}: expected SafetensorsException, got {fromBytes?.GetType().Name ?? "no error"}: {fromBytes?.Message}");
        Assert.Contains(fragment, fromBytes!.Message);

        using var dir = new TempDir();
        string path = dir.File(name.Replace(' ', '_').Replace('/', '_') + ".safetensors");
        File.WriteAllBytes(path, bytes);
        var fromFile = Assert.Throws<SafetensorsException>(() => Safetensors.Load(path));
        Assert.Contains(fragment, fromFile.Message);
        Assert.Contains(path, fromFile.Message);
    }

    [Fact]
    public void ListedButUnloadableDtypeStillReadsItsHeader()
    {
        var h = Safetensors.ReadHeader(new MemoryStream(Make("{\"a\":{\"dtype\":\"F4\",\"shape\":[4],\"data_offsets\":[0,2]}}", new byte[2])));
        Assert.Equal("F4", h.Entries[0].Dtype);
    }

    [Fact]
    public void EveryTruncationOfAValidFileIsATypedError()
    {
        var bytes = File.ReadAllBytes(TestFiles.Golden("reference_all_dtypes.safetensors"));
        for (int len = 0; len < bytes.Length; len++)
        {
            var e = Record.Exception(() => Safetensors.Load(bytes.AsSpan(0, len).ToArray()));
            Assert.True(e is SafetensorsException, $"length {len}: {e?.GetType().Name ?? "no error"}");
        }
    }

    [Fact]
    public void RandomByteCorruptionGivesOnlyTypedErrors()
    {
        var good = File.ReadAllBytes(TestFiles.Golden("reference_all_dtypes.safetensors"));
        int headerEnd = 8 + (int)BinaryPrimitives.ReadUInt64LittleEndian(good);
        var g = new Generator(42);
        int failures = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var b = (byte[])good.Clone();
            int flips = 1 + (int)g.NextInt64(0, 3);
            for (int k = 0; k < flips; k++)
                b[(int)g.NextInt64(0, headerEnd)] = (byte)g.NextInt64(0, 256);
            var e = Record.Exception(() => Safetensors.Load(b));
            if (e is null) continue;
            Assert.True(e is SafetensorsException, $"trial {trial}: {e.GetType().Name}: {e.Message}");
            failures++;
        }
        Assert.True(failures > 1000, $"only {failures} corruptions were detected");
    }
}

public class SafetensorsRawTests
{
    [Fact]
    public void RawTensorsKeepInt64AndGeneratorStateExactly()
    {
        var g = new Generator(123);
        g.NextUInt64();
        var state = g.GetState();
        using var dir = new TempDir();
        string path = dir.File("ckpt.safetensors");
        Safetensors.SaveRaw(path, new Dictionary<string, SafetensorsRawTensor>
        {
            ["rng"] = SafetensorsRawTensor.FromUInt64(state),
            ["step"] = SafetensorsRawTensor.FromInt64([9_007_199_254_740_993L]), // 2^53 + 1: not representable in float32 or float64
            ["w"] = SafetensorsRawTensor.FromTensor(Tensor.FromArray([1.5f, -2f], 1, 2)),
        }, new Dictionary<string, string> { ["epoch"] = "4" });
        var (t, h) = Safetensors.LoadRaw(path);
        Assert.Equal(state, t["rng"].ToUInt64());
        Assert.Equal([9_007_199_254_740_993L], t["step"].ToInt64());
        Assert.Equal("4", h.Metadata["epoch"]);
        var restored = new Generator(0);
        restored.SetState(t["rng"].ToUInt64());
        Assert.Equal(g.NextUInt64(), restored.NextUInt64());
        // The float view of the same file: F32 exact, I64 and U64 converted.
        var f = Safetensors.Load(path);
        Assert.Equal([1.5f, -2f], f.Tensors["w"].ToArray());
        Assert.Equal([1, 2], f.Tensors["w"].Shape);
        Assert.Throws<SafetensorsException>(() => t["w"].ToInt64());
    }

    [Fact]
    public void RawReadOfTorchFileGivesTorchsInt64()
    {
        var (t, _) = Safetensors.LoadRaw(TestFiles.Golden("reference_all_dtypes.safetensors"));
        Assert.Equal([12345678901L], t["step"].ToInt64());
        Assert.Equal("BF16", t["brain"].Dtype);
        Assert.Equal(10, t["brain"].Data.Length);
    }

    [Fact]
    public void RawWriterChecksDtypeAndLength()
    {
        Assert.Contains("unknown dtype", Assert.Throws<SafetensorsException>(() => Safetensors.SerializeRaw(new Dictionary<string, SafetensorsRawTensor> { ["a"] = new("X9", [1], new byte[1]) })).Message);
        Assert.Contains("needs 8 bytes", Assert.Throws<SafetensorsException>(() => Safetensors.SerializeRaw(new Dictionary<string, SafetensorsRawTensor> { ["a"] = new("I64", [1], new byte[7]) })).Message);
        var bytes = Safetensors.SerializeRaw(new Dictionary<string, SafetensorsRawTensor> { ["a"] = new("BF16", [2], [0x80, 0x3F, 0x00, 0xC0]) });
        Assert.Equal([1f, -2f], Safetensors.Load(bytes).Tensors["a"].ToArray());
    }

    [Fact]
    public void SummaryListsTensorsAndMetadata()
    {
        var s = Safetensors.ReadHeader(TestFiles.Golden("reference_all_dtypes.safetensors")).Summary();
        Assert.Contains("fc1.weight", s);
        Assert.Contains("(3x4)", s);
        Assert.Contains("BF16", s);
        Assert.Contains("12 tensors", s);
        Assert.Contains("format = pt", s);
    }
}
