namespace Pitts.Training;

/// <summary>A quantity accumulated over the batches of an epoch (accuracy, R²): reset, updated per batch, then computed.</summary>
public interface IMetric
{
    /// <summary>The key in the history ("accuracy", "r2"); validation values get the prefix "val_".</summary>
    string Name { get; }

    /// <summary>Clears the accumulated state at the start of an epoch.</summary>
    void Reset();

    /// <summary>Adds one batch of model outputs and targets (no graph is recorded while metrics run).</summary>
    void Update(Tensor output, Tensor target);

    /// <summary>The metric over everything since <see cref="Reset"/>.</summary>
    double Compute();

    /// <summary>The accumulated state as numbers, so a <see cref="TrainerState"/> can resume mid-epoch (empty by default).</summary>
    double[] GetState() => [];

    /// <summary>Restores a state taken by <see cref="GetState"/> after a <see cref="Reset"/>.</summary>
    void SetState(double[] state) { }
}

/// <summary>
/// Classification accuracy, the fraction of correct predictions. Outputs (N, C) with C &gt; 1 predict the argmax class
/// against integer class targets (N); outputs (N) or (N, 1) predict 1 when the output exceeds <see cref="Threshold"/>
/// (0.5 for probabilities; use 0 for logits) against 0/1 targets.
/// </summary>
public sealed class Accuracy(float threshold = 0.5f) : IMetric
{
    private long _correct, _total;

    /// <summary>The decision threshold of binary outputs.</summary>
    public float Threshold { get; } = threshold;

    /// <inheritdoc/>
    public string Name => "accuracy";

    /// <inheritdoc/>
    public void Reset() => (_correct, _total) = (0, 0);

    /// <inheritdoc/>
    public void Update(Tensor output, Tensor target)
    {
        var y = target.ToArray();
        if (output.Rank == 2 && output.Shape[1] > 1)
        {
            if (y.Length != output.Shape[0])
                throw new ShapeException($"Accuracy: outputs {Fmt.Shape(output._shape)} need one class index per row, got targets {Fmt.Shape(target._shape)}");
            var pred = output.Argmax(1).ToArray();
            for (int i = 0; i < pred.Length; i++) if (pred[i] == y[i]) _correct++;
            _total += pred.Length;
            return;
        }
        var o = output.ToArray();
        if (o.Length != y.Length)
            throw new ShapeException($"Accuracy: binary outputs {Fmt.Shape(output._shape)} and targets {Fmt.Shape(target._shape)} differ in size");
        for (int i = 0; i < o.Length; i++) if ((o[i] > Threshold ? 1f : 0f) == (y[i] > 0.5f ? 1f : 0f)) _correct++;
        _total += o.Length;
    }

    /// <inheritdoc/>
    public double Compute() => _total == 0 ? double.NaN : (double)_correct / _total;

    /// <inheritdoc/>
    public double[] GetState() => [_correct, _total];

    /// <inheritdoc/>
    public void SetState(double[] state) => (_correct, _total) = state is [var c, var t] ? ((long)c, (long)t) : throw new PittsException("Accuracy.SetState: expected 2 numbers");
}

/// <summary>
/// Coefficient of determination R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)² over all elements seen in the epoch, where ȳ is each
/// output's own mean (outputs and targets of the same shape (N, ...); every element of a sample is one output, the sums
/// run over all outputs, as <c>pitts train</c> reports it); 1 is a perfect fit, 0 is no better than predicting the means.
/// </summary>
public sealed class R2Score : IMetric
{
    private double _n, _ssRes;
    private double[] _sumY = [], _sumY2 = [];

    /// <inheritdoc/>
    public string Name => "r2";

    /// <inheritdoc/>
    public void Reset() => (_n, _ssRes, _sumY, _sumY2) = (0, 0, [], []);

    /// <inheritdoc/>
    public void Update(Tensor output, Tensor target)
    {
        if (output.Numel != target.Numel)
            throw new ShapeException($"R2Score: outputs {Fmt.Shape(output._shape)} and targets {Fmt.Shape(target._shape)} differ in size");
        int rows = target.Rank == 0 ? 1 : target.Shape[0], cols = rows == 0 ? 0 : target.Numel / rows;
        if (_sumY.Length == 0) (_sumY, _sumY2) = (new double[cols], new double[cols]);
        else if (_sumY.Length != cols)
            throw new ShapeException($"R2Score: targets {Fmt.Shape(target._shape)} have {cols} outputs per sample, earlier batches had {_sumY.Length}");
        var o = output.AsSpan(); var y = target.AsSpan();
        for (int i = 0; i < o.Length; i++)
        {
            double d = y[i] - (double)o[i];
            _ssRes += d * d;
            _sumY[i % cols] += y[i];
            _sumY2[i % cols] += (double)y[i] * y[i];
        }
        _n += rows;
    }

    /// <inheritdoc/>
    public double Compute()
    {
        if (_n == 0) return double.NaN;
        double ssTot = 0;
        for (int j = 0; j < _sumY.Length; j++) ssTot += _sumY2[j] - _sumY[j] * _sumY[j] / _n;
        return 1 - _ssRes / ssTot;
    }

    /// <inheritdoc/>
    public double[] GetState() => [_n, _ssRes, .. _sumY, .. _sumY2];

    /// <inheritdoc/>
    public void SetState(double[] state)
    {
        if (state.Length < 2 || state.Length % 2 != 0) throw new PittsException($"R2Score.SetState: expected 2 + 2k numbers, got {state.Length}");
        int k = (state.Length - 2) / 2;
        (_n, _ssRes, _sumY, _sumY2) = (state[0], state[1], state[2..(2 + k)], state[(2 + k)..]);
    }
}
