using System.Runtime.InteropServices;
using Pitts.Onnx.Proto;

namespace Pitts.Onnx;

/// <summary>
/// A value flowing through an imported graph: a float <see cref="Tensor"/> (differentiable) or an integer/boolean
/// array with its shape (shapes, indices, masks), which carries no gradient.
/// </summary>
internal sealed class OnnxValue
{
    public Tensor? Float { get; }
    public long[]? Ints { get; }
    public int[] Shape { get; }
    public bool IsBool { get; }

    private OnnxValue(Tensor? f, long[]? ints, int[] shape, bool isBool) => (Float, Ints, Shape, IsBool) = (f, ints, shape, isBool);

    public static OnnxValue Of(Tensor t) => new(t, null, [.. t.Shape], false);

    public static OnnxValue Of(long[] values, int[] shape, bool isBool = false) => new(null, values, shape, isBool);

    public int Numel => Float?.Numel ?? Ints!.Length;

    public int Rank => Shape.Length;

    /// <summary>The value as a float tensor (integers are converted, without a gradient).</summary>
    public Tensor AsFloat() => Float ?? Tensor.FromArray(Ints!.Select(v => (float)v).ToArray(), Shape);

    /// <summary>The value as integers; a float tensor must hold whole numbers.</summary>
    public long[] AsInts(string what)
    {
        if (Ints is not null) return Ints;
        var f = Float!.ToArray();
        var r = new long[f.Length];
        for (int i = 0; i < f.Length; i++)
        {
            if (!float.IsFinite(f[i]) || f[i] != MathF.Floor(f[i]))
                throw new OnnxFormatException($"{what}: expects integers, found {f[i]}");
            r[i] = (long)f[i];
        }
        return r;
    }

    /// <summary>Decodes an initializer or constant, checking its declared size against the bytes it really has before allocating.</summary>
    public static OnnxValue Decode(TensorProto t, string what, long fileLength)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External)
            throw new OnnxFormatException($"{what}: tensor '{t.Name}' keeps its data in an external file, which Pitts does not read");
        var shape = new int[t.Dims.Count];
        long numel = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            long d = t.Dims[i];
            if (d < 0 || d > int.MaxValue) throw new OnnxFormatException($"{what}: tensor '{t.Name}' has dimension {i} of size {d}");
            numel *= d;
            if (numel > fileLength) // a real tensor needs at least one byte per element in this file
                throw new OnnxFormatException($"{what}: tensor '{t.Name}' declares {string.Join("x", t.Dims)} elements, more than the file's {fileLength} bytes can hold");
            shape[i] = (int)d;
        }
        int n = (int)numel;
        var type = (TensorProto.Types.DataType)t.DataType;
        int size = type switch
        {
            TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 => 4,
            TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 => 8,
            TensorProto.Types.DataType.Bool or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int8 => 1,
            _ => throw new OnnxUnsupportedException($"{what}: tensor '{t.Name}' has data type {type}; Pitts reads float, double, int64, int32, int8, uint8 and bool"),
        };
        var raw = t.RawData.Span;
        if (raw.Length > 0 && raw.Length != (long)n * size)
            throw new OnnxFormatException($"{what}: tensor '{t.Name}' of shape ({string.Join("x", shape)}) needs {(long)n * size} bytes of {type}, its raw data has {raw.Length}");
        int rawLength = raw.Length;
        void Count(int count)
        {
            if (rawLength == 0 && count != n)
                throw new OnnxFormatException($"{what}: tensor '{t.Name}' of shape ({string.Join("x", shape)}) needs {n} values, it holds {count}");
        }
        switch (type)
        {
            case TensorProto.Types.DataType.Float:
                Count(t.FloatData.Count);
                return Of(new Tensor(raw.Length > 0 ? MemoryMarshal.Cast<byte, float>(raw).ToArray() : [.. t.FloatData], 0, shape));
            case TensorProto.Types.DataType.Double:
                Count(t.DoubleData.Count);
                var dv = raw.Length > 0 ? MemoryMarshal.Cast<byte, double>(raw).ToArray() : [.. t.DoubleData];
                return Of(new Tensor(dv.Select(v => (float)v).ToArray(), 0, shape));
            case TensorProto.Types.DataType.Int64:
                Count(t.Int64Data.Count);
                return Of(raw.Length > 0 ? MemoryMarshal.Cast<byte, long>(raw).ToArray() : [.. t.Int64Data], shape);
            case TensorProto.Types.DataType.Int32:
                Count(t.Int32Data.Count);
                return Of(raw.Length > 0 ? MemoryMarshal.Cast<byte, int>(raw).ToArray().Select(v => (long)v).ToArray() : t.Int32Data.Select(v => (long)v).ToArray(), shape);
            case TensorProto.Types.DataType.Uint8:
                Count(t.Int32Data.Count);
                return Of(raw.Length > 0 ? raw.ToArray().Select(v => (long)v).ToArray() : t.Int32Data.Select(v => (long)v).ToArray(), shape);
            case TensorProto.Types.DataType.Int8:
                Count(t.Int32Data.Count);
                return Of(raw.Length > 0 ? raw.ToArray().Select(v => (long)(sbyte)v).ToArray() : t.Int32Data.Select(v => (long)v).ToArray(), shape);
            default: // Bool
                Count(t.Int32Data.Count);
                return Of(raw.Length > 0 ? raw.ToArray().Select(v => v != 0 ? 1L : 0L).ToArray() : t.Int32Data.Select(v => v != 0 ? 1L : 0L).ToArray(), shape, isBool: true);
        }
    }
}
