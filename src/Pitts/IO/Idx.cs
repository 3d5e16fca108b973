using System.Buffers.Binary;
using System.IO.Compression;

namespace Pitts.IO;

/// <summary>The element types of the IDX format (the third byte of the magic number).</summary>
public enum IdxDataType : byte
{
    /// <summary>Unsigned byte (0x08), used by MNIST images and labels.</summary>
    UInt8 = 0x08,

    /// <summary>Signed byte (0x09).</summary>
    Int8 = 0x09,

    /// <summary>Big-endian 16-bit integer (0x0B).</summary>
    Int16 = 0x0B,

    /// <summary>Big-endian 32-bit integer (0x0C).</summary>
    Int32 = 0x0C,

    /// <summary>Big-endian IEEE 754 float (0x0D).</summary>
    Float32 = 0x0D,

    /// <summary>Big-endian IEEE 754 double (0x0E).</summary>
    Float64 = 0x0E,
}

/// <summary>The validated header of an IDX file: element type, dimensions and the number of data bytes that follow.</summary>
/// <param name="DataType">The element type.</param>
/// <param name="Shape">The dimensions, outermost first (e.g. 60000, 28, 28 for MNIST's training images).</param>
/// <param name="Compressed">True when the file is gzip-compressed.</param>
public sealed record IdxHeader(IdxDataType DataType, IReadOnlyList<int> Shape, bool Compressed)
{
    /// <summary>The number of elements: the product of the dimensions.</summary>
    public long Numel => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The length of the header in bytes: 4 + 4 per dimension.</summary>
    public int HeaderLength => 4 + 4 * Shape.Count;

    /// <summary>The number of data bytes the header promises.</summary>
    public long DataLength => Numel * Idx.ElementSize(DataType);
}

/// <summary>
/// Reads and writes IDX files (LeCun's MNIST format), plain or gzip-compressed: a magic number 0x00 0x00 &lt;type&gt;
/// &lt;rank&gt;, one big-endian 32-bit size per dimension, then the elements big-endian in row-major order.
/// </summary>
/// <remarks>
/// The reader checks the magic number, the element type, the rank, every dimension and the exact length of the data
/// (for .gz files against the uncompressed size recorded in the gzip trailer) before allocating, and raises
/// <see cref="IdxException"/> naming the file and the problem.
/// </remarks>
public static class Idx
{
    /// <summary>The largest rank accepted (the format stores it in one byte; real files use 1 to 4).</summary>
    public const int MaxRank = 16;

    /// <summary>The size in bytes of one element of the given type.</summary>
    public static int ElementSize(IdxDataType t) => t switch
    {
        IdxDataType.UInt8 or IdxDataType.Int8 => 1,
        IdxDataType.Int16 => 2,
        IdxDataType.Int32 or IdxDataType.Float32 => 4,
        IdxDataType.Float64 => 8,
        _ => throw new IdxException($"IDX: unknown element type 0x{(byte)t:X2}"),
    };

    /// <summary>Reads and validates the header of the IDX file at <paramref name="path"/> (plain or gzip).</summary>
    public static IdxHeader ReadHeader(string path, ReadLimits? limits = null)
    {
        using var fs = Open(path);
        var (h, _) = ReadHeaderAndOpen(fs, path, limits ?? ReadLimits.Default, out var body);
        if (body != fs) body.Dispose();
        return h;
    }

    /// <summary>Reads and validates the header of an IDX file (plain or gzip) from a seekable stream.</summary>
    public static IdxHeader ReadHeader(Stream stream, ReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var (h, _) = ReadHeaderAndOpen(stream, "stream", limits ?? ReadLimits.Default, out var body);
        if (body != stream) body.Dispose();
        return h;
    }

    /// <summary>Reads the IDX file at <paramref name="path"/> (plain or gzip) into a float32 tensor of its shape.</summary>
    public static Tensor Read(string path, ReadLimits? limits = null)
    {
        using var fs = Open(path);
        return Read(fs, path, limits);
    }

    /// <summary>Reads an IDX file (plain or gzip) from a seekable stream into a float32 tensor of its shape.</summary>
    public static Tensor Read(Stream stream, ReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Read(stream, "stream", limits);
    }

    /// <summary>Reads an unsigned-byte IDX file (e.g. MNIST images or labels) as raw bytes, with its shape.</summary>
    public static (byte[] Data, int[] Shape) ReadBytes(string path, ReadLimits? limits = null)
    {
        using var fs = Open(path);
        var (h, bytes) = ReadRaw(fs, path, limits ?? ReadLimits.Default);
        if (h.DataType != IdxDataType.UInt8)
            throw new IdxException($"IDX: {path}: ReadBytes needs unsigned bytes (0x08) but the file holds {h.DataType}");
        return (bytes, h.Shape.ToArray());
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
            throw new IdxException($"IDX: cannot open '{path}': {e.Message}", e);
        }
    }

    private static Tensor Read(Stream stream, string source, ReadLimits? limits)
    {
        var (h, bytes) = ReadRaw(stream, source, limits ?? ReadLimits.Default);
        var values = ShapeUtil.Alloc((int)h.Numel);
        var b = bytes.AsSpan();
        switch (h.DataType)
        {
            case IdxDataType.UInt8: for (int i = 0; i < values.Length; i++) values[i] = b[i]; break;
            case IdxDataType.Int8: for (int i = 0; i < values.Length; i++) values[i] = (sbyte)b[i]; break;
            case IdxDataType.Int16: for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt16BigEndian(b[(2 * i)..]); break;
            case IdxDataType.Int32: for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadInt32BigEndian(b[(4 * i)..]); break;
            case IdxDataType.Float32: for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleBigEndian(b[(4 * i)..]); break;
            case IdxDataType.Float64: for (int i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadDoubleBigEndian(b[(8 * i)..]); break;
        }
        return new Tensor(values, 0, h.Shape.ToArray());
    }

    private static (IdxHeader, byte[]) ReadRaw(Stream stream, string source, ReadLimits limits)
    {
        var (h, _) = ReadHeaderAndOpen(stream, source, limits, out var reader);
        try
        {
            var bytes = new byte[h.DataLength];
            try
            {
                int got = reader.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
                if (got != bytes.Length)
                    throw new IdxException($"IDX: {source}: file ends after {got} of the {bytes.Length} data bytes its header declares");
                // Decompression stops at the first byte past what the header declared.
                if (reader.ReadByte() >= 0)
                    throw new IdxException($"IDX: {source}: trailing bytes after the {bytes.Length} data bytes the header declares");
            }
            catch (InvalidDataException e)
            {
                throw new IdxException($"IDX: {source}: corrupt gzip data: {e.Message}", e);
            }
            return (h, bytes);
        }
        finally
        {
            if (reader != stream) reader.Dispose();
        }
    }

    // Parses the header and returns a stream positioned at the data (a GZipStream for compressed files).
    private static (IdxHeader, long) ReadHeaderAndOpen(Stream stream, string source, ReadLimits limits, out Stream body)
    {
        limits.Checked();
        if (!stream.CanSeek) throw new IdxException($"IDX: {source}: the stream must be seekable (copy it to a MemoryStream first)");
        long fileLength = stream.Length - stream.Position;
        long start = stream.Position;
        Span<byte> magic = stackalloc byte[4];
        int n = stream.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
        bool gz = n >= 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        long? gzipSize = null;
        if (gz)
        {
            // The gzip trailer's last 4 bytes hold the uncompressed length mod 2^32: compare it with the header's promise
            // before allocating anything.
            if (fileLength < 18) throw new IdxException($"IDX: {source}: gzip file of {fileLength} bytes is truncated");
            Span<byte> isize = stackalloc byte[4];
            stream.Position = start + fileLength - 4;
            stream.ReadExactly(isize);
            gzipSize = BinaryPrimitives.ReadUInt32LittleEndian(isize);
            stream.Position = start;
            body = new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true);
            try
            {
                n = body.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
            }
            catch (InvalidDataException e)
            {
                body.Dispose();
                throw new IdxException($"IDX: {source}: corrupt gzip data: {e.Message}", e);
            }
        }
        else
        {
            stream.Position = start;
            body = stream;
            n = stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        }
        try
        {
            if (n < 4) throw new IdxException($"IDX: {source}: file is {n} bytes, too short for the 4-byte magic number");
            if (magic[0] != 0 || magic[1] != 0)
                throw new IdxException($"IDX: {source}: wrong magic number 0x{magic[0]:X2}{magic[1]:X2}{magic[2]:X2}{magic[3]:X2}: an IDX file starts with two zero bytes");
            var type = (IdxDataType)magic[2];
            if (!Enum.IsDefined(type))
                throw new IdxException($"IDX: {source}: unknown element type 0x{magic[2]:X2} (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)");
            int rank = magic[3];
            if (rank == 0 || rank > MaxRank)
                throw new IdxException($"IDX: {source}: rank {rank} is not supported (expected 1 to {MaxRank} dimensions)");
            var dimBytes = new byte[4 * rank];
            int got = body.ReadAtLeast(dimBytes, dimBytes.Length, throwOnEndOfStream: false);
            if (got != dimBytes.Length)
                throw new IdxException($"IDX: {source}: file ends inside the header: {rank} dimensions need {dimBytes.Length} bytes, found {got}");
            var shape = new int[rank];
            long numel = 1;
            for (int i = 0; i < rank; i++)
            {
                uint d = BinaryPrimitives.ReadUInt32BigEndian(dimBytes.AsSpan(4 * i));
                if (d > int.MaxValue) throw new IdxException($"IDX: {source}: dimension {i} has size {d}, larger than {int.MaxValue}");
                shape[i] = (int)d;
                numel *= d;
                if (numel > Array.MaxLength)
                    throw new IdxException($"IDX: {source}: dimensions ({string.Join("x", shape.Take(i + 1))}...) hold more elements than a tensor can");
            }
            var h = new IdxHeader(type, shape, gz);
            long total = h.HeaderLength + h.DataLength;
            if (h.DataLength > Array.MaxLength)
                throw new IdxException($"IDX: {source}: shape ({string.Join("x", shape)}) of {type} needs {h.DataLength} bytes, more than an array can hold");
            if (h.DataLength > limits.MaxDataBytes)
                throw new IdxException($"IDX: {source}: header shape ({string.Join("x", shape)}) of {type} {limits.Over(h.DataLength)}");
            if (gz)
            {
                if ((total & 0xFFFFFFFF) != gzipSize)
                    throw new IdxException($"IDX: {source}: header declares shape ({string.Join("x", shape)}) of {type}, {total} bytes in all, but the gzip trailer records {gzipSize} uncompressed bytes");
                // Deflate expands at most about 1032:1, so a tiny file cannot hold a huge array.
                if (total > fileLength * 1032L + 1024)
                    throw new IdxException($"IDX: {source}: header declares {total} bytes, more than a {fileLength}-byte gzip file can hold");
            }
            else if (total != fileLength)
            {
                throw new IdxException(total > fileLength
                    ? $"IDX: {source}: header declares shape ({string.Join("x", shape)}) of {type}, {total} bytes in all, but the file has only {fileLength}: truncated"
                    : $"IDX: {source}: header declares shape ({string.Join("x", shape)}) of {type}, {total} bytes in all, but the file has {fileLength}: trailing bytes");
            }
            return (h, total);
        }
        catch (InvalidDataException e)
        {
            if (gz) body.Dispose();
            throw new IdxException($"IDX: {source}: corrupt gzip data: {e.Message}", e);
        }
        catch
        {
            if (gz) body.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes <paramref name="tensor"/> as an IDX file of element type <paramref name="type"/>, gzip-compressed when the path
    /// ends in .gz; the file is written to a temporary name and renamed, so a crash never leaves a partial file.
    /// </summary>
    public static void Write(string path, Tensor tensor, IdxDataType type = IdxDataType.UInt8)
    {
        if (tensor.Rank == 0 || tensor.Rank > MaxRank)
            throw new IdxException($"IDX: cannot write a tensor of rank {tensor.Rank} (IDX needs 1 to {MaxRank} dimensions)");
        var data = tensor.AsSpan();
        var bytes = new byte[4 + 4 * tensor.Rank + (long)data.Length * ElementSize(type)];
        bytes[2] = (byte)type;
        bytes[3] = (byte)tensor.Rank;
        for (int i = 0; i < tensor.Rank; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), tensor.Shape[i]);
        var dst = bytes.AsSpan(4 + 4 * tensor.Rank);
        for (int i = 0; i < data.Length; i++)
        {
            float v = data[i];
            switch (type)
            {
                case IdxDataType.UInt8: dst[i] = (byte)CheckInt(v, 0, 255, i, type); break;
                case IdxDataType.Int8: dst[i] = (byte)(sbyte)CheckInt(v, -128, 127, i, type); break;
                case IdxDataType.Int16: BinaryPrimitives.WriteInt16BigEndian(dst[(2 * i)..], (short)CheckInt(v, short.MinValue, short.MaxValue, i, type)); break;
                case IdxDataType.Int32: BinaryPrimitives.WriteInt32BigEndian(dst[(4 * i)..], (int)CheckInt(v, int.MinValue, int.MaxValue, i, type)); break;
                case IdxDataType.Float32: BinaryPrimitives.WriteSingleBigEndian(dst[(4 * i)..], v); break;
                case IdxDataType.Float64: BinaryPrimitives.WriteDoubleBigEndian(dst[(8 * i)..], v); break;
                default: throw new IdxException($"IDX: unknown element type 0x{(byte)type:X2}");
            }
        }
        bool gz = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        AtomicFile.Write(path, s =>
        {
            if (gz)
            {
                using var z = new GZipStream(s, CompressionLevel.SmallestSize, leaveOpen: true);
                z.Write(bytes);
            }
            else
            {
                s.Write(bytes);
            }
        }, msg => new IdxException($"IDX: {msg}"));
    }

    private static double CheckInt(float v, double lo, double hi, int i, IdxDataType type)
    {
        if (v != MathF.Round(v) || v < lo || v > hi)
            throw new IdxException($"IDX: element {i} = {v} cannot be stored as {type} (integers {lo} to {hi})");
        return v;
    }
}

/// <summary>
/// Writes a file through a temporary file in the same folder (<c>.NAME.GUID.tmp</c>) that is flushed and then renamed
/// over the target. The temporary is removed when the write fails, when the process exits while it is open (Ctrl+C,
/// SIGTERM), and, if a kill left one behind, by the next write to the same target.
/// </summary>
internal static class AtomicFile
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> InFlight = new();

    static AtomicFile() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var tmp in InFlight.Keys) TryDelete(tmp);
    };

    public static void Write(string path, Action<Stream> write, Func<string, Exception> error, Action<string>? beforeRename = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full;
        try { full = Path.GetFullPath(path); }
        catch (ArgumentException e) { throw error($"cannot save '{path}': {e.Message}"); }
        string dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) throw error($"cannot save '{path}': folder '{dir}' does not exist");
        if (Directory.Exists(full)) throw error($"cannot save '{path}': it is a folder");
        RemoveStale(dir, Path.GetFileName(full));
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        InFlight.TryAdd(tmp, 0);
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            beforeRename?.Invoke(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        catch (Exception e)
        {
            TryDelete(tmp);
            if (e is IOException or UnauthorizedAccessException) throw error($"cannot save '{path}': {e.Message}");
            throw;
        }
        finally
        {
            InFlight.TryRemove(tmp, out _);
        }
    }

    /// <summary>The temporaries of earlier writes to <paramref name="name"/> in <paramref name="dir"/> that a kill left behind.</summary>
    public static IEnumerable<string> Temporaries(string dir, string name) =>
        Directory.EnumerateFiles(dir, $".{name}.*.tmp").Where(f => IsTemporaryName(Path.GetFileName(f), name));

    private static bool IsTemporaryName(string file, string name) =>
        file.Length == name.Length + 38 && file.StartsWith($".{name}.", StringComparison.Ordinal) && file.EndsWith(".tmp", StringComparison.Ordinal)
        && file.AsSpan(name.Length + 2, 32).ContainsAnyExcept("0123456789abcdef") is false;

    // A temporary another writer still holds is locked (FileShare.None takes an exclusive lock), so only abandoned ones go.
    private static void RemoveStale(string dir, string name)
    {
        try
        {
            foreach (var f in Temporaries(dir, name))
            {
                try
                {
                    using (new FileStream(f, FileMode.Open, FileAccess.ReadWrite, FileShare.None)) { }
                    File.Delete(f);
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static void TryDelete(string file)
    {
        try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
