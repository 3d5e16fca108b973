namespace Pitts;

/// <summary>
/// The library's seedable random number generator: xoshiro256** (Blackman and Vigna, 2018) seeded
/// through SplitMix64. The algorithm is fixed, so a seed gives the same numbers on every .NET version
/// and machine; <see cref="GetState"/> and <see cref="SetState"/> make it serialisable.
/// </summary>
/// <remarks>
/// Uniform floats take the top 24 bits of a 64-bit draw (x >> 40) * 2^-24, in [0, 1).
/// Normal draws use the Box-Muller transform on two uniform doubles (53 bits each) and use both outputs.
/// </remarks>
public sealed class Generator
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>The generator used when none is passed: seed it with <see cref="Generator.ManualSeed"/>.</summary>
    public static Generator Default { get; } = new(0x5EED_0F_417757UL);

    /// <summary>Creates a generator from a seed.</summary>
    public Generator(ulong seed) => Seed(seed);

    /// <summary>Re-seeds the default generator, like <c>torch.manual_seed</c>.</summary>
    public static void ManualSeed(ulong seed) => Default.Seed(seed);

    /// <summary>Resets this generator to the stream of the given seed.</summary>
    public void Seed(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The full state (four 64-bit words), for checkpoints.</summary>
    public ulong[] GetState() => [_s0, _s1, _s2, _s3];

    /// <summary>Restores a state taken by <see cref="GetState"/>.</summary>
    public void SetState(ReadOnlySpan<ulong> state)
    {
        if (state.Length != 4) throw new PittsException($"Generator.SetState: expected 4 words of state, got {state.Length}");
        if ((state[0] | state[1] | state[2] | state[3]) == 0) throw new PittsException("Generator.SetState: the all-zero state is not valid for xoshiro256**");
        (_s0, _s1, _s2, _s3) = (state[0], state[1], state[2], state[3]);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform float in [0, 1).</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [low, high), without modulo bias (Lemire's method).</summary>
    public long NextInt64(long low, long high)
    {
        if (high <= low) throw new PittsException($"Generator.NextInt64: empty range [{low}, {high})");
        ulong range = (ulong)(high - low);
        ulong x = NextUInt64();
        UInt128 m = (UInt128)x * range;
        ulong l = (ulong)m;
        if (l < range)
        {
            ulong threshold = (0 - range) % range;
            while (l < threshold)
            {
                x = NextUInt64();
                m = (UInt128)x * range;
                l = (ulong)m;
            }
        }
        return low + (long)(ulong)(m >> 64);
    }

    /// <summary>Fills the span with uniform floats in [low, high).</summary>
    public void FillUniform(Span<float> dst, float low = 0f, float high = 1f)
    {
        float scale = high - low;
        for (int i = 0; i < dst.Length; i++) dst[i] = low + scale * NextFloat();
    }

    /// <summary>Fills the span with normal draws N(mean, std²) by Box-Muller, two values per pair of uniforms.</summary>
    public void FillNormal(Span<float> dst, float mean = 0f, float std = 1f)
    {
        int i = 0;
        for (; i + 1 < dst.Length; i += 2)
        {
            (double a, double b) = NextNormalPair();
            dst[i] = (float)(mean + std * a);
            dst[i + 1] = (float)(mean + std * b);
        }
        if (i < dst.Length) dst[i] = (float)(mean + std * NextNormalPair().Item1);
    }

    private (double, double) NextNormalPair()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]: log(u1) is finite
        double u2 = NextDouble();
        double r = Math.Sqrt(-2.0 * Math.Log(u1));
        (double s, double c) = Math.SinCos(2.0 * Math.PI * u2);
        return (r * c, r * s);
    }

    /// <summary>A random permutation of 0..n-1 (Fisher-Yates).</summary>
    public int[] Permutation(int n)
    {
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)NextInt64(0, i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
