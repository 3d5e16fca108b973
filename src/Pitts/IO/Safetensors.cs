using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pitts.IO;

/// <summary>One tensor's entry in a safetensors header: its name, dtype, shape and byte range in the data buffer.</summary>
/// <param name="Name">The tensor's key in the header, e.g. <c>fc1.weight</c>.</param>
/// <param name="Dtype">The dtype string as written in the file, e.g. <c>F32</c> or <c>BF16</c>.</param>
/// <param name="Shape">The dimensions, outermost first (row-major).</param>
/// <param name="Begin">Offset of the first byte, relative to the start of the data buffer (after the header).</param>
/// <param name="End">Offset one past the last byte, relative to the start of the data buffer.</param>
public sealed record SafetensorsEntry(string Name, string Dtype, IReadOnlyList<long> Shape, long Begin, long End)
{
    /// <summary>The number of elements: the product of the shape (1 for a scalar).</summary>
    public long Numel => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>The number of bytes the entry occupies: End - Begin.</summary>
    public long ByteLength => End - Begin;

    /// <summary>The shape printed the way error messages print shapes, e.g. (2x3).</summary>
    public string ShapeText => Shape.Count == 0 ? "()" : "(" + string.Join("x", Shape) + ")";
}

/// <summary>The parsed and validated header of a safetensors file (no tensor data is read).</summary>
public sealed class SafetensorsHeader
{
    internal SafetensorsHeader(IReadOnlyList<SafetensorsEntry> entries, IReadOnlyDictionary<string, string> metadata, long headerLength, long fileLength)
    {
        Entries = entries;
        Metadata = metadata;
        HeaderLength = headerLength;
        FileLength = fileLength;
    }

    /// <summary>The tensors in the order the header lists them.</summary>
    public IReadOnlyList<SafetensorsEntry> Entries { get; }

    /// <summary>The <c>__metadata__</c> string map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>N, the length in bytes of the JSON header (including its padding), read from the first 8 bytes.</summary>
    public long HeaderLength { get; }

    /// <summary>The absolute file offset where the data buffer starts: 8 + N.</summary>
    public long DataStart => 8 + HeaderLength;

    /// <summary>The total length of the file in bytes.</summary>
    public long FileLength { get; }

    /// <summary>A plain-text table of the tensors (name, dtype, shape, elements) with totals and the metadata, for inspection.</summary>
    public string Summary()
    {
        var sb = new StringBuilder();
        int w = Math.Max(4, Entries.Count == 0 ? 0 : Entries.Max(e => e.Name.Length));
        int ws = Math.Max(5, Entries.Count == 0 ? 0 : Entries.Max(e => e.ShapeText.Length));
        sb.Append("name".PadRight(w)).Append("  dtype    ").Append("shape".PadRight(ws)).AppendLine("  elements");
        foreach (var e in Entries.OrderBy(e => e.Begin))
            sb.Append(e.Name.PadRight(w)).Append("  ").Append(e.Dtype.PadRight(7)).Append("  ").Append(e.ShapeText.PadRight(ws)).Append("  ").AppendLine(e.Numel.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        long elements = Entries.Sum(e => e.Numel);
        sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"{Entries.Count} tensors, {elements:N0} elements, {FileLength - DataStart:N0} data bytes, {HeaderLength:N0} header bytes");
        foreach (var (k, v) in Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) sb.AppendLine().Append("  ").Append(k).Append(" = ").Append(v);
        return sb.ToString();
    }
}

/// <summary>The tensors and metadata read from a safetensors file.</summary>
public sealed class SafetensorsFile
{
    internal SafetensorsFile(IReadOnlyDictionary<string, Tensor> tensors, SafetensorsHeader header)
    {
        Tensors = tensors;
        Header = header;
    }

    /// <summary>The tensors by name, converted to float32, in header order.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> string map (empty when the file has none).</summary>
    public IReadOnlyDictionary<string, string> Metadata => Header.Metadata;

    /// <summary>The validated header, with each tensor's original dtype.</summary>
    public SafetensorsHeader Header { get; }
}

/// <summary>A tensor as the bytes a safetensors file stores: its dtype string, shape and little-endian row-major data.</summary>
/// <param name="Dtype">The dtype string, e.g. F32, I64, U64, BF16.</param>
/// <param name="Shape">The dimensions, outermost first.</param>
/// <param name="Data">The elements, little-endian, row-major.</param>
public sealed record SafetensorsRawTensor(string Dtype, IReadOnlyList<long> Shape, byte[] Data)
{
    /// <summary>A float32 tensor's bytes (dtype F32).</summary>
    public static SafetensorsRawTensor FromTensor(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        var b = new byte[4L * tensor.Numel];
        var src = tensor.AsSpan();
        for (int i = 0; i < src.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), src[i]);
        return new("F32", tensor.Shape.Select(d => (long)d).ToArray(), b);
    }

    /// <summary>64-bit signed integers (dtype I64), shaped (n) unless a shape is given.</summary>
    public static SafetensorsRawTensor FromInt64(long[] values, params long[] shape)
    {
        ArgumentNullException.ThrowIfNull(values);
        var b = new byte[8L * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(b.AsSpan(8 * i), values[i]);
        return new("I64", shape.Length > 0 ? shape : [values.Length], b);
    }

    /// <summary>64-bit unsigned integers (dtype U64), e.g. the four words of <see cref="Generator.GetState"/>.</summary>
    public static SafetensorsRawTensor FromUInt64(ulong[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var b = new byte[8L * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(8 * i), values[i]);
        return new("U64", [values.Length], b);
    }

    /// <summary>The elements of an I64 tensor.</summary>
    public long[] ToInt64()
    {
        if (Dtype != "I64") throw new SafetensorsException($"safetensors: ToInt64 needs dtype I64, this tensor is {Dtype}");
        var r = new long[Data.Length / 8];
        for (int i = 0; i < r.Length; i++) r[i] = BinaryPrimitives.ReadInt64LittleEndian(Data.AsSpan(8 * i));
        return r;
    }

    /// <summary>The elements of a U64 tensor.</summary>
    public ulong[] ToUInt64()
    {
        if (Dtype != "U64") throw new SafetensorsException($"safetensors: ToUInt64 needs dtype U64, this tensor is {Dtype}");
        var r = new ulong[Data.Length / 8];
        for (int i = 0; i < r.Length; i++) r[i] = BinaryPrimitives.ReadUInt64LittleEndian(Data.AsSpan(8 * i));
        return r;
    }
}

/// <summary>
/// Reads and writes the safetensors format (Hugging Face): an 8-byte little-endian unsigned header length N, N bytes
/// of UTF-8 JSON mapping each tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> plus an optional
/// <c>"__metadata__"</c> map of strings to strings, then the data buffer: little-endian, row-major tensors whose byte
/// ranges are contiguous, do not overlap and cover the whole buffer.
/// </summary>
/// <remarks>
/// Every rule of the format is checked before any tensor is allocated, and a violation raises
/// <see cref="SafetensorsException"/> naming the rule and the values. Saving writes to a temporary file in the target's
/// folder, flushes it to disk and renames it over the target, so a crash never leaves a partial file.
/// </remarks>
public static class Safetensors
{
    /// <summary>The largest header accepted, 100,000,000 bytes: the limit of the reference implementation.</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>The metadata key reserved by the format.</summary>
    public const string MetadataKey = "__metadata__";

    // Size in bits of each dtype the format defines (sub-byte float formats included, so headers using them validate).
    private static readonly Dictionary<string, int> DtypeBits = new(StringComparer.Ordinal)
    {
        ["BOOL"] = 8,
        ["U8"] = 8,
        ["I8"] = 8,
        ["F8_E5M2"] = 8,
        ["F8_E4M3"] = 8,
        ["F8_E8M0"] = 8,
        ["I16"] = 16,
        ["U16"] = 16,
        ["F16"] = 16,
        ["BF16"] = 16,
        ["I32"] = 32,
        ["U32"] = 32,
        ["F32"] = 32,
        ["F64"] = 64,
        ["I64"] = 64,
        ["U64"] = 64,
        ["C64"] = 64,
        ["F4"] = 4,
        ["F6_E2M3"] = 6,
        ["F6_E3M2"] = 6,
    };

    /// <summary>The dtype strings of the format, all of which <see cref="ReadHeader(string)"/> accepts.</summary>
    public static IReadOnlyCollection<string> Dtypes => DtypeBits.Keys;

    /// <summary>The dtypes that <see cref="Load(string, ReadLimits?)"/> converts to float32 (the others can only be listed).</summary>
    public static IReadOnlyCollection<string> LoadableDtypes { get; } =
        ["BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64", "F16", "BF16", "F32", "F64", "F8_E5M2", "F8_E4M3"];

    // ------------------------------------------------------------------ reading

    /// <summary>Reads and validates the header of the file at <paramref name="path"/> without reading tensor data.</summary>
    public static SafetensorsHeader ReadHeader(string path)
    {
        using var fs = OpenRead(path);
        return ReadHeader(fs, path);
    }

    /// <summary>Reads and validates the header from a seekable stream positioned at the start of a safetensors file.</summary>
    public static SafetensorsHeader ReadHeader(Stream stream) => ReadHeader(stream, "stream");

    /// <summary>Reads every tensor of the file at <paramref name="path"/>, converted to float32, with its metadata.</summary>
    public static SafetensorsFile Load(string path, ReadLimits? limits = null)
    {
        using var fs = OpenRead(path);
        return Load(fs, path, limits);
    }

    /// <summary>Reads every tensor from a seekable stream holding a safetensors file.</summary>
    public static SafetensorsFile Load(Stream stream, ReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Load(stream, "stream", limits);
    }

    /// <summary>Reads every tensor from a safetensors file held in memory.</summary>
    public static SafetensorsFile Load(byte[] bytes, ReadLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        using var ms = new MemoryStream(bytes, writable: false);
        return Load(ms, "buffer", limits);
    }

    private static FileStream OpenRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new SafetensorsException($"safetensors: cannot open '{path}': {e.Message}", e);
        }
    }

    private static SafetensorsFile Load(Stream stream, string source, ReadLimits? limits)
    {
        long start = stream.CanSeek ? stream.Position : 0;
        var header = ReadHeader(stream, source);
        CheckBudget(header, source, limits);
        var tensors = new Dictionary<string, Tensor>(header.Entries.Count, StringComparer.Ordinal);
        foreach (var e in header.Entries)
        {
            if (!LoadableDtypes.Contains(e.Dtype))
                throw new SafetensorsException($"safetensors: {source}: tensor '{e.Name}' has dtype {e.Dtype}, which Pitts cannot convert to float32 (it reads {string.Join(", ", LoadableDtypes)}); use ReadHeader to list it");
            if (e.Numel > Array.MaxLength)
                throw new SafetensorsException($"safetensors: {source}: tensor '{e.Name}' of shape {e.ShapeText} has {e.Numel} elements, more than a Pitts tensor can hold");
            foreach (long d in e.Shape)
                if (d > int.MaxValue) throw new SafetensorsException($"safetensors: {source}: tensor '{e.Name}' has dimension {d}, larger than a Pitts tensor allows");
            var bytes = new byte[e.ByteLength];
            stream.Position = start + header.DataStart + e.Begin;
            ReadExactly(stream, bytes, source, $"data of tensor '{e.Name}'");
            var values = ShapeUtil.Alloc((int)e.Numel);
            Convert(e.Dtype, bytes, values);
            tensors.Add(e.Name, new Tensor(values, 0, e.Shape.Select(d => (int)d).ToArray()));
        }
        return new SafetensorsFile(tensors, header);
    }

    // The data buffer's length is the real file's (ValidateOffsets), and it is capped before any tensor is allocated.
    private static void CheckBudget(SafetensorsHeader header, string source, ReadLimits? limits)
    {
        var budget = (limits ?? ReadLimits.Default).Checked();
        long data = header.FileLength - header.DataStart;
        if (data > budget.MaxDataBytes)
            throw new SafetensorsException($"safetensors: {source}: the tensors' data {budget.Over(data)}");
    }

    private static void ReadExactly(Stream s, byte[] buffer, string source, string what)
    {
        int read = s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (read != buffer.Length)
            throw new SafetensorsException($"safetensors: {source}: file ended while reading the {what}: expected {buffer.Length} bytes, got {read}");
    }

    private static SafetensorsHeader ReadHeader(Stream stream, string source)
    {
        if (!stream.CanSeek) throw new SafetensorsException($"safetensors: {source}: the stream must be seekable (copy it to a MemoryStream first)");
        long fileLength = stream.Length - stream.Position;
        if (fileLength < 8)
            throw new SafetensorsException($"safetensors: {source}: file is {fileLength} bytes, too short for the 8-byte header length");
        Span<byte> lenBytes = stackalloc byte[8];
        stream.ReadExactly(lenBytes);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(lenBytes);
        if (n > MaxHeaderLength)
            throw new SafetensorsException($"safetensors: {source}: header length {n} exceeds the limit of {MaxHeaderLength} bytes");
        if ((long)n > fileLength - 8)
            throw new SafetensorsException($"safetensors: {source}: header length {n} runs past the end of the file ({fileLength - 8} bytes follow the length)");
        if (n < 2)
            throw new SafetensorsException($"safetensors: {source}: header length {n} is too small to hold a JSON object");
        var json = new byte[n];
        ReadExactly(stream, json, source, "header");
        long dataLength = fileLength - 8 - (long)n;
        var (entries, metadata) = ParseHeader(json, dataLength, source);
        return new SafetensorsHeader(entries, metadata, (long)n, fileLength);
    }

    /// <summary>Parses and validates header JSON; <paramref name="dataLength"/> is the size of the data buffer.</summary>
    internal static (List<SafetensorsEntry>, Dictionary<string, string>) ParseHeader(byte[] json, long dataLength, string source)
    {
        string where = $"safetensors: {source}";
        if (!System.Text.Unicode.Utf8.IsValid(json))
            throw new SafetensorsException($"{where}: header is not valid UTF-8");
        if (json[0] != (byte)'{')
            throw new SafetensorsException($"{where}: header must start with '{{', found byte 0x{json[0]:X2}");

        var entries = new List<SafetensorsEntry>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        bool sawMetadata = false;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 });
        try
        {
            reader.Read(); // StartObject, checked above
            while (true)
            {
                Next(ref reader, where);
                if (reader.TokenType == JsonTokenType.EndObject) break;
                string key = reader.GetString()!;
                if (!seen.Add(key))
                    throw new SafetensorsException($"{where}: duplicate key '{key}' in the header");
                Next(ref reader, where);
                if (key == MetadataKey)
                {
                    sawMetadata = true;
                    ReadMetadata(ref reader, metadata, where);
                }
                else
                {
                    entries.Add(ReadEntry(ref reader, key, where));
                }
            }
            // Only whitespace (the format pads with spaces) may follow the object.
            if (reader.Read())
                throw new SafetensorsException($"{where}: unexpected content after the header's JSON object");
        }
        catch (JsonException e)
        {
            throw new SafetensorsException($"{where}: header is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader.GetString refuses escapes that decode to invalid UTF-16, such as a lone surrogate "\ud800".
            throw new SafetensorsException($"{where}: header holds a string that is not valid Unicode (a lone surrogate escape?): {e.Message}", e);
        }
        _ = sawMetadata;
        ValidateOffsets(entries, dataLength, where);
        return (entries, metadata);
    }

    private static void Next(ref Utf8JsonReader reader, string where)
    {
        if (!reader.Read()) throw new SafetensorsException($"{where}: header JSON ends early");
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, Dictionary<string, string> metadata, string where)
    {
        if (reader.TokenType == JsonTokenType.Null) return;
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafetensorsException($"{where}: '{MetadataKey}' must be an object mapping strings to strings, found {reader.TokenType}");
        while (true)
        {
            Next(ref reader, where);
            if (reader.TokenType == JsonTokenType.EndObject) return;
            string k = reader.GetString()!;
            Next(ref reader, where);
            if (reader.TokenType != JsonTokenType.String)
                throw new SafetensorsException($"{where}: '{MetadataKey}' value of '{k}' must be a string, found {reader.TokenType}");
            if (!metadata.TryAdd(k, reader.GetString()!))
                throw new SafetensorsException($"{where}: duplicate key '{k}' in '{MetadataKey}'");
        }
    }

    private static SafetensorsEntry ReadEntry(ref Utf8JsonReader reader, string name, string where)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
            throw new SafetensorsException($"{where}: tensor '{name}' must be an object with dtype, shape and data_offsets, found {reader.TokenType}");
        string? dtype = null;
        List<long>? shape = null, offsets = null;
        while (true)
        {
            Next(ref reader, where);
            if (reader.TokenType == JsonTokenType.EndObject) break;
            string field = reader.GetString()!;
            Next(ref reader, where);
            switch (field)
            {
                case "dtype":
                    if (dtype is not null) throw new SafetensorsException($"{where}: tensor '{name}': duplicate field 'dtype'");
                    if (reader.TokenType != JsonTokenType.String) throw new SafetensorsException($"{where}: tensor '{name}': dtype must be a string, found {reader.TokenType}");
                    dtype = reader.GetString()!;
                    if (!DtypeBits.ContainsKey(dtype))
                        throw new SafetensorsException($"{where}: tensor '{name}': unknown dtype '{dtype}' (the format defines {string.Join(", ", DtypeBits.Keys)})");
                    break;
                case "shape":
                    if (shape is not null) throw new SafetensorsException($"{where}: tensor '{name}': duplicate field 'shape'");
                    shape = ReadIntArray(ref reader, name, "shape", where);
                    break;
                case "data_offsets":
                    if (offsets is not null) throw new SafetensorsException($"{where}: tensor '{name}': duplicate field 'data_offsets'");
                    offsets = ReadIntArray(ref reader, name, "data_offsets", where);
                    if (offsets.Count != 2)
                        throw new SafetensorsException($"{where}: tensor '{name}': data_offsets must hold exactly two numbers [begin, end], found {offsets.Count}");
                    break;
                default:
                    throw new SafetensorsException($"{where}: tensor '{name}': unknown field '{field}' (expected dtype, shape, data_offsets)");
            }
        }
        if (dtype is null) throw new SafetensorsException($"{where}: tensor '{name}': missing field 'dtype'");
        if (shape is null) throw new SafetensorsException($"{where}: tensor '{name}': missing field 'shape'");
        if (offsets is null) throw new SafetensorsException($"{where}: tensor '{name}': missing field 'data_offsets'");
        long begin = offsets[0], end = offsets[1];
        var entry = new SafetensorsEntry(name, dtype, shape, begin, end);
        if (end < begin)
            throw new SafetensorsException($"{where}: tensor '{name}': data_offsets [{begin}, {end}] end before they begin");
        // Element count times element size must equal the byte range, with every product checked for overflow.
        UInt128 numel = 1;
        foreach (long d in shape)
        {
            numel *= (ulong)d;
            if (numel > long.MaxValue)
                throw new SafetensorsException($"{where}: tensor '{name}': shape {entry.ShapeText} has too many elements");
        }
        UInt128 bits = numel * (ulong)DtypeBits[dtype];
        if (bits % 8 != 0)
            throw new SafetensorsException($"{where}: tensor '{name}': {numel} elements of {dtype} do not fill a whole number of bytes");
        if (bits / 8 != (ulong)(end - begin))
            throw new SafetensorsException($"{where}: tensor '{name}': shape {entry.ShapeText} of {dtype} needs {bits / 8} bytes but data_offsets [{begin}, {end}] give {end - begin}");
        return entry;
    }

    private static List<long> ReadIntArray(ref Utf8JsonReader reader, string name, string field, string where)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
            throw new SafetensorsException($"{where}: tensor '{name}': {field} must be an array of non-negative integers, found {reader.TokenType}");
        var list = new List<long>();
        while (true)
        {
            Next(ref reader, where);
            if (reader.TokenType == JsonTokenType.EndArray) return list;
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out long v) || v < 0)
                throw new SafetensorsException($"{where}: tensor '{name}': {field} must hold non-negative integers, found {TokenText(ref reader)}");
            if (list.Count >= 64)
                throw new SafetensorsException($"{where}: tensor '{name}': {field} has more than 64 entries");
            list.Add(v);
        }
    }

    private static string TokenText(ref Utf8JsonReader reader) =>
        reader.TokenType is JsonTokenType.Number or JsonTokenType.String ? Encoding.UTF8.GetString(reader.ValueSpan) : reader.TokenType.ToString();

    private static void ValidateOffsets(List<SafetensorsEntry> entries, long dataLength, string where)
    {
        var sorted = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long expected = 0;
        string? previous = null;
        foreach (var e in sorted)
        {
            if (e.Begin != expected)
            {
                if (e.Begin < expected)
                    throw new SafetensorsException($"{where}: tensor '{e.Name}' at [{e.Begin}, {e.End}] overlaps tensor '{previous}' which ends at {expected}");
                throw new SafetensorsException(previous is null
                    ? $"{where}: tensor '{e.Name}' begins at {e.Begin}, leaving bytes [0, {e.Begin}) of the data buffer unused (tensors must start at 0)"
                    : $"{where}: gap in the data buffer: tensor '{previous}' ends at {expected} but the next, '{e.Name}', begins at {e.Begin}");
            }
            expected = e.End;
            previous = e.Name;
        }
        if (expected > dataLength)
            throw new SafetensorsException($"{where}: tensor '{previous}' ends at {expected}, past the end of the data buffer ({dataLength} bytes)");
        if (expected != dataLength)
            throw new SafetensorsException($"{where}: the tensors cover {expected} bytes but the data buffer holds {dataLength}: the file has trailing bytes");
    }

    private static void Convert(string dtype, byte[] b, float[] dst)
    {
        var src = b.AsSpan();
        switch (dtype)
        {
            case "F32":
                if (BitConverter.IsLittleEndian) MemoryMarshal.Cast<byte, float>(src).CopyTo(dst);
                else for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadSingleLittleEndian(src[(4 * i)..]);
                break;
            case "F64": for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src[(8 * i)..]); break;
            case "F16": for (int i = 0; i < dst.Length; i++) dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src[(2 * i)..]); break;
            case "BF16": for (int i = 0; i < dst.Length; i++) dst[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]) << 16); break;
            case "F8_E5M2": for (int i = 0; i < dst.Length; i++) dst[i] = (float)BitConverter.UInt16BitsToHalf((ushort)(src[i] << 8)); break;
            case "F8_E4M3": for (int i = 0; i < dst.Length; i++) dst[i] = E4M3ToFloat(src[i]); break;
            case "BOOL": for (int i = 0; i < dst.Length; i++) dst[i] = src[i] != 0 ? 1f : 0f; break;
            case "U8": for (int i = 0; i < dst.Length; i++) dst[i] = src[i]; break;
            case "I8": for (int i = 0; i < dst.Length; i++) dst[i] = (sbyte)src[i]; break;
            case "I16": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt16LittleEndian(src[(2 * i)..]); break;
            case "U16": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadUInt16LittleEndian(src[(2 * i)..]); break;
            case "I32": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt32LittleEndian(src[(4 * i)..]); break;
            case "U32": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadUInt32LittleEndian(src[(4 * i)..]); break;
            case "I64": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadInt64LittleEndian(src[(8 * i)..]); break;
            case "U64": for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadUInt64LittleEndian(src[(8 * i)..]); break;
            default: throw new SafetensorsException($"safetensors: dtype {dtype} cannot be converted to float32");
        }
    }

    // float8 e4m3fn (as in PyTorch's float8_e4m3fn): bias 7, no infinities, S.1111.111 is NaN.
    private static float E4M3ToFloat(byte v)
    {
        int sign = v >> 7, exp = (v >> 3) & 0xF, man = v & 7;
        float r;
        if (exp == 15 && man == 7) r = float.NaN;
        else if (exp == 0) r = man / 8f * MathF.Pow(2, -6);
        else r = (1 + man / 8f) * MathF.Pow(2, exp - 7);
        return sign == 1 ? -r : r;
    }

    // ------------------------------------------------------------------ writing

    /// <summary>
    /// Saves float32 tensors and optional string metadata to <paramref name="path"/> atomically: the bytes go to a temporary
    /// file in the same folder, which is flushed to disk and then renamed over the target.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        SaveCore(path, FromTensors(tensors), metadata, beforeRename: null);

    /// <summary>
    /// Saves tensors of any dtype given as raw little-endian bytes (e.g. I64 step counters or the U64 words of a
    /// <see cref="Generator"/> state, which float32 cannot hold exactly), atomically like <see cref="Save"/>.
    /// </summary>
    public static void SaveRaw(string path, IReadOnlyDictionary<string, SafetensorsRawTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        SaveCore(path, FromRaw(tensors), metadata, beforeRename: null);

    internal static void SaveCore(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata, Action<string>? beforeRename) =>
        SaveCore(path, FromTensors(tensors), metadata, beforeRename);

    private static void SaveCore(string path, List<Entry> entries, IReadOnlyDictionary<string, string>? metadata, Action<string>? beforeRename)
    {
        var header = BuildHeader(entries, metadata);
        AtomicFile.Write(path, s => WriteBody(s, header, entries), msg => new SafetensorsException($"safetensors: {msg}"), beforeRename);
    }

    /// <summary>Writes float32 tensors and optional metadata in the safetensors format to a stream.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var entries = FromTensors(tensors);
        WriteBody(stream, BuildHeader(entries, metadata), entries);
    }

    /// <summary>The bytes of a safetensors file holding the float32 tensors and optional metadata.</summary>
    public static byte[] Serialize(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var ms = new MemoryStream();
        Write(ms, tensors, metadata);
        return ms.ToArray();
    }

    /// <summary>The bytes of a safetensors file holding raw tensors of any dtype and optional metadata.</summary>
    public static byte[] SerializeRaw(IReadOnlyDictionary<string, SafetensorsRawTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var entries = FromRaw(tensors);
        using var ms = new MemoryStream();
        WriteBody(ms, BuildHeader(entries, metadata), entries);
        return ms.ToArray();
    }

    /// <summary>Reads every tensor of the file at <paramref name="path"/> as raw little-endian bytes with its dtype (no conversion).</summary>
    public static (IReadOnlyDictionary<string, SafetensorsRawTensor> Tensors, SafetensorsHeader Header) LoadRaw(string path, ReadLimits? limits = null)
    {
        using var fs = OpenRead(path);
        var header = ReadHeader(fs, path);
        CheckBudget(header, path, limits);
        var result = new Dictionary<string, SafetensorsRawTensor>(StringComparer.Ordinal);
        foreach (var e in header.Entries)
        {
            if (e.ByteLength > Array.MaxLength)
                throw new SafetensorsException($"safetensors: {path}: tensor '{e.Name}' holds {e.ByteLength} bytes, more than an array can");
            var bytes = new byte[e.ByteLength];
            fs.Position = header.DataStart + e.Begin;
            ReadExactly(fs, bytes, path, $"data of tensor '{e.Name}'");
            result.Add(e.Name, new SafetensorsRawTensor(e.Dtype, e.Shape.ToArray(), bytes));
        }
        return (result, header);
    }

    private sealed record Entry(string Name, string Dtype, IReadOnlyList<long> Shape, long Bytes, Action<Stream> Write);

    private static List<Entry> FromTensors(IReadOnlyDictionary<string, Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = new List<Entry>(tensors.Count);
        foreach (var (name, t) in tensors)
        {
            if (t is null) throw new SafetensorsException($"safetensors: tensor '{name}' is null");
            list.Add(new Entry(name, "F32", t.Shape.Select(d => (long)d).ToArray(), 4L * t.Numel, s => WriteFloats(s, t)));
        }
        return list;
    }

    private static List<Entry> FromRaw(IReadOnlyDictionary<string, SafetensorsRawTensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = new List<Entry>(tensors.Count);
        foreach (var (name, t) in tensors)
        {
            if (t is null) throw new SafetensorsException($"safetensors: tensor '{name}' is null");
            if (!DtypeBits.TryGetValue(t.Dtype, out int bits))
                throw new SafetensorsException($"safetensors: tensor '{name}': unknown dtype '{t.Dtype}' (the format defines {string.Join(", ", DtypeBits.Keys)})");
            UInt128 numel = 1;
            foreach (long d in t.Shape)
            {
                if (d < 0) throw new SafetensorsException($"safetensors: tensor '{name}': negative dimension {d}");
                numel *= (ulong)d;
            }
            if (numel * (ulong)bits != (UInt128)t.Data.Length * 8)
                throw new SafetensorsException($"safetensors: tensor '{name}': shape ({string.Join("x", t.Shape)}) of {t.Dtype} needs {numel * (ulong)bits / 8} bytes but {t.Data.Length} were given");
            list.Add(new Entry(name, t.Dtype, t.Shape, t.Data.Length, s => s.Write(t.Data)));
        }
        return list;
    }

    // The header lists __metadata__ first, then tensors sorted by name (ordinal) with contiguous offsets in that order; it
    // is padded with spaces so the data buffer starts at a multiple of 8 bytes, as the reference implementation does.
    private static byte[] BuildHeader(List<Entry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        entries.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    if (k is null || v is null) throw new SafetensorsException("safetensors: metadata keys and values must not be null");
                    CheckUnicode(k, "metadata key");
                    CheckUnicode(v, $"metadata value of '{k}'");
                    w.WriteString(k, v);
                }
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var e in entries)
            {
                if (e.Name == MetadataKey) throw new SafetensorsException($"safetensors: '{MetadataKey}' is reserved and cannot name a tensor");
                CheckUnicode(e.Name, "tensor name");
                w.WriteStartObject(e.Name);
                w.WriteString("dtype", e.Dtype);
                w.WriteStartArray("shape");
                foreach (long d in e.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                offset += e.Bytes;
                w.WriteNumberValue(offset);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        int len = (int)ms.Length;
        int pad = (8 - len % 8) % 8;
        for (int i = 0; i < pad; i++) ms.WriteByte((byte)' ');
        if (ms.Length > MaxHeaderLength) throw new SafetensorsException($"safetensors: header of {ms.Length} bytes exceeds the limit of {MaxHeaderLength}");
        return ms.ToArray();
    }

    // The JSON writer would silently replace a lone surrogate with U+FFFD, so the file would not hold the name given.
    private static void CheckUnicode(string s, string what)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i]))
                throw new SafetensorsException($"safetensors: {what} '{s[..i]}…' holds a lone UTF-16 surrogate (U+{(int)s[i]:X4}) at index {i}, which UTF-8 JSON cannot store");
        }
    }

    private static void WriteBody(Stream s, byte[] header, List<Entry> entries)
    {
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)header.Length);
        s.Write(len);
        s.Write(header);
        foreach (var e in entries) e.Write(s);
    }

    private static void WriteFloats(Stream s, Tensor t)
    {
        var data = t.AsSpan();
        if (BitConverter.IsLittleEndian)
        {
            s.Write(MemoryMarshal.AsBytes(data));
            return;
        }
        var buf = new byte[4];
        foreach (float v in data)
        {
            BinaryPrimitives.WriteSingleLittleEndian(buf, v);
            s.Write(buf);
        }
    }
}
