using System.Text;
namespace Pitts.NN;

/// <summary>A state dictionary or checkpoint entry that does not fit the module: missing, unexpected or mis-shaped.</summary>
public sealed class StateDictException : PittsException
{
    /// <summary>Creates the error with its message.</summary>
    public StateDictException(string message) : base(message) { }
}

/// <summary>
/// Base class of every layer and model, like PyTorch's <c>nn.Module</c>: it owns parameters (tensors that require
/// grad), buffers (state that is saved but not trained, e.g. BatchNorm's running mean) and submodules, all
/// registered explicitly by name in the constructor, so <see cref="NamedParameters"/> yields dotted names such as
/// <c>fc1.weight</c> in PyTorch's order (a module's own entries first, in registration order, then each submodule's).
/// </summary>
public abstract class Module
{
    private readonly List<(string Name, Tensor? Value)> _parameters = [];
    private readonly List<(string Name, Tensor? Value)> _buffers = [];
    private readonly List<(string Name, Module Value)> _modules = [];

    /// <summary>True in training mode (the default); <see cref="Eval"/> switches Dropout and BatchNorm to inference.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Computes the module's output for one input tensor.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Registers a parameter (it is made to require grad) under <paramref name="name"/> and returns it.</summary>
    protected Tensor RegisterParameter(string name, Tensor parameter)
    {
        CheckName(name);
        if (!parameter.IsLeaf)
            throw new PittsException($"RegisterParameter('{name}'): a parameter must be a leaf tensor, not the output of '{parameter.GradFn!.Op}'; pass tensor.Detach()");
        parameter.RequiresGrad = true;
        _parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>Registers a name for an absent optional parameter (e.g. a bias turned off), which takes no slot in state dicts.</summary>
    protected void RegisterParameter(string name) { CheckName(name); _parameters.Add((name, null)); }

    /// <summary>Registers a buffer: state saved in <see cref="StateDict"/> but not returned by <see cref="Parameters"/>.</summary>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        CheckName(name);
        _buffers.Add((name, buffer));
        return buffer;
    }

    /// <summary>Registers a submodule under <paramref name="name"/> and returns it, so fields read <c>fc1 = RegisterModule("fc1", new Linear(1, 20))</c>.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(module);
        _modules.Add((name, module));
        return module;
    }

    /// <summary>Replaces the value of a registered parameter (used by layers whose parameters are re-created).</summary>
    protected void SetParameter(string name, Tensor? value)
    {
        int i = _parameters.FindIndex(p => p.Name == name);
        if (i < 0) throw new PittsException($"SetParameter: '{name}' is not a registered parameter of {GetType().Name}");
        if (value is not null) value.RequiresGrad = true;
        _parameters[i] = (name, value);
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new PittsException($"{GetType().Name}: the name '{name}' is not valid (non-empty, no dots)");
        if (_parameters.Any(p => p.Name == name) || _buffers.Any(b => b.Name == name) || _modules.Any(m => m.Name == name))
            throw new PittsException($"{GetType().Name}: the name '{name}' is already registered");
    }

    /// <summary>The direct submodules with their names, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _modules;

    /// <summary>The direct submodules, in registration order.</summary>
    public IEnumerable<Module> Children() => _modules.Select(m => m.Value);

    /// <summary>This module and every submodule, depth first, with dotted names ("" for this one).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        var stack = new Stack<(string, Module)>();
        stack.Push(("", this));
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        while (stack.Count > 0)
        {
            var (prefix, m) = stack.Pop();
            if (!seen.Add(m)) continue; // a module shared by two parents is reported once, as in PyTorch
            yield return (prefix, m);
            for (int i = m._modules.Count - 1; i >= 0; i--)
                stack.Push((Join(prefix, m._modules[i].Name), m._modules[i].Value));
        }
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;

    /// <summary>Every trainable parameter with its dotted name (e.g. <c>fc1.weight</c>), in PyTorch's order; shared tensors appear once.</summary>
    public IEnumerable<(string Name, Tensor Parameter)> NamedParameters()
    {
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var (prefix, m) in NamedModules())
            foreach (var (name, p) in m._parameters)
                if (p is not null && seen.Add(p)) yield return (Join(prefix, name), p);
    }

    /// <summary>Every trainable parameter, in the order of <see cref="NamedParameters"/> (pass this to an optimizer).</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Every buffer with its dotted name.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
    {
        foreach (var (prefix, m) in NamedModules())
            foreach (var (name, b) in m._buffers)
                if (b is not null) yield return (Join(prefix, name), b);
    }

    /// <summary>The number of trainable scalars, Σ numel over <see cref="Parameters"/>.</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Numel);

    /// <summary>Switches this module and its submodules to training mode (Dropout active, BatchNorm uses batch statistics).</summary>
    public Module Train(bool mode = true)
    {
        foreach (var (_, m) in NamedModules()) m.Training = mode;
        return this;
    }

    /// <summary>Switches to evaluation mode, the same as <c>Train(false)</c>.</summary>
    public Module Eval() => Train(false);

    /// <summary>
    /// Calls <paramref name="fn"/> on every submodule and then on this module (children first, as PyTorch's
    /// <c>apply</c>), e.g. to re-initialise every Linear: <c>net.Apply(m => { if (m is Linear l) Init.XavierUniform(l.Weight); })</c>.
    /// </summary>
    public Module Apply(Action<Module> fn)
    {
        ArgumentNullException.ThrowIfNull(fn);
        foreach (var (_, m) in NamedModules().Reverse()) fn(m);
        return this;
    }

    /// <summary>
    /// Resets every parameter's gradient: zero-fills the existing buffers (PyTorch 1.x's default, set_to_none=False), so
    /// the next backward adds into memory it already has instead of allocating (large layers' gradients live on the
    /// large-object heap); <paramref name="setToNone"/> = true drops them instead (PyTorch 2's default), after which
    /// Step skips parameters that receive no gradient. docs/NN.md gives the measured cost of each (a 784-128-10 MLP:
    /// 150 KB against 558 KB allocated per step).
    /// </summary>
    public void ZeroGrad(bool setToNone = false) => ZeroGrads(Parameters(), setToNone);

    /// <summary>The body of <see cref="ZeroGrad"/>, which optimizers share.</summary>
    internal static void ZeroGrads(IEnumerable<Tensor> parameters, bool setToNone)
    {
        foreach (var p in parameters)
        {
            if (setToNone) p.Grad = null;
            else p.Grad?.AsSpan().Clear();
        }
    }

    /// <summary>
    /// Parameters and buffers by dotted name, in PyTorch's order (each module's parameters, then its buffers, then
    /// its submodules). Values are detached tensors sharing storage with the module, as in PyTorch.
    /// </summary>
    public OrderedDictionary<string, Tensor> StateDict()
    {
        var d = new OrderedDictionary<string, Tensor>();
        foreach (var (prefix, m) in NamedModules())
        {
            foreach (var (name, p) in m._parameters)
                if (p is not null) d.TryAdd(Join(prefix, name), p.Detach());
            foreach (var (name, b) in m._buffers)
                if (b is not null) d.TryAdd(Join(prefix, name), b.Detach());
        }
        return d;
    }

    /// <summary>
    /// Copies values into the module's parameters and buffers in place. With <paramref name="strict"/> (the default)
    /// every key must match; a shape mismatch is always an error. All problems are listed in one
    /// <see cref="StateDictException"/>, and nothing is copied unless all entries fit.
    /// </summary>
    public void LoadStateDict(IEnumerable<KeyValuePair<string, Tensor>> stateDict, bool strict = true)
    {
        var own = StateDict();
        var given = new Dictionary<string, Tensor>();
        foreach (var (k, v) in stateDict) given[k] = v;
        var missing = own.Keys.Where(k => !given.ContainsKey(k)).ToList();
        var unexpected = given.Keys.Where(k => !own.ContainsKey(k)).ToList();
        var misShaped = new List<string>();
        foreach (var (k, v) in given)
            if (own.TryGetValue(k, out var mine) && !mine.Shape.SequenceEqual(v.Shape))
                misShaped.Add($"'{k}': checkpoint has {Fmt.Shape(v._shape)}, model has {Fmt.Shape(mine._shape)}");
        var problems = new List<string>();
        if (strict && missing.Count > 0) problems.Add("missing keys: " + string.Join(", ", missing.Select(k => $"'{k}'")));
        if (strict && unexpected.Count > 0) problems.Add("unexpected keys: " + string.Join(", ", unexpected.Select(k => $"'{k}'")));
        if (misShaped.Count > 0) problems.Add("shape mismatches: " + string.Join("; ", misShaped));
        if (problems.Count > 0)
            throw new StateDictException($"LoadStateDict into {GetType().Name}: " + string.Join("; ", problems));
        foreach (var (k, v) in given)
            if (own.TryGetValue(k, out var mine)) v.AsSpan().CopyTo(mine.AsSpan());
    }

    /// <summary>
    /// A Keras-style table of the layers that ran: name, type, output shape (found by running a zero input of
    /// <paramref name="inputShape"/> through <see cref="Forward"/> in evaluation and no-grad mode) and parameter
    /// count, with the total.
    /// </summary>
    public string Summary(params int[] inputShape)
    {
        var rows = new List<(string Name, string Type, string Shape, long Count)>();
        var names = new Dictionary<Module, string>(ReferenceEqualityComparer.Instance);
        foreach (var (n, m) in NamedModules()) names[m] = n;
        Tensor output;
        var modes = NamedModules().Select(m => (m.Module, m.Module.Training)).ToList();
        var previous = SummaryRecorder.Active;
        Eval();
        try
        {
            SummaryRecorder.Active = (m, y) =>
            {
                if (!ReferenceEquals(m, this) && names.TryGetValue(m, out var n))
                    rows.Add((n, m.GetType().Name, Fmt.Shape(y._shape), m.ParameterCount()));
            };
            using (Autograd.NoGrad()) output = Forward(Tensor.Zeros(inputShape));
        }
        finally
        {
            SummaryRecorder.Active = previous;
            foreach (var (m, mode) in modes) m.Training = mode;
        }
        if (rows.Count == 0) rows.Add((GetType().Name, GetType().Name, Fmt.Shape(output._shape), ParameterCount()));
        var sb = new StringBuilder();
        int w1 = Math.Max(14, rows.Max(r => r.Name.Length + r.Type.Length + 3));
        int w2 = Math.Max(14, rows.Max(r => r.Shape.Length));
        string line = new('-', w1 + w2 + 16);
        sb.AppendLine($"{GetType().Name}, input {Fmt.Shape(inputShape)}, output {Fmt.Shape(output._shape)}");
        sb.AppendLine(line);
        sb.AppendLine($"{"Layer (type)".PadRight(w1)}  {"Output shape".PadRight(w2)}  {"Param #",12}");
        sb.AppendLine(line);
        foreach (var r in rows) sb.AppendLine($"{(r.Name + " (" + r.Type + ")").PadRight(w1)}  {r.Shape.PadRight(w2)}  {r.Count,12:N0}");
        sb.AppendLine(line);
        sb.AppendLine($"Total params: {ParameterCount():N0}");
        return sb.ToString();
    }

    /// <summary>
    /// Returns <paramref name="output"/> after reporting it to <see cref="Summary"/>; built-in layers end their
    /// Forward with it, so a summary lists every layer a model runs, whatever its Forward looks like.
    /// </summary>
    protected Tensor Report(Tensor output)
    {
        SummaryRecorder.Active?.Invoke(this, output);
        return output;
    }

    /// <summary>The module's type name and its direct children, indented, like PyTorch's repr.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Print(sb, "", 0);
        return sb.ToString().TrimEnd();
    }

    /// <summary>A one-line description of this module's own settings, e.g. <c>in_features=1, out_features=20</c>.</summary>
    protected virtual string ExtraRepr() => "";

    private void Print(StringBuilder sb, string name, int depth)
    {
        sb.Append(' ', depth * 2);
        if (name.Length > 0) sb.Append('(').Append(name).Append("): ");
        sb.Append(GetType().Name).Append('(').Append(ExtraRepr());
        if (_modules.Count == 0) { sb.AppendLine(")"); return; }
        sb.AppendLine();
        foreach (var (n, m) in _modules) m.Print(sb, n, depth + 1);
        sb.Append(' ', depth * 2).AppendLine(")");
    }
}

internal static class SummaryRecorder
{
    [ThreadStatic] public static Action<Module, Tensor>? Active;
}
