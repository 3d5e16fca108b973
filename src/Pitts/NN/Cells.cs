namespace Pitts.NN;

/// <summary>
/// Shared weights of the single-step recurrent cells, named as PyTorch names them (<c>weight_ih</c>, <c>weight_hh</c>,
/// <c>bias_ih</c>, <c>bias_hh</c>) and initialised U(-1/√H, 1/√H).
/// </summary>
public abstract class RecurrentCell : Module
{
    /// <summary>Input-to-hidden weight, shape (gates·H, in).</summary>
    public Tensor WeightIh { get; }

    /// <summary>Hidden-to-hidden weight, shape (gates·H, H).</summary>
    public Tensor WeightHh { get; }

    /// <summary>Input bias, shape (gates·H), or null.</summary>
    public Tensor? BiasIh { get; }

    /// <summary>Hidden bias, shape (gates·H), or null.</summary>
    public Tensor? BiasHh { get; }

    /// <summary>The size of each input vector.</summary>
    public int InputSize { get; }

    /// <summary>The size H of the hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>Creates the weights with gates·H rows.</summary>
    protected RecurrentCell(int inputSize, int hiddenSize, bool bias, int gates, Generator? generator)
    {
        if (inputSize <= 0 || hiddenSize <= 0)
            throw new PittsException($"{GetType().Name}: input and hidden sizes must be positive, got {inputSize}, {hiddenSize}");
        (InputSize, HiddenSize) = (inputSize, hiddenSize);
        float k = 1f / MathF.Sqrt(hiddenSize);
        WeightIh = RegisterParameter("weight_ih", Init.Uniform(Tensor.Zeros(gates * hiddenSize, inputSize), -k, k, generator));
        WeightHh = RegisterParameter("weight_hh", Init.Uniform(Tensor.Zeros(gates * hiddenSize, hiddenSize), -k, k, generator));
        if (bias)
        {
            BiasIh = RegisterParameter("bias_ih", Init.Uniform(Tensor.Zeros(gates * hiddenSize), -k, k, generator));
            BiasHh = RegisterParameter("bias_hh", Init.Uniform(Tensor.Zeros(gates * hiddenSize), -k, k, generator));
        }
        else { RegisterParameter("bias_ih"); RegisterParameter("bias_hh"); }
    }

    /// <summary>Checks x (N, in) and h (N, H), returning zeros for a null h.</summary>
    private protected Tensor CheckState(Tensor x, Tensor? h)
    {
        if (x.Rank != 2 || x.Shape[1] != InputSize)
            throw new ShapeException($"{GetType().Name}: expected input (N x {InputSize}), got {Fmt.Shape(x._shape)}");
        if (h is null) return Tensor.Zeros(x.Shape[0], HiddenSize);
        if (h.Rank != 2 || h.Shape[0] != x.Shape[0] || h.Shape[1] != HiddenSize)
            throw new ShapeException($"{GetType().Name}: expected state ({x.Shape[0]} x {HiddenSize}), got {Fmt.Shape(h._shape)}");
        return h;
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{InputSize}, {HiddenSize}";
}

/// <summary>One step of the lecture's Elman recurrence, h' = tanh(W_ih·x + b_ih + W_hh·h + b_hh), PyTorch's <c>nn.RNNCell</c>.</summary>
public sealed class RnnCell(int inputSize, int hiddenSize, bool bias = true, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh, Generator? generator = null)
    : RecurrentCell(inputSize, hiddenSize, bias, 1, generator)
{
    /// <summary>The next state h' from input x (N, in) and state h (N, H), zeros when null.</summary>
    public Tensor Forward(Tensor x, Tensor? h)
    {
        h = CheckState(x, h);
        return Report(Step(Tensor.Linear(x, WeightIh, BiasIh), Tensor.Linear(h, WeightHh, BiasHh), nonlinearity));
    }

    /// <summary>
    /// The recurrence itself, h' = f(gi + gh), from the input part gi = W_ih·x + b_ih and the hidden part
    /// gh = W_hh·h + b_hh, each (N, H); <see cref="Rnn"/> unrolls it over time.
    /// </summary>
    internal static Tensor Step(Tensor gi, Tensor gh, RnnNonlinearity nonlinearity)
    {
        var z = gi.Add(gh);
        return nonlinearity == RnnNonlinearity.Tanh ? z.Tanh() : z.Relu();
    }

    /// <summary>One step from a zero state.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null);
}

/// <summary>One LSTM step (gates i, f, g, o), PyTorch's <c>nn.LSTMCell</c>: c' = f⊙c + i⊙g, h' = o⊙tanh(c').</summary>
public sealed class LstmCell(int inputSize, int hiddenSize, bool bias = true, Generator? generator = null)
    : RecurrentCell(inputSize, hiddenSize, bias, 4, generator)
{
    /// <summary>The next (h, c) from input x (N, in) and state (h, c), zeros when null.</summary>
    public (Tensor H, Tensor C) Forward(Tensor x, (Tensor H, Tensor C)? state)
    {
        var h = CheckState(x, state?.H);
        var c = CheckState(x, state?.C);
        var (hNext, cNext) = Step(Tensor.Linear(x, WeightIh, BiasIh), Tensor.Linear(h, WeightHh, BiasHh), c);
        return (Report(hNext), cNext);
    }

    /// <summary>
    /// The recurrence itself from the input part gi = W_ih·x + b_ih and the hidden part gh = W_hh·h + b_hh, each
    /// (N, 4H), and the cell state c (N, H): c' = f⊙c + i⊙g, h' = o⊙tanh(c'); <see cref="Lstm"/> unrolls it over time.
    /// </summary>
    internal static (Tensor H, Tensor C) Step(Tensor gi, Tensor gh, Tensor c)
    {
        var gates = gi.Add(gh).Chunk(4, 1); // 4 x (N, H)
        var i = gates[0].Sigmoid();
        var f = gates[1].Sigmoid();
        var g = gates[2].Tanh();
        var o = gates[3].Sigmoid();
        var cNext = f.Mul(c).Add(i.Mul(g));
        return (o.Mul(cNext.Tanh()), cNext);
    }

    /// <summary>The hidden state after one step from a zero state.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null).H;
}

/// <summary>One GRU step (gates r, z, n), PyTorch's <c>nn.GRUCell</c>: h' = (1 - z)⊙n + z⊙h.</summary>
public sealed class GruCell(int inputSize, int hiddenSize, bool bias = true, Generator? generator = null)
    : RecurrentCell(inputSize, hiddenSize, bias, 3, generator)
{
    /// <summary>The next state h' from input x (N, in) and state h (N, H), zeros when null.</summary>
    public Tensor Forward(Tensor x, Tensor? h)
    {
        h = CheckState(x, h);
        return Report(Step(Tensor.Linear(x, WeightIh, BiasIh), Tensor.Linear(h, WeightHh, BiasHh), h));
    }

    /// <summary>
    /// The recurrence itself from the input part gi = W_ih·x + b_ih and the hidden part gh = W_hh·h + b_hh, each
    /// (N, 3H), and the state h (N, H): h' = (1 - z)⊙n + z⊙h; <see cref="Gru"/> unrolls it over time.
    /// </summary>
    internal static Tensor Step(Tensor gi, Tensor gh, Tensor h)
    {
        var i = gi.Chunk(3, 1);              // input parts  3 x (N, H)
        var hp = gh.Chunk(3, 1);             // hidden parts 3 x (N, H)
        var r = i[0].Add(hp[0]).Sigmoid();
        var z = i[1].Add(hp[1]).Sigmoid();
        var n = i[2].Add(r.Mul(hp[2])).Tanh();
        return n.Add(z.Mul(h.Sub(n)));       // (1 - z)·n + z·h
    }

    /// <summary>One step from a zero state.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null);
}
