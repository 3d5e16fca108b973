namespace Pitts.Optim;

/// <summary>
/// Base class of the learning-rate schedules: it remembers the optimizer's initial rate and, at each
/// <see cref="Step"/> (once per epoch, after the optimizer's steps), sets the rate for the next epoch.
/// </summary>
public abstract class LrScheduler
{
    private float[] _baseLrs;

    /// <summary>Captures each group's current learning rate as its base rate.</summary>
    protected LrScheduler(Optimizer optimizer)
    {
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        _baseLrs = Enumerable.Range(0, optimizer.GroupCount).Select(optimizer.GetLearningRate).ToArray();
    }

    /// <summary>The optimizer whose learning rate this schedule sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The learning rate of the first group at epoch 0.</summary>
    public float BaseLr => _baseLrs[0];

    /// <summary>Each group's learning rate at epoch 0.</summary>
    public IReadOnlyList<float> BaseLrs => _baseLrs;

    /// <summary>The number of <see cref="Step"/> calls so far (PyTorch's last_epoch).</summary>
    public int LastEpoch { get; private set; }

    /// <summary>The learning rate the optimizer uses now.</summary>
    public float LastLr => Optimizer.LearningRate;

    /// <summary>Advances one epoch and sets every group's learning rate from its base rate.</summary>
    public void Step()
    {
        LastEpoch++;
        for (int g = 0; g < _baseLrs.Length; g++) Optimizer.SetLearningRate(g, LrAt(LastEpoch, _baseLrs[g]));
    }

    /// <summary>The first group's learning rate at epoch <paramref name="epoch"/> (closed form).</summary>
    public float LrAt(int epoch) => LrAt(epoch, BaseLr);

    /// <summary>The learning rate at epoch <paramref name="epoch"/> for a group whose base rate is <paramref name="baseLr"/>.</summary>
    protected abstract float LrAt(int epoch, float baseLr);

    /// <summary>The schedule's position as tensors ("last_epoch", "base_lr", "base_lrs.{g}" for further groups), for checkpoints.</summary>
    public virtual OrderedDictionary<string, Tensor> StateDict()
    {
        var d = new OrderedDictionary<string, Tensor>
        {
            ["last_epoch"] = Tensor.Scalar(LastEpoch),
            ["base_lr"] = Tensor.Scalar(BaseLr),
        };
        for (int g = 1; g < _baseLrs.Length; g++) d[$"base_lrs.{g}"] = Tensor.Scalar(_baseLrs[g]);
        return d;
    }

    /// <summary>Restores a state taken by <see cref="StateDict"/> (the optimizer's rates are restored by the optimizer's own state).</summary>
    public virtual void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        var b = new float[_baseLrs.Length];
        b[0] = Get(state, "base_lr");
        for (int g = 1; g < b.Length; g++) b[g] = Get(state, $"base_lrs.{g}");
        LastEpoch = (int)Get(state, "last_epoch");
        _baseLrs = b;
    }

    /// <summary>Reads one scalar entry, with a clear error when it is missing.</summary>
    protected float Get(IReadOnlyDictionary<string, Tensor> state, string key) =>
        state.TryGetValue(key, out var t) ? t.Item() : throw new PittsException($"{GetType().Name}.LoadStateDict: missing key '{key}'");
}

/// <summary>Multiplies the rate by γ every <c>stepSize</c> epochs: α_t = α₀·γ^⌊t/stepSize⌋ (PyTorch's StepLR).</summary>
public sealed class StepLr : LrScheduler
{
    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>The decay factor γ.</summary>
    public float Gamma { get; }

    /// <summary>Creates the schedule.</summary>
    public StepLr(Optimizer optimizer, int stepSize, float gamma = 0.1f) : base(optimizer)
    {
        if (stepSize <= 0) throw new PittsException($"StepLr: step size must be positive, got {stepSize}");
        (StepSize, Gamma) = (stepSize, gamma);
    }

    /// <inheritdoc/>
    protected override float LrAt(int epoch, float baseLr) => (float)(baseLr * Math.Pow(Gamma, epoch / StepSize));
}

/// <summary>Multiplies the rate by γ every epoch: α_t = α₀·γ^t (PyTorch's ExponentialLR).</summary>
public sealed class ExponentialLr(Optimizer optimizer, float gamma) : LrScheduler(optimizer)
{
    /// <summary>The decay factor γ.</summary>
    public float Gamma { get; } = gamma;

    /// <inheritdoc/>
    protected override float LrAt(int epoch, float baseLr) => (float)(baseLr * Math.Pow(Gamma, epoch));
}

/// <summary>
/// Cosine annealing (Loshchilov and Hutter, 2017, without restarts): α_t = η_min + (α₀ - η_min)(1 + cos(πt/T_max))/2,
/// PyTorch's CosineAnnealingLR in its closed form.
/// </summary>
public sealed class CosineAnnealingLr : LrScheduler
{
    /// <summary>The half period T_max in epochs.</summary>
    public int TMax { get; }

    /// <summary>The minimum rate η_min.</summary>
    public float EtaMin { get; }

    /// <summary>Creates the schedule.</summary>
    public CosineAnnealingLr(Optimizer optimizer, int tMax, float etaMin = 0f) : base(optimizer)
    {
        if (tMax <= 0) throw new PittsException($"CosineAnnealingLr: T_max must be positive, got {tMax}");
        (TMax, EtaMin) = (tMax, etaMin);
    }

    /// <inheritdoc/>
    protected override float LrAt(int epoch, float baseLr) => (float)(EtaMin + (baseLr - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2);
}

/// <summary>Whether a monitored metric should go down (a loss) or up (an accuracy).</summary>
public enum PlateauMode
{
    /// <summary>Lower is better.</summary>
    Min,

    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>
/// Multiplies the learning rate by <c>factor</c> when a metric has not improved for more than <c>patience</c> epochs
/// in every group (PyTorch's ReduceLROnPlateau, relative threshold): improvement means metric &lt; best·(1 - threshold) in Min mode.
/// Call <see cref="Step(float)"/> with the validation metric once per epoch.
/// </summary>
public sealed class ReduceLrOnPlateau
{
    /// <summary>Creates the schedule with PyTorch's defaults (factor 0.1, patience 10, threshold 1e-4, no cooldown).</summary>
    public ReduceLrOnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, float factor = 0.1f, int patience = 10,
        float threshold = 1e-4f, int cooldown = 0, float minLr = 0f, float eps = 1e-8f)
    {
        if (!(factor < 1f && factor >= 0f)) throw new PittsException($"ReduceLrOnPlateau: factor must be in [0, 1), got {factor}");
        Optimizer = optimizer ?? throw new ArgumentNullException(nameof(optimizer));
        (Mode, Factor, Patience, Threshold, Cooldown, MinLr, Eps) = (mode, factor, patience, threshold, cooldown, minLr, eps);
        Best = mode == PlateauMode.Min ? float.PositiveInfinity : float.NegativeInfinity;
    }

    /// <summary>The optimizer whose learning rate this schedule sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Whether lower or higher metrics are better.</summary>
    public PlateauMode Mode { get; }

    /// <summary>The factor the rate is multiplied by on a plateau.</summary>
    public float Factor { get; }

    /// <summary>Epochs without improvement tolerated before reducing.</summary>
    public int Patience { get; }

    /// <summary>The relative improvement that counts as better.</summary>
    public float Threshold { get; }

    /// <summary>Epochs to wait after a reduction before counting again.</summary>
    public int Cooldown { get; }

    /// <summary>The rate is never reduced below this.</summary>
    public float MinLr { get; }

    /// <summary>Reductions smaller than this are skipped.</summary>
    public float Eps { get; }

    /// <summary>The best metric seen.</summary>
    public float Best { get; private set; }

    /// <summary>Epochs since the last improvement.</summary>
    public int NumBadEpochs { get; private set; }

    /// <summary>Remaining cooldown epochs.</summary>
    public int CooldownCounter { get; private set; }

    /// <summary>The number of <see cref="Step(float)"/> calls so far.</summary>
    public int LastEpoch { get; private set; }

    /// <summary>Records this epoch's metric and reduces the learning rate if it has plateaued.</summary>
    public void Step(float metric)
    {
        LastEpoch++;
        bool better = Mode == PlateauMode.Min ? metric < Best * (1f - Threshold) : metric > Best * (1f + Threshold);
        if (better) { Best = metric; NumBadEpochs = 0; }
        else NumBadEpochs++;
        if (CooldownCounter > 0) { CooldownCounter--; NumBadEpochs = 0; }
        if (NumBadEpochs > Patience)
        {
            for (int g = 0; g < Optimizer.GroupCount; g++)
            {
                float old = Optimizer.GetLearningRate(g), next = Math.Max(old * Factor, MinLr);
                if (old - next > Eps) Optimizer.SetLearningRate(g, next);
            }
            CooldownCounter = Cooldown;
            NumBadEpochs = 0;
        }
    }

    /// <summary>The schedule's counters as tensors, for checkpoints.</summary>
    public OrderedDictionary<string, Tensor> StateDict() => new()
    {
        ["best"] = Tensor.Scalar(Best),
        ["num_bad_epochs"] = Tensor.Scalar(NumBadEpochs),
        ["cooldown_counter"] = Tensor.Scalar(CooldownCounter),
        ["last_epoch"] = Tensor.Scalar(LastEpoch),
    };

    /// <summary>Restores a state taken by <see cref="StateDict"/>.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        float Get(string k) => state.TryGetValue(k, out var t) ? t.Item() : throw new PittsException($"ReduceLrOnPlateau.LoadStateDict: missing key '{k}'");
        Best = Get("best");
        NumBadEpochs = (int)Get("num_bad_epochs");
        CooldownCounter = (int)Get("cooldown_counter");
        LastEpoch = (int)Get("last_epoch");
    }
}
