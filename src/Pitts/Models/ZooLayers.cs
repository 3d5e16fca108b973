using Pitts.NN;

namespace Pitts.Models;

/// <summary>Builders of the zoo models made of convolutional, recurrent and attention layers.</summary>
internal static class ZooLayers
{
    public static Module Build(ModelSpec spec, Generator? generator) => spec.Kind switch
    {
        "cnn" => Cnn(spec, generator),
        "rnn" or "lstm" => new ZooRecurrent(spec, generator),
        "transformer" => new ZooTransformer(spec, generator),
        _ => throw new ModelSpecException($"unknown model '{spec.Kind}'"),
    };

    /// <summary>The lecture's CNN: (Conv k×k → [BatchNorm] → activation → MaxPool 2×2) per hidden size, then Flatten → [Dropout] → Linear.</summary>
    private static Sequential Cnn(ModelSpec spec, Generator? generator)
    {
        int c = spec.InputShape[0], h = spec.InputShape[1], w = spec.InputShape[2], k = spec.Kernel;
        var layers = new List<(string, Module)>();
        int i = 0;
        foreach (int channels in spec.Hidden)
        {
            i++;
            layers.Add(($"conv{i}", new Conv2d(c, channels, k, padding: k / 2, generator: generator)));
            if (spec.BatchNorm) layers.Add(($"bn{i}", new BatchNorm2d(channels)));
            layers.Add(($"act{i}", spec.MakeActivation()));
            // 'same' padding keeps h×w for odd k; the pool halves it (floor), as long as there is something to halve.
            if (h >= 2 && w >= 2)
            {
                layers.Add(($"pool{i}", new MaxPool2d(2)));
                h /= 2;
                w /= 2;
            }
            c = channels;
        }
        layers.Add(("flatten", new Flatten()));
        if (spec.Dropout > 0) layers.Add(("dropout", new NN.Dropout(spec.Dropout, generator)));
        layers.Add(("fc", new Linear(c * h * w, spec.Outputs, generator: generator)));
        return new Sequential([.. layers]);
    }
}

/// <summary>
/// A recurrent model on sequences (B, T, F): an Elman RNN (h_{t+1} = tanh(W_h h_t + W_x x_t + b), the lecture's
/// recurrence) or an LSTM with <c>Hidden.Length</c> stacked layers of size <c>Hidden[0]</c>, and a linear head
/// ŷ = W_y h_T + b_y on the last step's state.
/// </summary>
public sealed class ZooRecurrent : Module
{
    /// <summary>The recurrent layer (Rnn or Lstm, batch-first).</summary>
    public RecurrentLayer Recurrent { get; }

    /// <summary>The output layer on the last hidden state.</summary>
    public Linear Head { get; }

    /// <summary>Builds the model described by <paramref name="spec"/>.</summary>
    public ZooRecurrent(ModelSpec spec, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int features = spec.InputShape[1];
        int hidden = spec.Hidden.Length > 0 ? spec.Hidden[0] : 32;
        int layers = Math.Max(1, spec.Hidden.Length);
        Recurrent = RegisterModule(spec.Kind, spec.Kind == "lstm"
            ? (RecurrentLayer)new Lstm(features, hidden, layers, batchFirst: true, generator: generator)
            : new Rnn(features, hidden, layers, batchFirst: true, generator: generator));
        Head = RegisterModule("head", new Linear(hidden, spec.Outputs, generator: generator));
    }

    /// <summary>Runs the sequence (B, T, F) and maps the last step's state to the outputs (B, outputs).</summary>
    public override Tensor Forward(Tensor input)
    {
        var output = Recurrent.Forward(input); // (B, T, H)
        return Head.Forward(output.Select(1, output.Size(1) - 1)); // (B, H) -> (B, outputs)
    }
}

/// <summary>
/// A small transformer encoder on sequences (B, T, F): a linear embedding to width d plus a learned position
/// embedding, one TransformerEncoderLayer (self-attention over all steps, feed-forward 2d), mean over time and a
/// linear head.
/// </summary>
public sealed class ZooTransformer : Module
{
    /// <summary>The input embedding F → d.</summary>
    public Linear Embed { get; }

    /// <summary>The learned position embedding (T, d).</summary>
    public Tensor Position { get; }

    /// <summary>The encoder layer.</summary>
    public TransformerEncoderLayer Encoder { get; }

    /// <summary>The output layer.</summary>
    public Linear Head { get; }

    /// <summary>Builds the model described by <paramref name="spec"/>.</summary>
    public ZooTransformer(ModelSpec spec, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        int steps = spec.InputShape[0], features = spec.InputShape[1];
        int d = spec.Hidden.Length > 0 ? spec.Hidden[0] : 32;
        Embed = RegisterModule("embed", new Linear(features, d, generator: generator));
        Position = RegisterParameter("position", Init.Normal(Tensor.Zeros(steps, d), 0f, 0.02f, generator));
        Encoder = RegisterModule("encoder", new TransformerEncoderLayer(d, spec.Heads, 2 * d, spec.Dropout, batchFirst: true, generator: generator));
        Head = RegisterModule("head", new Linear(d, spec.Outputs, generator: generator));
    }

    /// <summary>Embeds, adds positions, attends, averages over time and maps to the outputs (B, outputs).</summary>
    public override Tensor Forward(Tensor input)
    {
        var h = Embed.Forward(input) + Position; // (B, T, d)
        h = Encoder.Forward(h); // (B, T, d)
        return Head.Forward(h.Mean(1)); // (B, d) -> (B, outputs)
    }
}
