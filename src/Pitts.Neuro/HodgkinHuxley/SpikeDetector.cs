namespace Pitts.Neuro.HodgkinHuxley;

/// <summary>One detected spike: the time and height of its voltage peak and its prominence.</summary>
/// <param name="TimeMs">Time of the voltage peak in ms (refined between samples by a parabola through the three highest samples).</param>
/// <param name="PeakMv">Peak potential in mV (refined the same way).</param>
/// <param name="ProminenceMv">How far the peak rises above the higher of the two lowest points that separate it from higher peaks (or the ends).</param>
public readonly record struct Spike(double TimeMs, double PeakMv, double ProminenceMv);

/// <summary>
/// Spike detection by peak prominence (the topographic definition also used by SciPy's find_peaks), not by a fixed
/// voltage crossing: the small spikes at high currents that never reach 0 mV still count, and subthreshold ripples
/// do not.
/// </summary>
public static class SpikeDetector
{
    /// <summary>The default minimum prominence of a spike, in mV.</summary>
    public const double DefaultProminenceMv = 20.0;

    /// <summary>Finds every local maximum of <paramref name="v"/> whose prominence is at least <paramref name="minProminenceMv"/>.</summary>
    public static IReadOnlyList<Spike> Detect(ReadOnlySpan<double> t, ReadOnlySpan<double> v, double minProminenceMv = DefaultProminenceMv)
    {
        if (t.Length != v.Length)
            throw new NeuroException($"SpikeDetector.Detect: {t.Length} times but {v.Length} voltages");
        if (!(minProminenceMv > 0) || !double.IsFinite(minProminenceMv))
            throw new NeuroException($"SpikeDetector.Detect: min prominence {minProminenceMv} mV must be finite and > 0");
        var spikes = new List<Spike>();
        int n = v.Length;
        int i = 1;
        while (i < n - 1)
        {
            if (!(v[i] > v[i - 1])) { i++; continue; }
            // Walk over a plateau of equal samples; a peak needs a strict fall after it.
            int j = i;
            while (j + 1 < n && v[j + 1] == v[i]) j++;
            if (j + 1 >= n || !(v[j + 1] < v[i])) { i = j + 1; continue; }
            int peak = (i + j) / 2;
            double prom = Prominence(v, i, j);
            if (prom >= minProminenceMv)
            {
                double tp = t[peak], vp = v[peak];
                if (i == j)
                {
                    double v0 = v[i - 1], v1 = v[i], v2 = v[i + 1], dtL = t[i] - t[i - 1], dtR = t[i + 1] - t[i];
                    double curvature = v0 - 2 * v1 + v2;
                    if (curvature < 0 && Math.Abs(dtL - dtR) <= 1e-9 * Math.Max(dtL, dtR))
                    {
                        double delta = 0.5 * (v0 - v2) / curvature; // in units of the sample spacing, |delta| <= 1/2
                        tp = t[i] + delta * dtL;
                        vp = v1 - 0.25 * (v0 - v2) * delta;
                    }
                }
                spikes.Add(new Spike(tp, vp, prom));
            }
            i = j + 1;
        }
        return spikes;
    }

    /// <summary>The times in ms of the spikes in a recorded voltage trace.</summary>
    public static double[] SpikeTimes(ReadOnlySpan<double> t, ReadOnlySpan<double> v, double minProminenceMv = DefaultProminenceMv) =>
        Detect(t, v, minProminenceMv).Select(s => s.TimeMs).ToArray();

    /// <summary>
    /// The firing rate in Hz from the spikes at or after <paramref name="fromMs"/>: 1000 / mean inter-spike interval,
    /// 0 with fewer than two such spikes.
    /// </summary>
    public static double FiringRate(IEnumerable<double> spikeTimesMs, double fromMs)
    {
        ArgumentNullException.ThrowIfNull(spikeTimesMs);
        int count = 0;
        double first = 0, last = 0;
        foreach (var ts in spikeTimesMs)
        {
            if (ts < fromMs) continue;
            if (count == 0) first = ts;
            last = ts;
            count++;
        }
        return count < 2 ? 0.0 : 1000.0 * (count - 1) / (last - first);
    }

    private static double Prominence(ReadOnlySpan<double> v, int left, int right)
    {
        double peak = v[left];
        double leftMin = peak;
        for (int k = left - 1; k >= 0 && v[k] <= peak; k--)
            if (v[k] < leftMin) leftMin = v[k];
        double rightMin = peak;
        for (int k = right + 1; k < v.Length && v[k] <= peak; k++)
            if (v[k] < rightMin) rightMin = v[k];
        return peak - Math.Max(leftMin, rightMin);
    }
}
