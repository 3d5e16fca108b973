namespace Pitts.Data;

/// <summary>Random splits of a dataset into disjoint subsets (training, validation, test), seeded for reproducibility.</summary>
public static class Splits
{
    /// <summary>
    /// Splits <paramref name="dataset"/> into disjoint random subsets of the given sizes, which must add up to its count
    /// (<c>torch.utils.data.random_split</c>). The permutation is drawn from <paramref name="generator"/>.
    /// </summary>
    public static Subset[] RandomSplit(Dataset dataset, int[] lengths, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(lengths);
        long total = 0;
        foreach (int l in lengths)
        {
            if (l < 0) throw new DatasetException($"RandomSplit: lengths [{string.Join(", ", lengths)}] include a negative length");
            total += l;
        }
        if (total != dataset.Count)
            throw new DatasetException($"RandomSplit: lengths [{string.Join(", ", lengths)}] add up to {total}, but the dataset has {dataset.Count} examples");
        var perm = (generator ?? Generator.Default).Permutation(dataset.Count);
        var parts = new Subset[lengths.Length];
        int start = 0;
        for (int i = 0; i < lengths.Length; i++)
        {
            parts[i] = new Subset(dataset, perm.AsSpan(start, lengths[i]).ToArray());
            start += lengths[i];
        }
        return parts;
    }

    /// <summary>
    /// Splits by fractions that add up to 1: each part gets floor(fraction * N) examples and the remainder is handed out one
    /// by one to the parts in order, as PyTorch's <c>random_split</c> does with fractions.
    /// </summary>
    public static Subset[] RandomSplit(Dataset dataset, double[] fractions, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        return RandomSplit(dataset, Lengths(dataset.Count, fractions), generator);
    }

    /// <summary>The part sizes that <see cref="RandomSplit(Dataset, double[], Generator?)"/> uses for N examples.</summary>
    public static int[] Lengths(int count, double[] fractions)
    {
        ArgumentNullException.ThrowIfNull(fractions);
        double sum = 0;
        foreach (double f in fractions)
        {
            if (!(f >= 0 && f <= 1)) throw new DatasetException($"RandomSplit: fraction {f} is not in [0, 1]");
            sum += f;
        }
        if (Math.Abs(sum - 1) > 1e-9) throw new DatasetException($"RandomSplit: fractions [{string.Join(", ", fractions)}] add up to {sum}, not 1");
        var lengths = fractions.Select(f => (int)Math.Floor(count * f)).ToArray();
        int rest = count - lengths.Sum();
        for (int i = 0; rest > 0; i = (i + 1) % lengths.Length, rest--) lengths[i]++;
        return lengths;
    }

    /// <summary>
    /// The lecture's three-way split: disjoint random training, validation and test subsets, the last two taking
    /// <paramref name="validation"/> and <paramref name="test"/> of the examples (rounded down) and training the rest.
    /// </summary>
    public static (Subset Train, Subset Validation, Subset Test) TrainValidationTest(Dataset dataset, double validation = 0.15, double test = 0.15, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (!(validation >= 0 && test >= 0 && validation + test <= 1))
            throw new DatasetException($"TrainValidationTest: validation {validation} and test {test} must be non-negative and add up to at most 1");
        int nVal = (int)Math.Floor(dataset.Count * validation);
        int nTest = (int)Math.Floor(dataset.Count * test);
        var parts = RandomSplit(dataset, [dataset.Count - nVal - nTest, nVal, nTest], generator);
        return (parts[0], parts[1], parts[2]);
    }
}
