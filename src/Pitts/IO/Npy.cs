using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Pitts.IO;

/// <summary>The parsed header of a .npy file.</summary>
/// <param name="Version">The format version, (1, 0), (2, 0) or (3, 0).</param>
/// <param name="Descr">The dtype string, e.g. &lt;f4 or |u1.</param>
/// <param name="Shape">The array's dimensions (empty for a scalar).</param>
/// <param name="DataOffset">Where the data starts: the length of magic, version, header length and header.</param>
public sealed record NpyHeader((int Major, int Minor) Version, string Descr, IReadOnlyList<int> Shape, long DataOffset)
{
    /// <summary>The number of elements: the product of the shape.</summary>
    public long Numel => Shape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// Reads NumPy's .npy files (format versions 1.0, 2.0 and 3.0; C order; bool, int8/16/32/64, uint8/16/32/64, float16/32/64
/// in either byte order) into float32 tensors, .npz archives of them, and writes float32 .npy files exactly as
/// <c>np.save</c> does. Fortran-ordered arrays, object arrays and structured dtypes are refused with
/// <see cref="NpyException"/>.
/// </summary>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads the .npy file at <paramref name="path"/> into a float32 tensor of its shape.</summary>
    public static Tensor Load(string path, ReadLimits? limits = null)
    {
        using var fs = Open(path);
        return Load(fs, path, (limits ?? ReadLimits.Default).Checked());
    }

    /// <summary>Reads a .npy file from a seekable stream into a float32 tensor of its shape.</summary>
    public static Tensor Load(Stream stream, ReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Load(stream, "stream", (limits ?? ReadLimits.Default).Checked());
    }

    /// <summary>Reads the header of the .npy file at <paramref name="path"/>.</summary>
    public static NpyHeader ReadHeader(string path)
    {
        using var fs = Open(path);
        return ReadHeader(fs, path, fs.Length);
    }

    /// <summary>
    /// Reads every array of the .npz archive at <paramref name="path"/>, keyed by name (without ".npy"); each entry's
    /// bytes are checked against the CRC-32 its zip header records, as NumPy does.
    /// </summary>
    public static Dictionary<string, Tensor> LoadNpz(string path, ReadLimits? limits = null)
    {
        var budget = (limits ?? ReadLimits.Default).Checked();
        using var fs = Open(path);
        try
        {
            using var zip = new ZipArchive(fs, ZipArchiveMode.Read);
            var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
                    throw new NpyException($"npz: {path}: entry '{entry.FullName}' is not a .npy file");
                string name = entry.FullName[..^4];
                total += entry.Length;
                if (entry.Length < 0 || total > budget.MaxDataBytes)
                    throw new NpyException($"npz: {path}: entry '{entry.FullName}' of {entry.Length:N0} bytes brings the archive to {total:N0}: it {budget.Over(total)}");
                // The declared size is capped above, so the buffer is too; a stream that yields more is refused at once.
                var bytes = new byte[entry.Length];
                using (var s = entry.Open())
                {
                    int got = s.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
                    if (got != bytes.Length)
                        throw new NpyException($"npz: {path}: entry '{entry.FullName}' ends after {got} of the {entry.Length} bytes the archive declares");
                    if (s.ReadByte() >= 0)
                        throw new NpyException($"npz: {path}: entry '{entry.FullName}' holds more than the {entry.Length} bytes the archive declares");
                }
                uint crc = System.IO.Hashing.Crc32.HashToUInt32(bytes);
                if (crc != entry.Crc32)
                    throw new NpyException($"npz: {path}: entry '{entry.FullName}' is corrupt: its CRC-32 is {crc:x8} but the archive records {entry.Crc32:x8}");
                var ms = new MemoryStream(bytes, writable: false);
                if (!result.TryAdd(name, Load(ms, $"{path}:{entry.FullName}", budget)))
                    throw new NpyException($"npz: {path}: duplicate entry '{entry.FullName}'");
            }
            return result;
        }
        catch (Exception e) when (e is InvalidDataException or NotSupportedException or IOException)
        {
            throw new NpyException($"npz: {path}: not a valid zip archive or a corrupt entry: {e.Message}", e);
        }
    }

    private static FileStream Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new NpyException($"npy: cannot open '{path}': {e.Message}", e);
        }
    }

    private static Tensor Load(Stream stream, string source, ReadLimits limits)
    {
        if (!stream.CanSeek) throw new NpyException($"npy: {source}: the stream must be seekable");
        long start = stream.Position;
        long length = stream.Length - start;
        var h = ReadHeader(stream, source, length);
        var (size, kind, little) = ParseDescr(h.Descr, source);
        long bytes = h.Numel * size;
        if (h.DataOffset + bytes != length)
            throw new NpyException(h.DataOffset + bytes > length
                ? $"npy: {source}: shape ({string.Join(", ", h.Shape)}) of {h.Descr} needs {bytes} data bytes but the file has only {length - h.DataOffset}: truncated"
                : $"npy: {source}: shape ({string.Join(", ", h.Shape)}) of {h.Descr} needs {bytes} data bytes but the file has {length - h.DataOffset}: trailing bytes");
        if (h.Numel > Array.MaxLength || bytes > Array.MaxLength)
            throw new NpyException($"npy: {source}: {h.Numel} elements of {h.Descr} are more than a tensor can hold");
        if (bytes > limits.MaxDataBytes)
            throw new NpyException($"npy: {source}: shape ({string.Join(", ", h.Shape)}) of {h.Descr} {limits.Over(bytes)}");
        var raw = new byte[bytes];
        stream.Position = start + h.DataOffset;
        stream.ReadExactly(raw);
        var values = ShapeUtil.Alloc((int)h.Numel);
        Convert(raw, values, size, kind, little);
        return new Tensor(values, 0, h.Shape.ToArray());
    }

    private static NpyHeader ReadHeader(Stream s, string source, long length)
    {
        Span<byte> pre = stackalloc byte[12];
        int n = s.ReadAtLeast(pre, 12, throwOnEndOfStream: false);
        if (n < 10) throw new NpyException($"npy: {source}: file is {n} bytes, too short for a .npy header");
        if (!pre[..6].SequenceEqual(Magic))
            throw new NpyException($"npy: {source}: wrong magic number (a .npy file starts with \\x93NUMPY)");
        int major = pre[6], minor = pre[7];
        long headerLen;
        int prefix;
        if (major == 1)
        {
            headerLen = BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]);
            prefix = 10;
            s.Position -= n - 10;
        }
        else if (major is 2 or 3)
        {
            if (n < 12) throw new NpyException($"npy: {source}: file ends inside the version {major} header length");
            headerLen = BinaryPrimitives.ReadUInt32LittleEndian(pre[8..]);
            prefix = 12;
        }
        else
        {
            throw new NpyException($"npy: {source}: format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are)");
        }
        if (minor != 0) throw new NpyException($"npy: {source}: format version {major}.{minor} is not supported (1.0, 2.0 and 3.0 are)");
        if (headerLen > 1_000_000 || prefix + headerLen > length)
            throw new NpyException($"npy: {source}: header length {headerLen} runs past the end of the {length}-byte file or is implausibly large");
        var hb = new byte[headerLen];
        s.ReadExactly(hb);
        string text;
        try
        {
            text = (major == 3 ? new UTF8Encoding(false, true) : Encoding.Latin1).GetString(hb);
        }
        catch (DecoderFallbackException e)
        {
            throw new NpyException($"npy: {source}: version 3 header is not valid UTF-8", e);
        }
        var (descr, fortran, shape) = ParseDict(text, source);
        if (fortran)
            throw new NpyException($"npy: {source}: the array is in Fortran (column-major) order, which Pitts does not read; save it with np.save(path, np.ascontiguousarray(a))");
        return new NpyHeader((major, minor), descr, shape, prefix + headerLen);
    }

    // The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
    private static (string, bool, int[]) ParseDict(string text, string source)
    {
        int i = 0;
        string Err(string what) => $"npy: {source}: malformed header ({what}): {text.TrimEnd()}";
        void Ws() { while (i < text.Length && char.IsWhiteSpace(text[i])) i++; }
        void Expect(char c)
        {
            Ws();
            if (i >= text.Length || text[i] != c) throw new NpyException(Err($"expected '{c}' at {i}"));
            i++;
        }
        string Str()
        {
            Ws();
            if (i >= text.Length || (text[i] != '\'' && text[i] != '"')) throw new NpyException(Err($"expected a string at {i}"));
            char q = text[i++];
            int s0 = i;
            while (i < text.Length && text[i] != q) i++;
            if (i >= text.Length) throw new NpyException(Err("unterminated string"));
            return text[s0..i++];
        }
        string? descr = null;
        bool? fortran = null;
        int[]? shape = null;
        Expect('{');
        while (true)
        {
            Ws();
            if (i < text.Length && text[i] == '}') { i++; break; }
            string key = Str();
            Expect(':');
            Ws();
            switch (key)
            {
                case "descr":
                    if (descr is not null) throw new NpyException(Err("duplicate key 'descr'"));
                    if (i < text.Length && text[i] == '[') throw new NpyException($"npy: {source}: structured dtypes are not supported (descr is a list of fields)");
                    descr = Str();
                    break;
                case "fortran_order":
                    if (fortran is not null) throw new NpyException(Err("duplicate key 'fortran_order'"));
                    if (string.CompareOrdinal(text, i, "True", 0, 4) == 0) { fortran = true; i += 4; }
                    else if (string.CompareOrdinal(text, i, "False", 0, 5) == 0) { fortran = false; i += 5; }
                    else throw new NpyException(Err("fortran_order must be True or False"));
                    break;
                case "shape":
                    if (shape is not null) throw new NpyException(Err("duplicate key 'shape'"));
                    Expect('(');
                    var dims = new List<int>();
                    while (true)
                    {
                        Ws();
                        if (i < text.Length && text[i] == ')') { i++; break; }
                        int s0 = i;
                        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
                        if (s0 == i || !int.TryParse(text.AsSpan(s0, i - s0), out int d))
                            throw new NpyException(Err("shape must be a tuple of non-negative integers below 2^31"));
                        dims.Add(d);
                        Ws();
                        if (i < text.Length && text[i] == ',') i++;
                        else if (i < text.Length && text[i] != ')') throw new NpyException(Err("expected ',' or ')' in shape"));
                    }
                    shape = dims.ToArray();
                    break;
                default:
                    throw new NpyException(Err($"unknown key '{key}'"));
            }
            Ws();
            if (i < text.Length && text[i] == ',') i++;
        }
        if (text[i..].Trim().Length != 0) throw new NpyException(Err("content after the dict"));
        if (descr is null || fortran is null || shape is null)
            throw new NpyException(Err("it needs the keys descr, fortran_order and shape"));
        long numel = 1;
        foreach (int d in shape)
        {
            numel *= d;
            if (numel > Array.MaxLength) throw new NpyException($"npy: {source}: shape ({string.Join(", ", shape)}) holds more elements than a tensor can");
        }
        return (descr, fortran.Value, shape);
    }

    private enum Kind { Float, Int, UInt, Bool }

    private static (int Size, Kind Kind, bool Little) ParseDescr(string descr, string source)
    {
        if (descr.Length < 3) throw new NpyException($"npy: {source}: unsupported dtype '{descr}'");
        char order = descr[0];
        bool little = order switch
        {
            '<' or '|' or '=' => true,
            '>' => false,
            _ => throw new NpyException($"npy: {source}: unsupported dtype '{descr}' (expected a byte-order mark < > | =)"),
        };
        string t = descr[1..];
        (int, Kind) k = t switch
        {
            "f2" => (2, Kind.Float),
            "f4" => (4, Kind.Float),
            "f8" => (8, Kind.Float),
            "i1" => (1, Kind.Int),
            "i2" => (2, Kind.Int),
            "i4" => (4, Kind.Int),
            "i8" => (8, Kind.Int),
            "u1" => (1, Kind.UInt),
            "u2" => (2, Kind.UInt),
            "u4" => (4, Kind.UInt),
            "u8" => (8, Kind.UInt),
            "b1" => (1, Kind.Bool),
            _ => throw new NpyException($"npy: {source}: unsupported dtype '{descr}' (Pitts reads bool, int8-64, uint8-64 and float16/32/64)"),
        };
        return (k.Item1, k.Item2, little);
    }

    private static void Convert(byte[] raw, float[] dst, int size, Kind kind, bool little)
    {
        var b = raw.AsSpan();
        for (int i = 0; i < dst.Length; i++)
        {
            var e = b.Slice(i * size, size);
            dst[i] = (kind, size) switch
            {
                (Kind.Float, 2) => (float)(little ? BinaryPrimitives.ReadHalfLittleEndian(e) : BinaryPrimitives.ReadHalfBigEndian(e)),
                (Kind.Float, 4) => little ? BinaryPrimitives.ReadSingleLittleEndian(e) : BinaryPrimitives.ReadSingleBigEndian(e),
                (Kind.Float, 8) => (float)(little ? BinaryPrimitives.ReadDoubleLittleEndian(e) : BinaryPrimitives.ReadDoubleBigEndian(e)),
                (Kind.Int, 1) => (sbyte)e[0],
                (Kind.Int, 2) => little ? BinaryPrimitives.ReadInt16LittleEndian(e) : BinaryPrimitives.ReadInt16BigEndian(e),
                (Kind.Int, 4) => little ? BinaryPrimitives.ReadInt32LittleEndian(e) : BinaryPrimitives.ReadInt32BigEndian(e),
                (Kind.Int, 8) => little ? BinaryPrimitives.ReadInt64LittleEndian(e) : BinaryPrimitives.ReadInt64BigEndian(e),
                (Kind.UInt, 1) => e[0],
                (Kind.UInt, 2) => little ? BinaryPrimitives.ReadUInt16LittleEndian(e) : BinaryPrimitives.ReadUInt16BigEndian(e),
                (Kind.UInt, 4) => little ? BinaryPrimitives.ReadUInt32LittleEndian(e) : BinaryPrimitives.ReadUInt32BigEndian(e),
                (Kind.UInt, 8) => little ? BinaryPrimitives.ReadUInt64LittleEndian(e) : BinaryPrimitives.ReadUInt64BigEndian(e),
                (Kind.Bool, _) => e[0] != 0 ? 1f : 0f,
                _ => throw new NpyException($"npy: unsupported element {kind}{size}"),
            };
        }
    }

    /// <summary>
    /// Writes <paramref name="tensor"/> as a float32 ('&lt;f4', C order) .npy file, byte for byte as <c>np.save</c> writes it
    /// (version 1.0, header padded with spaces to a multiple of 64 bytes); the write is atomic (temporary file, then rename).
    /// </summary>
    public static void Save(string path, Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        string shape = tensor.Rank switch
        {
            0 => "()",
            1 => $"({tensor.Shape[0]},)",
            _ => "(" + string.Join(", ", tensor.Shape) + ")",
        };
        string dict = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}";
        int total = 10 + dict.Length + 1;
        int pad = (64 - total % 64) % 64;
        string header = dict + new string(' ', pad) + "\n";
        AtomicFile.Write(path, s =>
        {
            s.Write(Magic);
            s.WriteByte(1);
            s.WriteByte(0);
            Span<byte> len = stackalloc byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)header.Length);
            s.Write(len);
            s.Write(Encoding.Latin1.GetBytes(header));
            var data = tensor.AsSpan();
            var buf = new byte[4];
            foreach (float v in data)
            {
                BinaryPrimitives.WriteSingleLittleEndian(buf, v);
                s.Write(buf);
            }
        }, msg => new NpyException($"npy: {msg}"));
    }
}
