using System.IO.Compression;
using System.Text;
using Pitts.IO;
using Pitts.Models;
using Pitts.Tests.IO;

namespace Pitts.Tests.Reliability;

/// <summary>
/// Issue 15, findings 1, 2 and 6 in the library: a file or its metadata declares sizes far beyond what it holds, and
/// every reader refuses it with a typed error naming the limit, having allocated a few megabytes at most (measured
/// with the thread's allocation counter).
/// </summary>
public sealed class HostileFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const long Budget = 32L << 20; // what a refusal may allocate

    [Theory]
    [InlineData(new[] { 1000, 1000, 1000 }, 1 << 20)] // 0.97 MB file, 10^9 pixels declared
    [InlineData(new[] { 1, 46340, 46340 }, 2_100_000)] // 2.1 MB file, one 46340x46340 image
    public void A_gzip_bomb_is_refused_by_its_declared_size(int[] shape, int body)
    {
        string path = _dir.File("train-images-idx3-ubyte.gz");
        File.WriteAllBytes(path, HostileFiles.IdxGzipBomb(shape, body));
        IdxException? e = null;
        long allocated = HostileFiles.Allocated(() => e = Assert.Throws<IdxException>(() => Idx.ReadBytes(path)));
        Assert.Contains("more than the limit of 268,435,456", e!.Message);
        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
        Assert.True(allocated < Budget, $"refusing the bomb allocated {allocated:N0} bytes");
        Assert.Throws<IdxException>(() => Idx.Read(path));
        Assert.Throws<IdxException>(() => Idx.ReadHeader(path));
    }

    [Fact]
    public void A_gzip_whose_output_exceeds_its_header_stops_there()
    {
        // Header declares 2x2 bytes; the stream holds 1 MiB more. Decompression stops at the first byte too many.
        var header = new byte[] { 0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4 };
        using var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(header);
            z.Write(new byte[1 << 20]);
        }
        var file = ms.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), 16);
        string path = _dir.File("small.idx.gz");
        File.WriteAllBytes(path, file);
        IdxException? e = null;
        long allocated = HostileFiles.Allocated(() => e = Assert.Throws<IdxException>(() => Idx.ReadBytes(path)));
        Assert.Contains("trailing bytes after the 4 data bytes", e!.Message);
        Assert.True(allocated < 1 << 20, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void The_budget_is_raised_by_a_larger_ReadLimits()
    {
        // 300x300x300 = 27 MB declared; refused under a 16 MiB budget, read under the default one.
        var t = Tensor.Zeros(300, 300, 300);
        string path = _dir.File("big.idx.gz");
        Idx.Write(path, t);
        var e = Assert.Throws<IdxException>(() => Idx.ReadBytes(path, new ReadLimits { MaxDataBytes = 16 << 20 }));
        Assert.Contains("more than the limit of 16,777,216", e.Message);
        Assert.Equal([300, 300, 300], Idx.ReadBytes(path).Shape);
    }

    [Fact]
    public void A_checkpoint_claiming_a_billion_units_is_refused_before_the_model_is_built()
    {
        // 3 KB: a 2-8-1 MLP's weights, but metadata describing a hidden layer of 10^9 units.
        var spec = new ModelSpec { Kind = "mlp", InputShape = [2], Hidden = [8], Outputs = 1 };
        string path = _dir.File("ck.safetensors");
        ZooCheckpoint.Save(path, spec, spec.Build(new Generator(1)));
        var raw = Safetensors.LoadRaw(path);
        var meta = raw.Header.Metadata.ToDictionary();
        meta[ZooCheckpoint.SpecKey] = meta[ZooCheckpoint.SpecKey].Replace("\"hidden\":[8]", "\"hidden\":[1000000000]");
        Safetensors.SaveRaw(path, raw.Tensors, meta);
        Assert.True(new FileInfo(path).Length < 4096);
        ModelSpecException? e = null;
        long allocated = HostileFiles.Allocated(() => e = Assert.Throws<ModelSpecException>(() => ZooCheckpoint.Load(path)));
        Assert.Contains("hidden sizes (1000000000) must be at most 16,777,216", e!.Message);
        Assert.True(allocated < Budget, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_checkpoint_whose_description_does_not_fit_its_weights_is_refused_before_the_model_is_built()
    {
        // Under every cap (4,000,000 units of 16 inputs: 72 M parameters, 288 MB to build), but the file holds 33 values.
        var spec = new ModelSpec { Kind = "mlp", InputShape = [2], Hidden = [8], Outputs = 1 };
        string path = _dir.File("ck.safetensors");
        ZooCheckpoint.Save(path, spec, spec.Build(new Generator(1)));
        var raw = Safetensors.LoadRaw(path);
        var meta = raw.Header.Metadata.ToDictionary();
        meta[ZooCheckpoint.SpecKey] = new ModelSpec { Kind = "mlp", InputShape = [16], Hidden = [4_000_000], Outputs = 1 }.ToJson();
        Safetensors.SaveRaw(path, raw.Tensors, meta);
        ModelSpecException? e = null;
        long allocated = HostileFiles.Allocated(() => e = Assert.Throws<ModelSpecException>(() => ZooCheckpoint.Load(path)));
        Assert.Contains("has 72,000,001 parameters but the file's weights hold 33 values", e!.Message);
        Assert.Contains("ck.safetensors", e.Message);
        Assert.True(allocated < Budget, $"allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_single_line_csv_longer_than_the_cap_is_refused_while_it_is_read()
    {
        string path = _dir.File("line.csv");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("1,", 2_000_000)) + "1\n");
        CsvException? e = null;
        long allocated = HostileFiles.Allocated(() => e = Assert.Throws<CsvException>(() => Csv.Load(path)));
        Assert.Contains("line 1 is longer than the limit of 1,048,576 characters", e!.Message);
        Assert.True(allocated < Budget, $"allocated {allocated:N0} bytes");
        // A user with such lines raises the cap.
        Assert.Equal(2_000_001, Csv.Load(path, limits: new ReadLimits { MaxCsvLineLength = 8 << 20 }).Values.Shape[1]);
    }

    [Fact]
    public void A_sparse_gigabyte_of_NULs_is_refused_as_a_csv()
    {
        string path = _dir.File("nuls.csv");
        using (var fs = new FileStream(path, FileMode.CreateNew)) fs.SetLength(1L << 30); // sparse: no disk used
        CsvException? e = null;
        long allocated = HostileFiles.Allocated(() => e = Assert.Throws<CsvException>(() => Csv.Load(path)));
        Assert.Contains("longer than the limit", e!.Message);
        Assert.True(allocated < Budget, $"allocated {allocated:N0} bytes");
    }

    [Theory]
    [InlineData("1\0\0,2\n")]
    [InlineData("1,2\0\n")]
    [InlineData("1,\u00002\n")]
    public void Csv_fields_with_NUL_bytes_are_not_numbers(string text)
    {
        var e = Assert.Throws<CsvException>(() => Csv.Parse(text, hasHeader: false));
        Assert.Contains("\\u0000", e.Message);
        Assert.Contains("is not a number", e.Message);
    }

    [Fact]
    public void A_csv_field_longer_than_the_cap_is_refused()
    {
        var e = Assert.Throws<CsvException>(() => Csv.Parse("a,b\n1," + new string('1', 5000) + "\n"));
        Assert.Contains("line 2, column 2 is longer than the limit of 4,096 characters", e.Message);
    }

    [Fact]
    public void A_bit_flipped_npz_entry_fails_its_crc()
    {
        string path = _dir.File("a.npz");
        string npy = _dir.File("x.npy");
        Npy.Save(npy, Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2));
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
            zip.CreateEntryFromFile(npy, "x.npy", CompressionLevel.NoCompression); // stored, as np.savez writes
        Assert.Equal([1f, 2f, 3f, 4f], Npy.LoadNpz(path)["x"].ToArray());
        var bytes = File.ReadAllBytes(path);
        // The last float of the stored entry sits 4 bytes before its end; the local header is 30 + name bytes long.
        int dataStart = 30 + "x.npy".Length;
        int last = dataStart + (int)new FileInfo(npy).Length - 4;
        bytes[last] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<NpyException>(() => Npy.LoadNpz(path));
        Assert.Contains("'x.npy' is corrupt: its CRC-32", e.Message);
    }

    [Fact]
    public void An_npy_header_declaring_more_than_the_budget_is_refused()
    {
        // A real 1 MiB file is read; the same header under a 512 KiB budget is refused before its data is read.
        string path = _dir.File("a.npy");
        Npy.Save(path, Tensor.Zeros(512, 512));
        var e = Assert.Throws<NpyException>(() => Npy.Load(path, new ReadLimits { MaxDataBytes = 512 << 10 }));
        Assert.Contains("more than the limit of 524,288", e.Message);
        Assert.Equal([512, 512], Npy.Load(path).Shape);
    }

    [Fact]
    public void Safetensors_data_beyond_the_budget_is_refused_before_it_is_read()
    {
        string path = _dir.File("a.safetensors");
        Safetensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(257, 1024) });
        var e = Assert.Throws<SafetensorsException>(() => Safetensors.Load(path, new ReadLimits { MaxDataBytes = 1 << 20 }));
        Assert.Contains("more than the limit of 1,048,576", e.Message);
        Assert.Equal([257, 1024], Safetensors.Load(path).Tensors["w"].Shape);
    }

    [Fact]
    public void Saving_a_lone_surrogate_is_refused_instead_of_replaced()
    {
        string path = _dir.File("s.safetensors");
        var t = new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(1) };
        var e = Assert.Throws<SafetensorsException>(() => Safetensors.Save(path, t, new Dictionary<string, string> { ["note"] = "a\ud800b" }));
        Assert.Contains("lone UTF-16 surrogate (U+D800)", e.Message);
        Assert.Throws<SafetensorsException>(() => Safetensors.Save(path, new Dictionary<string, Tensor> { ["w\udc00"] = Tensor.Zeros(1) }));
        Assert.Throws<SafetensorsException>(() => Safetensors.Save(path, t, new Dictionary<string, string> { ["\ud800"] = "v" }));
        Assert.False(File.Exists(path));
        // A proper pair (an emoji) round-trips.
        Safetensors.Save(path, t, new Dictionary<string, string> { ["note"] = "a\ud83d\ude00b" });
        Assert.Equal("a\ud83d\ude00b", Safetensors.ReadHeader(path).Metadata["note"]);
    }

    [Theory]
    [InlineData("{\"\\ud800\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")]
    [InlineData("{\"__metadata__\":{\"k\\udc00\":\"v\"},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")]
    [InlineData("{\"__metadata__\":{\"k\":\"v\\ud800\"},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}")]
    public void Reading_a_lone_surrogate_escape_is_a_typed_error(string header)
    {
        var bytes = HostileFiles.Safetensors(header, new byte[4]);
        var e = Assert.Throws<SafetensorsException>(() => Safetensors.Load(bytes));
        Assert.Contains("not valid Unicode", e.Message);
    }

    [Fact]
    public void PrintGraph_of_a_100000_op_chain_is_bounded()
    {
        var x = Tensor.Ones(1).RequireGrad();
        var y = x;
        for (int i = 0; i < 100_000; i++) y = y * 1.0f;
        string text = "";
        long allocated = HostileFiles.Allocated(() => text = Autograd.PrintGraph(y));
        Assert.True(text.Length < 200_000, $"{text.Length:N0} characters");
        Assert.Contains("stopped after 1000 lines", text);
        Assert.Contains("[999] ", text);
        Assert.True(allocated < Budget, $"allocated {allocated:N0} bytes");
    }
}
