using Pitts.Models;
using Pitts.NN;

namespace Pitts.Onnx.Tests;

/// <summary>Every zoo model and every supported layer, with an input shape (batch first) and an input maker.</summary>
internal static class TestModels
{
    public sealed record Case(string Name, Func<Module> Make, int[] Shape, bool Indices = false)
    {
        public override string ToString() => Name;
    }

    private static ModelSpec Spec(string kind, int[] shape, int[] hidden, string activation = "relu", string task = "classification", int outputs = 3, float dropout = 0f) =>
        new() { Kind = kind, InputShape = shape, Hidden = hidden, Activation = activation, Task = task, Outputs = outputs, Dropout = dropout, Heads = 2, Latent = 2, Degree = 3 };

    /// <summary>Gives BatchNorm layers non-trivial running statistics, so their export is tested with real values.</summary>
    public static Module WithStats(Module m)
    {
        var g = new Generator(7);
        foreach (var (_, sub) in m.NamedModules())
            if (sub is BatchNorm bn)
            {
                var mean = bn.RunningMean.AsSpan();
                var v = bn.RunningVar.AsSpan();
                for (int i = 0; i < mean.Length; i++) { mean[i] = g.NextFloat() - 0.5f; v[i] = 0.5f + g.NextFloat(); }
                if (bn.Weight is not null) Init.Uniform(bn.Weight, 0.5f, 1.5f, g);
                if (bn.Bias is not null) Init.Uniform(bn.Bias, -0.5f, 0.5f, g);
            }
        return m;
    }

    public static IReadOnlyList<Case> Zoo { get; } =
    [
        new("zoo-mlp", () => Spec("mlp", [4], [16, 8], dropout: 0.2f).Build(new Generator(1)), [2, 4]),
        new("zoo-mlp-gelu", () => Spec("mlp", [4], [16], "gelu").Build(new Generator(1)), [2, 4]),
        new("zoo-mlp-leaky", () => Spec("mlp", [4], [16], "leaky-relu").Build(new Generator(1)), [2, 4]),
        new("zoo-mlp-tanh-elu", () => Spec("mlp", [4], [16, 8], "elu").Build(new Generator(1)), [2, 4]),
        new("zoo-mlp-softplus", () => Spec("mlp", [4], [8], "softplus").Build(new Generator(1)), [2, 4]),
        new("zoo-mlp-sigmoid", () => Spec("mlp", [4], [8], "sigmoid").Build(new Generator(1)), [2, 4]),
        new("zoo-cnn", () => Spec("cnn", [1, 8, 8], [4, 6], dropout: 0.1f).Build(new Generator(2)), [2, 1, 8, 8]),
        new("zoo-rnn", () => Spec("rnn", [5, 3], [8, 8], task: "regression", outputs: 1).Build(new Generator(3)), [2, 5, 3]),
        new("zoo-lstm", () => Spec("lstm", [5, 3], [8, 8], task: "regression", outputs: 2).Build(new Generator(4)), [2, 5, 3]),
        new("zoo-transformer", () => Spec("transformer", [6, 3], [8]).Build(new Generator(5)), [2, 6, 3]),
        new("zoo-autoencoder", () => Spec("autoencoder", [1, 4, 4], [8], task: "reconstruction").Build(new Generator(6)), [2, 1, 4, 4]),
        new("zoo-linear", () => Spec("linear", [3], [], task: "regression", outputs: 1).Build(new Generator(8)), [2, 3]),
        new("zoo-poly", () => Spec("poly", [2], [], task: "regression", outputs: 1).Build(new Generator(9)), [2, 2]),
    ];

    public static IReadOnlyList<Case> Layers { get; } =
    [
        new("conv-stride-pad-dilation-bn-avgpool", () => WithStats(new Sequential(
            new Conv2d(2, 4, (3, 2), (2, 1), (1, 2), (2, 1), generator: new Generator(10)),
            new BatchNorm2d(4), new LeakyRelu(0.2f), new AvgPool2d(2, 1, 1, countIncludePad: false),
            new Conv2d(4, 3, 3, padding: 1, bias: false, generator: new Generator(11)), new AvgPool2d(2),
            new MaxPool2d(2, 1, 1, 1), new Flatten(), new Softmax())), [2, 2, 9, 8]),
        new("batchnorm1d-layernorm-logsoftmax", () => WithStats(new Sequential(
            new Linear(5, 6, generator: new Generator(12)), new BatchNorm1d(6), new Tanh(),
            new LayerNorm(6), new Linear(6, 4, generator: new Generator(13)), new LogSoftmax(1))), [2, 5]),
        new("norms-without-affine", () => WithStats(new Sequential(new BatchNorm1d(4, affine: false), new LayerNorm([4], elementwiseAffine: false), new Linear(4, 2, generator: new Generator(27)))), [2, 4]),
        new("batchnorm1d-3d-flatten", () => WithStats(new Sequential(new BatchNorm1d(3), new Flatten(), new Linear(12, 2, generator: new Generator(14)))), [2, 3, 4]),
        new("embedding", () => new Sequential(new Embedding(10, 4, generator: new Generator(15)), new Flatten(), new Linear(12, 2, generator: new Generator(16))), [2, 3], Indices: true),
        new("gru-2-layers", () => new Sequential(new Gru(3, 5, 2, batchFirst: true, generator: new Generator(17)), new Flatten(), new Linear(20, 2, generator: new Generator(18))), [2, 4, 3]),
        new("rnn-relu-seq-first", () => new Rnn(3, 4, 1, RnnNonlinearity.Relu, batchFirst: false, generator: new Generator(19)), [4, 2, 3]),
        new("lstm-no-bias", () => new Lstm(3, 4, 1, bias: false, batchFirst: true, generator: new Generator(20)), [2, 4, 3]),
        new("mha-seq-first", () => new MultiheadAttention(8, 2, batchFirst: false, generator: new Generator(21)), [5, 2, 8]),
        new("encoder-layer-norm-first", () => new TransformerEncoderLayer(8, 4, 16, 0.1f, batchFirst: true, normFirst: true, generator: new Generator(22)), [2, 5, 8]),
        new("transformer-encoder", () => new TransformerEncoder(() => new TransformerEncoderLayer(8, 2, 12, batchFirst: true, generator: new Generator(23)), 2, new LayerNorm(8)), [2, 4, 8]),
        new("autoencoder", () => new Autoencoder(new Sequential(new Linear(6, 3, generator: new Generator(24)), new Gelu()), new Sequential(new Linear(3, 6, generator: new Generator(25)), new Sigmoid())), [2, 6]),
        new("flatten-middle", () => new Sequential(new Flatten(2, 3), new Identity(), new Linear(12, 2, generator: new Generator(26))), [2, 3, 4, 3]),
    ];

    public static IEnumerable<object[]> All() => Zoo.Concat(Layers).Select(c => new object[] { c });

    /// <summary>
    /// A random input of the case's shape with a batch size other than the traced one (dimension 0 is the dynamic
    /// axis; sequence-first layers keep their traced sizes, since their batch is dimension 1).
    /// </summary>
    public static Tensor Input(Case c, int batch = 3, int seed = 99)
    {
        int[] shape = [.. c.Shape];
        if (!c.Name.Contains("seq-first", StringComparison.Ordinal)) shape[0] = batch;
        var g = new Generator((ulong)seed);
        var t = Tensor.Zeros(shape);
        var s = t.AsSpan();
        for (int i = 0; i < s.Length; i++) s[i] = c.Indices ? MathF.Floor(g.NextFloat() * 10f) : g.NextFloat() * 4f - 2f;
        return t;
    }
}
