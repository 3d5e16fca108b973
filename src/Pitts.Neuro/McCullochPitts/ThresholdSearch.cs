namespace Pitts.Neuro.McCullochPitts;

/// <summary>The outcome of an exhaustive search for a single threshold unit that computes a truth table.</summary>
/// <param name="CandidatesTried">How many (weights, threshold) combinations were evaluated.</param>
/// <param name="Solutions">Every unit found that computes the table (empty when none does).</param>
public sealed record ThresholdSearchResult(long CandidatesTried, IReadOnlyList<McCullochPittsNeuron> Solutions);

/// <summary>
/// Exhaustive search over integer weights and thresholds for a single McCulloch-Pitts unit computing a given
/// Boolean function: the constructive side of the XOR proof.
/// </summary>
/// <remarks>
/// With integer weights in [-k, k] the sum Σ wᵢxᵢ is an integer in [-nk, nk], so every real threshold behaves
/// like an integer one in [-nk, nk + 1]; searching those thresholds is therefore complete for that weight range.
/// For XOR the search finds nothing, for any k, as the linear-separability argument says it must: firing on
/// (1,0) and (0,1) needs w₁ ≥ θ and w₂ ≥ θ, silence on (0,0) needs θ &gt; 0, so w₁ + w₂ ≥ 2θ &gt; θ, and the unit fires
/// on (1,1) too.
/// </remarks>
public static class ThresholdSearch
{
    /// <summary>Tries every integer weight vector in [-maxAbsWeight, maxAbsWeight]ⁿ and every distinct threshold.</summary>
    public static ThresholdSearchResult Search(TruthTable target, int maxAbsWeight)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.OutputCount != 1)
            throw new NeuroException($"ThresholdSearch.Search: target has {target.OutputCount} outputs, a unit has 1");
        if (maxAbsWeight < 0 || maxAbsWeight > 16)
            throw new NeuroException($"ThresholdSearch.Search: maxAbsWeight {maxAbsWeight} must be in [0, 16]");
        int n = target.InputCount;
        double combos = Math.Pow(2 * maxAbsWeight + 1, n) * (2 * n * maxAbsWeight + 2);
        if (combos > 1e8)
            throw new NeuroException($"ThresholdSearch.Search: {combos:G3} candidates for {n} inputs and k={maxAbsWeight}; at most 1e8");
        var column = target.OutputColumn();
        int rows = target.RowCount;
        var w = new int[n];
        Array.Fill(w, -maxAbsWeight);
        var sums = new int[rows];
        var solutions = new List<McCullochPittsNeuron>();
        long tried = 0;
        int lo = -n * maxAbsWeight, hi = n * maxAbsWeight + 1;
        while (true)
        {
            for (int r = 0; r < rows; r++)
            {
                int s = 0;
                for (int i = 0; i < n; i++)
                    if (((r >> (n - 1 - i)) & 1) == 1) s += w[i];
                sums[r] = s;
            }
            for (int theta = lo; theta <= hi; theta++)
            {
                tried++;
                bool ok = true;
                for (int r = 0; r < rows && ok; r++)
                    ok = (sums[r] >= theta ? 1 : 0) == column[r];
                if (ok) solutions.Add(new McCullochPittsNeuron(w.Select(v => (double)v).ToArray(), theta));
            }
            int j = n - 1;
            while (j >= 0 && w[j] == maxAbsWeight) w[j--] = -maxAbsWeight;
            if (j < 0) break;
            w[j]++;
        }
        return new ThresholdSearchResult(tried, solutions);
    }

    /// <summary>True when some integer-weight unit with |wᵢ| ≤ maxAbsWeight computes the table.</summary>
    public static bool IsComputableBySingleUnit(TruthTable target, int maxAbsWeight) =>
        Search(target, maxAbsWeight).Solutions.Count > 0;
}
