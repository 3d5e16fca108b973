using System.Globalization;
namespace Pitts.NN;

/// <summary>The nonlinearity f of an Elman RNN, h' = f(W_ih·x + b_ih + W_hh·h + b_hh).</summary>
public enum RnnNonlinearity
{
    /// <summary>tanh (the default, as in PyTorch and the lecture).</summary>
    Tanh,

    /// <summary>ReLU.</summary>
    Relu,
}

/// <summary>
/// Shared machinery of the recurrent layers, each of which unrolls its cell's <c>Step</c> (the one place its recurrence is written): per-layer weights named as PyTorch names them
/// (<c>weight_ih_l0</c>, <c>weight_hh_l0</c>, <c>bias_ih_l0</c>, <c>bias_hh_l0</c>, ...), all initialised
/// U(-1/√H, 1/√H), and the time loop. Inputs are (T, N, input) by default, as in PyTorch, or (N, T, input) with
/// batchFirst; hidden states are always (layers, N, H), as in PyTorch.
/// </summary>
public abstract class RecurrentLayer : Module
{
    private readonly Tensor[] _wih, _whh;
    private readonly Tensor?[] _bih, _bhh;

    /// <summary>The size of each input vector.</summary>
    public int InputSize { get; }

    /// <summary>The size H of the hidden state.</summary>
    public int HiddenSize { get; }

    /// <summary>The number of stacked layers.</summary>
    public int NumLayers { get; }

    /// <summary>True when inputs and outputs are (N, T, features).</summary>
    public bool BatchFirst { get; }

    /// <summary>Creates the weights: each layer has gates·H rows.</summary>
    protected RecurrentLayer(int inputSize, int hiddenSize, int numLayers, bool bias, bool batchFirst, int gates, Generator? generator)
    {
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0)
            throw new PittsException($"{GetType().Name}: input size, hidden size and number of layers must be positive, got {inputSize}, {hiddenSize}, {numLayers}");
        (InputSize, HiddenSize, NumLayers, BatchFirst) = (inputSize, hiddenSize, numLayers, batchFirst);
        float k = 1f / MathF.Sqrt(hiddenSize);
        _wih = new Tensor[numLayers]; _whh = new Tensor[numLayers];
        _bih = new Tensor?[numLayers]; _bhh = new Tensor?[numLayers];
        for (int l = 0; l < numLayers; l++)
        {
            string s = l.ToString(CultureInfo.InvariantCulture);
            int inp = l == 0 ? inputSize : hiddenSize;
            _wih[l] = RegisterParameter("weight_ih_l" + s, Init.Uniform(Tensor.Zeros(gates * hiddenSize, inp), -k, k, generator));
            _whh[l] = RegisterParameter("weight_hh_l" + s, Init.Uniform(Tensor.Zeros(gates * hiddenSize, hiddenSize), -k, k, generator));
            if (bias)
            {
                _bih[l] = RegisterParameter("bias_ih_l" + s, Init.Uniform(Tensor.Zeros(gates * hiddenSize), -k, k, generator));
                _bhh[l] = RegisterParameter("bias_hh_l" + s, Init.Uniform(Tensor.Zeros(gates * hiddenSize), -k, k, generator));
            }
        }
    }

    /// <summary>Input-to-hidden weight of layer <paramref name="layer"/>, shape (gates·H, in).</summary>
    public Tensor WeightIh(int layer) => _wih[layer];

    /// <summary>Hidden-to-hidden weight of layer <paramref name="layer"/>, shape (gates·H, H).</summary>
    public Tensor WeightHh(int layer) => _whh[layer];

    /// <summary>Checks the input and returns it as a list of T time steps of (N, in), plus N.</summary>
    private protected (Tensor[] Steps, int Batch) Steps(Tensor input)
    {
        if (input.Rank != 3 || input.Shape[2] != InputSize)
            throw new ShapeException($"{GetType().Name}: expected input of shape ({(BatchFirst ? "N x T" : "T x N")} x {InputSize}), got {Fmt.Shape(input._shape)}");
        var tm = BatchFirst ? input.Transpose(0, 1) : input; // (T, N, in)
        return (tm.Unbind(0), tm.Shape[1]);
    }

    /// <summary>Stacks T outputs of (N, H) into the layer's output layout.</summary>
    private protected Tensor Output(List<Tensor> hs)
    {
        var y = Tensor.Stack(hs, 0); // (T, N, H)
        return BatchFirst ? y.Transpose(0, 1) : y;
    }

    /// <summary>Checks a (layers, N, H) state (zeros when null) and returns one (N, H) tensor per layer.</summary>
    private protected Tensor[] State(Tensor? h, int batch, string what)
    {
        if (h is null) return Enumerable.Range(0, NumLayers).Select(_ => Tensor.Zeros(batch, HiddenSize)).ToArray();
        if (h.Rank != 3 || h.Shape[0] != NumLayers || h.Shape[1] != batch || h.Shape[2] != HiddenSize)
            throw new ShapeException($"{GetType().Name}: {what} must have shape ({NumLayers} x {batch} x {HiddenSize}), got {Fmt.Shape(h._shape)}");
        return h.Unbind(0);
    }

    /// <summary>The input projections W_ih·x_t + b_ih of one layer for every step.</summary>
    private protected Tensor[] Project(Tensor[] xs, int layer) =>
        xs.Select(x => Tensor.Linear(x, _wih[layer], _bih[layer])).ToArray();

    /// <summary>W_hh·h + b_hh for one layer.</summary>
    private protected Tensor Recur(Tensor h, int layer) => Tensor.Linear(h, _whh[layer], _bhh[layer]);

    /// <summary>
    /// Runs the layers one after another over the T steps of <paramref name="input"/>: layer l starts from
    /// <paramref name="initial"/>[l] and turns each step's input projection and its state into the next state with
    /// <paramref name="cell"/>; <paramref name="hidden"/> picks the state's h, which is the step's output and the next
    /// layer's input. Returns the top layer's outputs in the layer's layout and every layer's final state.
    /// </summary>
    private protected (Tensor Output, TState[] Finals) Unroll<TState>(Tensor[] input, TState[] initial,
        Func<Tensor, TState, int, TState> cell, Func<TState, Tensor> hidden)
    {
        var xs = input;
        var finals = new TState[NumLayers];
        for (int l = 0; l < NumLayers; l++)
        {
            var state = initial[l];
            var outs = new List<Tensor>(xs.Length);
            foreach (var p in Project(xs, l))
            {
                state = cell(p, state, l);
                outs.Add(hidden(state));
            }
            finals[l] = state;
            xs = [.. outs];
        }
        return (Report(Output([.. xs])), finals);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"{InputSize}, {HiddenSize}, num_layers={NumLayers}, batch_first={BatchFirst}";
}

/// <summary>
/// Elman recurrent network, the lecture's recurrence h_t = f(W_ih·x_t + b_ih + W_hh·h_(t-1) + b_hh) with f = tanh
/// (or ReLU), PyTorch's <c>nn.RNN</c>. The hidden state is passed in and returned explicitly.
/// </summary>
public sealed class Rnn : RecurrentLayer
{
    /// <summary>The nonlinearity f.</summary>
    public RnnNonlinearity Nonlinearity { get; }

    /// <summary>Creates the layer; inputs are (T, N, features) unless <paramref name="batchFirst"/> (PyTorch's default and argument order).</summary>
    public Rnn(int inputSize, int hiddenSize, int numLayers = 1, RnnNonlinearity nonlinearity = RnnNonlinearity.Tanh, bool bias = true, bool batchFirst = false, Generator? generator = null)
        : base(inputSize, hiddenSize, numLayers, bias, batchFirst, 1, generator) => Nonlinearity = nonlinearity;

    /// <summary>Runs the sequence from state <paramref name="h0"/> (layers, N, H), zeros when null; returns every step's top-layer state and the final states (layers, N, H).</summary>
    public (Tensor Output, Tensor Hidden) Forward(Tensor input, Tensor? h0)
    {
        var (xs, batch) = Steps(input);
        var (output, finals) = Unroll(xs, State(h0, batch, "h0"), (p, h, l) => RnnCell.Step(p, Recur(h, l), Nonlinearity), h => h);
        return (output, Tensor.Stack(finals, 0));
    }

    /// <summary>The output sequence from a zero initial state.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null).Output;
}

/// <summary>
/// Long short-term memory (Hochreiter and Schmidhuber, 1997), PyTorch's <c>nn.LSTM</c>, gates stacked i, f, g, o:
/// i = σ(·), f = σ(·), g = tanh(·), o = σ(·) of W_ih·x + b_ih + W_hh·h + b_hh; c' = f⊙c + i⊙g; h' = o⊙tanh(c').
/// </summary>
public sealed class Lstm : RecurrentLayer
{
    /// <summary>Creates the layer; inputs are (T, N, features) unless <paramref name="batchFirst"/> (PyTorch's default and argument order).</summary>
    public Lstm(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, Generator? generator = null)
        : base(inputSize, hiddenSize, numLayers, bias, batchFirst, 4, generator) { }

    /// <summary>Runs the sequence from (h0, c0), each (layers, N, H) or zeros when null; returns the top layer's h at every step and the final (h, c).</summary>
    public (Tensor Output, (Tensor H, Tensor C) State) Forward(Tensor input, (Tensor H, Tensor C)? state)
    {
        var (xs, batch) = Steps(input);
        var h = State(state?.H, batch, "h0");
        var c = State(state?.C, batch, "c0");
        var (output, finals) = Unroll(xs, h.Zip(c, (a, b) => (H: a, C: b)).ToArray(), (p, hc, l) => LstmCell.Step(p, Recur(hc.H, l), hc.C), hc => hc.H);
        return (output, (Tensor.Stack(finals.Select(s => s.H).ToArray(), 0), Tensor.Stack(finals.Select(s => s.C).ToArray(), 0)));
    }

    /// <summary>The output sequence from a zero initial state.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null).Output;
}

/// <summary>
/// Gated recurrent unit (Cho et al., 2014), PyTorch's <c>nn.GRU</c>, gates stacked r, z, n:
/// r = σ(W_ir·x + b_ir + W_hr·h + b_hr), z = σ(…), n = tanh(W_in·x + b_in + r⊙(W_hn·h + b_hn)), h' = (1 - z)⊙n + z⊙h.
/// </summary>
public sealed class Gru : RecurrentLayer
{
    /// <summary>Creates the layer; inputs are (T, N, features) unless <paramref name="batchFirst"/> (PyTorch's default and argument order).</summary>
    public Gru(int inputSize, int hiddenSize, int numLayers = 1, bool bias = true, bool batchFirst = false, Generator? generator = null)
        : base(inputSize, hiddenSize, numLayers, bias, batchFirst, 3, generator) { }

    /// <summary>Runs the sequence from state <paramref name="h0"/> (layers, N, H), zeros when null; returns every step's top-layer state and the final states.</summary>
    public (Tensor Output, Tensor Hidden) Forward(Tensor input, Tensor? h0)
    {
        var (xs, batch) = Steps(input);
        var (output, finals) = Unroll(xs, State(h0, batch, "h0"), (p, h, l) => GruCell.Step(p, Recur(h, l), h), h => h);
        return (output, Tensor.Stack(finals, 0));
    }

    /// <summary>The output sequence from a zero initial state.</summary>
    public override Tensor Forward(Tensor input) => Forward(input, null).Output;
}
