using Pitts.NN;

namespace Pitts.Models;

/// <summary>Which recurrent cell a <see cref="SequencePredictor"/> uses.</summary>
public enum CellKind
{
    /// <summary>The Elman RNN h' = tanh(W_x x + W_h h + b).</summary>
    Rnn,

    /// <summary>The long short-term memory cell.</summary>
    Lstm,
}

/// <summary>
/// A one-step-ahead predictor of a scalar signal: a recurrent layer (hidden size H) reads x(t) and a linear read-out
/// gives x̂(t+1) = W_y h(t) + b_y at every step. State is passed explicitly, so a caller can run it one step at a time and
/// feed its own predictions back (<see cref="FreeRun"/>). State-dict keys cell.*, head.* (the lab's shipped weights).
/// </summary>
public sealed class SequencePredictor : Module
{
    /// <summary>Creates the predictor with PyTorch's default initialisation drawn from <paramref name="generator"/>.</summary>
    public SequencePredictor(CellKind kind, int hidden = 32, Generator? generator = null)
    {
        Kind = kind;
        Hidden = hidden;
        Cell = RegisterModule<RecurrentLayer>("cell", kind == CellKind.Rnn
            ? new Rnn(1, hidden, batchFirst: true, generator: generator)
            : new Lstm(1, hidden, batchFirst: true, generator: generator));
        Head = RegisterModule("head", new Linear(hidden, 1, generator: generator));
    }

    /// <summary>The cell kind.</summary>
    public CellKind Kind { get; }

    /// <summary>The hidden size H.</summary>
    public int Hidden { get; }

    /// <summary>The recurrent layer (Rnn or Lstm), batch first.</summary>
    public RecurrentLayer Cell { get; }

    /// <summary>The read-out W_y, b_y.</summary>
    public Linear Head { get; }

    /// <summary>
    /// Predictions x̂ (N, T, 1) for every step of x (N, T, 1) from <paramref name="state"/> (null: zeros), and the final
    /// state: h (layers, N, H) for an RNN, (h, c) for an LSTM.
    /// </summary>
    public (Tensor Prediction, object? State) Run(Tensor x, object? state)
    {
        Tensor output;
        object? next;
        if (Cell is Rnn rnn)
        {
            (output, var h) = rnn.Forward(x, (Tensor?)state);              // (N, T, H), h (layers, N, H)
            next = h;
        }
        else
        {
            (output, var hc) = ((Lstm)Cell).Forward(x, ((Tensor H, Tensor C)?)state);
            next = hc;
        }
        return (Head.Forward(output), next); // (N, T, H) -> (N, T, 1)
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Run(input, null).Prediction;

    /// <summary>
    /// Reads the first <paramref name="warmup"/> true values, then feeds its own predictions back for the remaining
    /// steps; returns the one-step predictions x̂(t+1) for t = 0 … length-2 (teacher-forced for t &lt; warmup).
    /// </summary>
    public float[] FreeRun(ReadOnlySpan<float> truth, int warmup)
    {
        using var _ = Autograd.NoGrad();
        var pred = new float[Math.Max(0, truth.Length - 1)];
        object? state = null;
        float input = truth.Length > 0 ? truth[0] : 0;
        for (int t = 0; t < pred.Length; t++)
        {
            var (y, s) = Run(Tensor.FromArray([t < warmup ? truth[t] : input], 1, 1, 1), state); // (1, 1, 1)
            state = s;
            pred[t] = y.Item();
            input = pred[t];
        }
        return pred;
    }
}
