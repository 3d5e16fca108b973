using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Pitts.IO;

namespace Pitts.Tests.Reliability;

/// <summary>
/// Makes the hostile files of issue 15 (small files that declare huge sizes), shared by the library tests here and,
/// as a copy of the same recipes, by the CLI's child-process memory tests.
/// </summary>
internal static class HostileFiles
{
    /// <summary>
    /// A gzip IDX file whose header declares <paramref name="shape"/> of unsigned bytes and whose gzip trailer
    /// records the matching length, holding <paramref name="bodyBytes"/> incompressible bytes (stored blocks), so the
    /// file is large enough that the old 1032:1 deflate-ratio check let the declared size through.
    /// </summary>
    public static byte[] IdxGzipBomb(int[] shape, int bodyBytes)
    {
        var header = new byte[4 + 4 * shape.Length];
        header[2] = 0x08;
        header[3] = (byte)shape.Length;
        long total = header.Length;
        long numel = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), shape[i]);
            numel *= shape[i];
        }
        total += numel;
        var body = new byte[bodyBytes];
        new Random(15).NextBytes(body);
        using var ms = new MemoryStream();
        using (var z = new GZipStream(ms, CompressionLevel.NoCompression, leaveOpen: true))
        {
            z.Write(header);
            z.Write(body);
        }
        var file = ms.ToArray();
        // Forge ISIZE (the last 4 bytes: uncompressed length mod 2^32) to agree with the header's promise.
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(file.Length - 4), (uint)(total & 0xFFFFFFFF));
        return file;
    }

    /// <summary>A safetensors file whose tensors are given and whose metadata is <paramref name="metadata"/>, byte for byte.</summary>
    public static byte[] Safetensors(string headerJson, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(headerJson);
        var b = new byte[8 + json.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)json.Length);
        json.CopyTo(b, 8);
        data.CopyTo(b, 8 + json.Length);
        return b;
    }

    /// <summary>Bytes allocated on this thread while <paramref name="action"/> runs (what a refusal cost).</summary>
    public static long Allocated(Action action)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        action();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
