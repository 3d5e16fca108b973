using System.Globalization;
using Pitts.NN;
namespace Pitts.Optim;

/// <summary>
/// A group of parameters with its own learning rate and weight decay (PyTorch's param_groups), e.g. to exempt biases
/// and norms from weight decay: <c>new AdamW([new(decayed), new(others, WeightDecay: 0f)], lr: 1e-3f)</c>. A null
/// value takes the optimizer's argument.
/// </summary>
public sealed record ParamGroup(IEnumerable<Tensor> Parameters, float? Lr = null, float? WeightDecay = null);

/// <summary>
/// Base class of the optimizers: it holds the parameters (in one or more <see cref="ParamGroup"/>s), the learning
/// rates and per-parameter state (momentum buffers, moment estimates), and updates parameter storage in place under
/// no-grad in <see cref="Step"/>.
/// </summary>
public abstract class Optimizer
{
    private readonly Tensor[] _params;
    private readonly int[] _groupOf;
    private readonly float[] _groupLr;
    private readonly float?[] _groupWeightDecay;
    private readonly Dictionary<string, Tensor>[] _state;

    /// <summary>Takes the parameters to optimise (e.g. <c>net.Parameters()</c>); each must be a leaf that requires grad.</summary>
    protected Optimizer(IEnumerable<Tensor> parameters, float lr, string name)
        : this([new ParamGroup(parameters ?? throw new ArgumentNullException(nameof(parameters)))], lr, name) { }

    /// <summary>Takes parameter groups, each with optional learning-rate and weight-decay overrides.</summary>
    protected Optimizer(IEnumerable<ParamGroup> groups, float lr, string name)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var gs = groups.ToArray();
        if (gs.Length == 0) throw new PittsException($"{name}: got no parameter groups");
        var ps = new List<Tensor>();
        var groupOf = new List<int>();
        _groupLr = new float[gs.Length];
        _groupWeightDecay = new float?[gs.Length];
        for (int g = 0; g < gs.Length; g++)
        {
            foreach (var p in gs[g].Parameters) { ps.Add(p); groupOf.Add(g); }
            _groupLr[g] = gs[g].Lr ?? lr;
            CheckNonNegative(_groupLr[g], $"learning rate of group {g}", name);
            _groupWeightDecay[g] = gs[g].WeightDecay;
            if (gs[g].WeightDecay is float wd) CheckNonNegative(wd, $"weight decay of group {g}", name);
        }
        _params = [.. ps];
        _groupOf = [.. groupOf];
        if (_params.Length == 0) throw new PittsException($"{name}: got an empty parameter list");
        for (int i = 0; i < _params.Length; i++)
            if (!_params[i].RequiresGrad || !_params[i].IsLeaf)
                throw new PittsException($"{name}: parameter {i} of shape {Fmt.Shape(_params[i]._shape)} is not a leaf that requires grad");
        if (new HashSet<Tensor>(_params, ReferenceEqualityComparer.Instance).Count != _params.Length)
            throw new PittsException($"{name}: a parameter appears more than once in the list");
        CheckNonNegative(lr, "learning rate", name);
        _state = new Dictionary<string, Tensor>[_params.Length];
        for (int i = 0; i < _state.Length; i++) _state[i] = [];
        Name = name;
    }

    /// <summary>The optimizer's name, used in messages.</summary>
    public string Name { get; }

    /// <summary>The learning rate α of the first group; setting it sets every group's rate (schedulers set each group's own).</summary>
    public float LearningRate
    {
        get => _groupLr[0];
        set
        {
            for (int g = 0; g < _groupLr.Length; g++) _groupLr[g] = value;
        }
    }

    /// <summary>The number of parameter groups (1 unless groups were given).</summary>
    public int GroupCount => _groupLr.Length;

    /// <summary>The learning rate of group <paramref name="group"/>.</summary>
    public float GetLearningRate(int group) => _groupLr[group];

    /// <summary>Sets the learning rate of group <paramref name="group"/>.</summary>
    public void SetLearningRate(int group, float lr) => _groupLr[group] = lr;

    /// <summary>The learning rate that applies to parameter <paramref name="index"/>.</summary>
    protected float LearningRateOf(int index) => _groupLr[_groupOf[index]];

    /// <summary>The weight decay that applies to parameter <paramref name="index"/>: its group's, else <paramref name="optimizerDefault"/>.</summary>
    protected float WeightDecayOf(int index, float optimizerDefault) => _groupWeightDecay[_groupOf[index]] ?? optimizerDefault;

    /// <summary>The parameters being optimised, in the order given.</summary>
    public IReadOnlyList<Tensor> Parameters => _params;

    /// <summary>Per-parameter state by name (e.g. "exp_avg"), created lazily on the first step as in PyTorch.</summary>
    protected Dictionary<string, Tensor> State(int index) => _state[index];

    /// <summary>Returns the named state buffer of parameter <paramref name="index"/>, creating it as zeros of the parameter's shape.</summary>
    protected Span<float> Buffer(int index, string name)
    {
        if (!_state[index].TryGetValue(name, out var t))
            _state[index][name] = t = Tensor.ZerosLike(_params[index]);
        return t.AsSpan();
    }

    /// <summary>Increments and returns parameter <paramref name="index"/>'s step count t (1 on the first step).</summary>
    protected int NextStep(int index)
    {
        var st = _state[index];
        if (!st.TryGetValue("step", out var s)) st["step"] = s = Tensor.Scalar(0);
        var count = s.AsSpan(); // counted in place: no new tensor per parameter per step
        count[0] += 1;
        return (int)count[0];
    }

    /// <summary>Applies one update to every parameter that has a gradient, in place and without recording a graph.</summary>
    public void Step()
    {
        using var _ = Autograd.NoGrad();
        for (int i = 0; i < _params.Length; i++)
        {
            var p = _params[i];
            if (p.Grad is null) continue;
            Update(i, p.AsSpan(), p.Grad.AsSpan());
        }
    }

    /// <summary>Updates parameter <paramref name="index"/> (values <paramref name="p"/>) from its gradient <paramref name="grad"/>.</summary>
    protected abstract void Update(int index, Span<float> p, ReadOnlySpan<float> grad);

    /// <inheritdoc cref="Module.ZeroGrad(bool)"/>
    public void ZeroGrad(bool setToNone = false) => Module.ZeroGrads(_params, setToNone);

    /// <summary>
    /// The learning rates and per-parameter state as flat tensors keyed "lr" (the first group's),
    /// "param_groups.{g}.lr" (further groups) and "state.{i}.{name}" (i the parameter's position over all groups), ready
    /// to be written with the model into one checkpoint. Values are copies.
    /// </summary>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        var d = new OrderedDictionary<string, Tensor> { ["lr"] = Tensor.Scalar(_groupLr[0]) };
        for (int g = 1; g < _groupLr.Length; g++)
            d[string.Create(CultureInfo.InvariantCulture, $"param_groups.{g}.lr")] = Tensor.Scalar(_groupLr[g]);
        for (int i = 0; i < _state.Length; i++)
            foreach (var (k, v) in _state[i].OrderBy(kv => kv.Key, StringComparer.Ordinal))
                d[string.Create(CultureInfo.InvariantCulture, $"state.{i}.{k}")] = Tensor.FromArray(v.ToArray(), [.. v.Shape]);
        return d;
    }

    /// <summary>Restores a state taken by <see cref="StateDict"/>; entries for unknown parameters or with wrong shapes raise a <see cref="PittsException"/>.</summary>
    public void LoadStateDict(IEnumerable<KeyValuePair<string, Tensor>> stateDict)
    {
        var fresh = new Dictionary<string, Tensor>[_params.Length];
        for (int i = 0; i < fresh.Length; i++) fresh[i] = [];
        float? lr = null;
        var groupLr = new float?[_groupLr.Length];
        foreach (var (key, value) in stateDict)
        {
            if (key == "lr") { lr = value.Item(); continue; }
            var parts = key.Split('.', 3);
            if (parts.Length == 3 && parts[0] == "param_groups" && parts[2] == "lr"
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int g) && g > 0 && g < _groupLr.Length)
            {
                groupLr[g] = value.Item();
                continue;
            }
            if (parts.Length != 3 || parts[0] != "state" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int i))
                throw new PittsException($"{Name}.LoadStateDict: unexpected key '{key}'");
            if (i >= _params.Length)
                throw new PittsException($"{Name}.LoadStateDict: '{key}' refers to parameter {i}, but this optimizer has {_params.Length}");
            if (parts[2] != "step" && !value.Shape.SequenceEqual(_params[i].Shape))
                throw new PittsException($"{Name}.LoadStateDict: '{key}' has shape {Fmt.Shape(value._shape)}, parameter {i} has {Fmt.Shape(_params[i]._shape)}");
            fresh[i][parts[2]] = Tensor.FromArray(value.ToArray(), [.. value.Shape]);
        }
        if (lr is null) throw new PittsException($"{Name}.LoadStateDict: missing key 'lr'");
        for (int g = 1; g < groupLr.Length; g++)
            if (groupLr[g] is null) throw new PittsException($"{Name}.LoadStateDict: missing key 'param_groups.{g}.lr'");
        _groupLr[0] = lr.Value;
        for (int g = 1; g < groupLr.Length; g++) _groupLr[g] = groupLr[g]!.Value;
        for (int i = 0; i < fresh.Length; i++) _state[i] = fresh[i];
    }

    /// <summary>Throws when a hyperparameter is negative or NaN.</summary>
    protected static void CheckNonNegative(float value, string what, string op)
    {
        if (!(value >= 0f)) throw new PittsException($"{op}: {what} must be non-negative, got {value}");
    }

    /// <summary>Throws when a coefficient is outside [0, 1).</summary>
    protected static void CheckUnit(float value, string what, string op)
    {
        if (!(value >= 0f && value < 1f)) throw new PittsException($"{op}: {what} must be in [0, 1), got {value}");
    }
}
