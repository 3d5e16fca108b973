using System.Buffers.Binary;
using System.IO.Compression;
using System.Text.Json;
using Pitts.IO;

namespace Pitts.Tests.IO;

public class IdxTests
{
    public static IEnumerable<object[]> ReferenceNames() =>
        new[] { "u8", "i8", "i16", "i32", "f32", "f64", "labels" }.SelectMany(n => new[] { new object[] { n, false }, [n, true] });

    [Theory]
    [MemberData(nameof(ReferenceNames))]
    public void NumpyWrittenFilesReadWithNumpysValues(string name, bool gz)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestFiles.Golden("reference_idx_expected.json")));
        var e = doc.RootElement.GetProperty(name);
        string path = TestFiles.Golden($"ref-{name}.idx" + (gz ? ".gz" : ""));
        var t = Idx.Read(path);
        Assert.Equal(e.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()), t.Shape);
        Assert.Equal(e.GetProperty("values").EnumerateArray().Select(x => (float)x.GetDouble()), t.ToArray());
        var h = Idx.ReadHeader(path);
        Assert.Equal(e.GetProperty("type").GetInt32(), (int)h.DataType);
        Assert.Equal(gz, h.Compressed);
    }

    [Fact]
    public void ReadBytesGivesRawLabels()
    {
        var (data, shape) = Idx.ReadBytes(TestFiles.Golden("ref-labels.idx.gz"));
        Assert.Equal([10], shape);
        Assert.Equal(new byte[] { 7, 2, 1, 0, 4, 1, 4, 9, 5, 9 }, data);
        Assert.Throws<IdxException>(() => Idx.ReadBytes(TestFiles.Golden("ref-f32.idx")));
    }

    [Theory]
    [InlineData(IdxDataType.UInt8, false)]
    [InlineData(IdxDataType.Int8, true)]
    [InlineData(IdxDataType.Int16, false)]
    [InlineData(IdxDataType.Int32, true)]
    [InlineData(IdxDataType.Float32, false)]
    [InlineData(IdxDataType.Float64, true)]
    public void WriteThenReadRoundTrips(IdxDataType type, bool gz)
    {
        var values = type == IdxDataType.UInt8 ? new float[] { 0, 1, 255, 128, 7, 9 } : [-3, 0, 5, 100, -128, 127];
        if (type is IdxDataType.Float32 or IdxDataType.Float64) values[0] = 0.1f;
        var t = Tensor.FromArray(values, 2, 3);
        using var dir = new TempDir();
        string path = dir.File("x.idx" + (gz ? ".gz" : ""));
        Idx.Write(path, t, type);
        Assert.Equal(values, Idx.Read(path).ToArray());
        Assert.Equal(gz, File.ReadAllBytes(path)[0] == 0x1F);
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void WriteMatchesNumpyBytes()
    {
        var t = Idx.Read(TestFiles.Golden("ref-i16.idx"));
        using var dir = new TempDir();
        Idx.Write(dir.File("a.idx"), t, IdxDataType.Int16);
        Assert.Equal(File.ReadAllBytes(TestFiles.Golden("ref-i16.idx")), File.ReadAllBytes(dir.File("a.idx")));
    }

    [Fact]
    public void WriteRejectsValuesTheTypeCannotHold()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<IdxException>(() => Idx.Write(dir.File("a.idx"), Tensor.FromArray([1f, 256f]), IdxDataType.UInt8));
        Assert.Contains("element 1 = 256", e.Message);
        Assert.Throws<IdxException>(() => Idx.Write(dir.File("a.idx"), Tensor.FromArray([0.5f]), IdxDataType.Int32));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    // ---------------------------------------------------------------- malformed corpus

    private static byte[] Idx3(byte type, int[] dims, int dataBytes, int rankOverride = -1)
    {
        var b = new byte[4 + 4 * dims.Length + dataBytes];
        b[2] = type;
        b[3] = (byte)(rankOverride >= 0 ? rankOverride : dims.Length);
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * i), dims[i]);
        return b;
    }

    private static byte[] Gz(byte[] b)
    {
        using var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.Optimal)) z.Write(b);
        return ms.ToArray();
    }

    private static byte[] WithIsize(byte[] gz, uint isize)
    {
        var c = (byte[])gz.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(c.AsSpan(c.Length - 4), isize);
        return c;
    }

    public static IEnumerable<object[]> Malformed()
    {
        var good = Idx3(0x08, [2, 3, 3], 18);
        var wrongMagic = (byte[])good.Clone();
        wrongMagic[0] = 0x12;
        var pngLike = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0 };
        var corruptGz = Gz(good);
        corruptGz[12] ^= 0xFF;
        corruptGz[13] ^= 0x5A;
        yield return ["empty file", Array.Empty<byte>(), "too short"];
        yield return ["three bytes", new byte[] { 0, 0, 8 }, "too short"];
        yield return ["wrong magic", wrongMagic, "wrong magic number 0x1200"];
        yield return ["not IDX at all", pngLike, "wrong magic number"];
        yield return ["unknown element type", Idx3(0x0A, [2], 2), "unknown element type 0x0A"];
        yield return ["rank zero", Idx3(0x08, [], 0), "rank 0"];
        yield return ["rank too high", Idx3(0x08, [], 0, rankOverride: 200), "rank 200"];
        yield return ["header cut inside dimensions", good.AsSpan(0, 9).ToArray(), "ends inside the header"];
        yield return ["truncated data", good.AsSpan(0, good.Length - 1).ToArray(), "truncated"];
        yield return ["trailing bytes", good.Concat(new byte[] { 1 }).ToArray(), "trailing bytes"];
        yield return ["negative dimension", Idx3(0x08, [2, -1], 0), "larger than"];
        yield return ["huge declared size", Idx3(0x08, [60000, 60000, 60000], 10), "more elements"];
        yield return ["huge declared bytes", Idx3(0x0E, [1 << 28, 4], 10), "more than an array can hold"];
        yield return ["shape/length mismatch", Idx3(0x0C, [2, 3], 18), "truncated"];
        yield return ["gz: truncated data", Gz(good.AsSpan(0, good.Length - 3).ToArray()), "gzip trailer records"];
        yield return ["gz: trailer lies about size", WithIsize(Gz(good.AsSpan(0, good.Length - 3).ToArray()), (uint)good.Length), "corrupt gzip"];
        yield return ["gz: trailing bytes", Gz(good.Concat(new byte[] { 5, 5 }).ToArray()), "gzip trailer records"];
        yield return ["gz: trailer hides trailing bytes", WithIsize(Gz(good.Concat(new byte[] { 5, 5 }).ToArray()), (uint)good.Length), "trailing bytes"];
        yield return ["gz: huge declared size", Gz(Idx3(0x08, [60000, 60000, 60000], 10)), "more elements"];
        yield return ["gz: size bigger than gzip can hold", WithIsize(Gz(Idx3(0x08, [100000, 1000], 10)), 100_000_012), "more than a"];
        yield return ["gz: wrong magic inside", Gz(wrongMagic), "wrong magic"];
        yield return ["gz: cut in the middle", Gz(good).AsSpan(0, 15).ToArray(), "IDX"];
        yield return ["gz: corrupt deflate data", corruptGz, "IDX"];
        yield return ["gz: only the gzip magic", new byte[] { 0x1F, 0x8B, 8 }, "truncated"];
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedFileGivesItsTypedErrorAndNothingElse(string name, byte[] bytes, string fragment)
    {
        using var dir = new TempDir();
        string path = dir.File(name.Replace(' ', '_').Replace(':', '_').Replace('/', '_') + ".idx");
        File.WriteAllBytes(path, bytes);
        var e = Record.Exception(() => Idx.Read(path));
        Assert.True(e is IdxException, $"{name}: expected IdxException, got {e?.GetType().Name ?? "no error"}: {e?.Message}");
        Assert.True(e!.Message.Contains(fragment), $"{name}: message was: {e.Message}");
        Assert.Contains(path, e.Message);
        var h = Record.Exception(() => Idx.ReadHeader(path));
        Assert.True(h is null or IdxException, $"{name}: ReadHeader threw {h?.GetType().Name}");
    }

    [Fact]
    public void EveryTruncationAndRandomCorruptionGivesOnlyTypedErrors()
    {
        var good = File.ReadAllBytes(TestFiles.Golden("ref-u8.idx.gz"));
        var plain = File.ReadAllBytes(TestFiles.Golden("ref-u8.idx"));
        var g = new Generator(3);
        int detected = 0;
        foreach (var src in new[] { good, plain })
        {
            for (int len = 0; len < src.Length; len++)
            {
                var e = Record.Exception(() => Idx.Read(new MemoryStream(src.AsSpan(0, len).ToArray())));
                Assert.True(e is IdxException, $"length {len}: {e?.GetType().Name ?? "no error"}");
            }
            for (int trial = 0; trial < 1500; trial++)
            {
                var b = (byte[])src.Clone();
                b[(int)g.NextInt64(0, Math.Min(b.Length, 24))] = (byte)g.NextInt64(0, 256);
                var e = Record.Exception(() => Idx.Read(new MemoryStream(b)));
                if (e is null) continue;
                Assert.True(e is IdxException, $"trial {trial}: {e.GetType().Name}: {e.Message}");
                detected++;
            }
        }
        Assert.True(detected > 500, $"only {detected} corruptions detected");
    }

    [Fact]
    public void MissingFileIsATypedError()
    {
        var e = Assert.Throws<IdxException>(() => Idx.Read("/nonexistent/pitts.idx"));
        Assert.Contains("cannot open", e.Message);
    }
}
