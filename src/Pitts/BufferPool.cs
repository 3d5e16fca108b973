namespace Pitts;

/// <summary>
/// Recycles the large float arrays behind intermediate gradients. A training step allocates the same large buffers
/// every time; fresh ones from the GC land on memory the runtime has handed back to the OS, so their first writes
/// page-fault (measured: a fifth of a Transformer step). <see cref="Graph"/> returns the gradient of a non-leaf
/// tensor here once its backward has run and nothing adopted it, the one moment a buffer is provably unreferenced;
/// <see cref="Rent"/> hands such buffers to the next allocation of the same length (training repeats its shapes).
/// Arrays of at least <see cref="MinLength"/> floats go to a shared pool that holds at most <see cref="MaxBytes"/>,
/// dropping the lengths unused for longest first, and empties lengths unused since the previous full garbage
/// collection, so memory is not held after training ends. Shorter ones, from <see cref="MinSmallLength"/> floats, the
/// thread keeps in a few slots of its own (at most <see cref="SmallSlots"/> arrays of under 64 KB, no lock): a small
/// model's step allocates a few KB of gradients, and fresh young-generation memory is cold, so zeroing it cost a
/// fifth of a lecture-MLP step (perf); the next step's forward takes the last step's dead gradients instead.
/// </summary>
internal static class BufferPool
{
    /// <summary>Shortest pooled array: 16,384 floats (64 KB), near the runtime's large-object threshold.</summary>
    public const int MinLength = 16 * 1024;

    /// <summary>Shortest array a thread keeps for itself: 256 floats (1 KB); shorter ones cost less new than kept.</summary>
    public const int MinSmallLength = 256;

    /// <summary>Most arrays shorter than <see cref="MinLength"/> a thread keeps.</summary>
    public const int SmallSlots = 8;

    [ThreadStatic] private static float[]?[]? _small;

    /// <summary>Most bytes the pool keeps.</summary>
    public static long MaxBytes { get; set; } = 256L << 20;

    private sealed class Bucket
    {
        public readonly Stack<float[]> Arrays = new();
        public long LastUse;
    }

    private static readonly object Gate = new();
    private static readonly Dictionary<int, Bucket> Buckets = [];
    private static long _bytes, _clock, _trimmedAt;

    static BufferPool() => _ = new Gen2Trimmer();

    /// <summary>Bytes held now (tests).</summary>
    internal static long HeldBytes { get { lock (Gate) return _bytes; } }

    /// <summary>An array of exactly <paramref name="length"/> floats with unspecified contents, or null when none is pooled.</summary>
    public static float[]? Rent(int length)
    {
        if (length < MinLength) return length >= MinSmallLength ? RentSmall(length) : null;
        lock (Gate)
        {
            if (!Buckets.TryGetValue(length, out var b) || b.Arrays.Count == 0) return null;
            b.LastUse = ++_clock;
            _bytes -= 4L * length;
            return b.Arrays.Pop();
        }
    }

    /// <summary>Gives back an array that nothing references any more.</summary>
    public static void Return(float[] array)
    {
        int length = array.Length;
        if (length < MinLength)
        {
            if (length >= MinSmallLength) ReturnSmall(array);
            return;
        }
        long size = 4L * length;
        lock (Gate)
        {
            if (size > MaxBytes) return;
            while (_bytes + size > MaxBytes && EvictOldest(length)) { }
            if (_bytes + size > MaxBytes) return; // only this length is held, and it is full: let the GC have it
            if (!Buckets.TryGetValue(length, out var b)) Buckets[length] = b = new Bucket();
            b.LastUse = ++_clock;
            b.Arrays.Push(array);
            _bytes += size;
        }
    }

    private static float[]? RentSmall(int length)
    {
        var slots = _small;
        if (slots is null) return null;
        for (int i = 0; i < slots.Length; i++)
            if (slots[i] is { } a && a.Length == length)
            {
                slots[i] = null;
                return a;
            }
        return null;
    }

    private static void ReturnSmall(float[] array)
    {
        var slots = _small ??= new float[SmallSlots][];
        for (int i = 0; i < slots.Length; i++)
            if (slots[i] is null)
            {
                slots[i] = array;
                return;
            }
        // All slots taken: the GC has this one.
    }

    /// <summary>Drops every array held, the calling thread's small ones too (tests use it to start from an empty pool).</summary>
    public static void Clear()
    {
        _small = null;
        lock (Gate)
        {
            Buckets.Clear();
            _bytes = 0;
        }
    }

    private static bool EvictOldest(int keep)
    {
        int oldest = -1;
        long when = long.MaxValue;
        foreach (var (length, b) in Buckets)
            if (length != keep && b.Arrays.Count > 0 && b.LastUse < when) (oldest, when) = (length, b.LastUse);
        if (oldest < 0) return false;
        _bytes -= 4L * oldest * Buckets[oldest].Arrays.Count;
        Buckets.Remove(oldest);
        return true;
    }

    /// <summary>After a full collection: drops the lengths that were not used since the one before.</summary>
    private static void Trim()
    {
        lock (Gate)
        {
            foreach (var length in Buckets.Where(kv => kv.Value.LastUse <= _trimmedAt).Select(kv => kv.Key).ToList())
            {
                _bytes -= 4L * length * Buckets[length].Arrays.Count;
                Buckets.Remove(length);
            }
            _trimmedAt = _clock;
        }
    }

    /// <summary>An object whose finalizer runs after each full (generation 2) collection and re-arms itself.</summary>
    private sealed class Gen2Trimmer
    {
        ~Gen2Trimmer()
        {
            if (GC.GetGeneration(this) < 2) { GC.ReRegisterForFinalize(this); return; }
            Trim();
            GC.ReRegisterForFinalize(this);
        }
    }
}
