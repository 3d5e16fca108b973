using System.Text.Json;
using Pitts;
using Pitts.NN;
using Pitts.Tests.Support;

namespace Pitts.Tests.NN;

/// <summary>
/// Forward and backward of every layer against PyTorch 1.13 (Golden/make_nn_golden.py → nn_layers.json): the
/// PyTorch layer's state dict is loaded strictly (so names and shapes must match), and its keys must come out of
/// <see cref="Module.StateDict"/> in PyTorch's order.
/// </summary>
public class LayerGoldenTests
{
    private static readonly JsonElement Cases = Golden.Load("nn_layers.json");

    private static int I(JsonElement cfg, string k, int d = 0) => cfg.TryGetProperty(k, out var v) ? v.GetInt32() : d;

    private static bool B(JsonElement cfg, string k, bool d = false) => cfg.TryGetProperty(k, out var v) ? v.GetBoolean() : d;

    private static Tensor? Padding(JsonElement cfg) => cfg.TryGetProperty("padding", out var p) && p.ValueKind == JsonValueKind.Array
        ? Tensor.FromArray(p.EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetSingle()).ToArray()).ToArray())
        : null;

    /// <summary>The Pitts module for a golden case and how to call it (returns every output, flattened like the script).</summary>
    private static (Module Module, Func<Tensor[], Tensor[]> Call) Make(string name, JsonElement cfg)
    {
        Func<Tensor[], Tensor[]> one(Module m) => x => [m.Forward(x[0])];
        (Module, Func<Tensor[], Tensor[]>) simple(Module m) => (m, one(m));
        switch (name)
        {
            case "linear": return simple(new Linear(4, 3));
            case "linear_3d_nobias": return simple(new Linear(4, 2, bias: false));
            case "mlp_sequential": return simple(new Sequential(new Linear(3, 5), new Tanh(), new Linear(5, 2), new Sigmoid()));
            case "relu": return simple(new Relu());
            case "sigmoid": return simple(new Sigmoid());
            case "tanh": return simple(new Tanh());
            case "gelu": return simple(new Gelu());
            case "leaky_relu": return simple(new LeakyRelu(0.2f));
            case "softmax": return simple(new Softmax(1));
            case "log_softmax": return simple(new LogSoftmax(-1));
            case "elu": return simple(new Elu(0.5f));
            case "softplus": return simple(new Softplus());
            case "flatten": return simple(new Flatten());
            case "batchnorm1d" or "batchnorm1d_3d": return simple(new BatchNorm1d(I(cfg, "features")));
            case "batchnorm2d": return simple(new BatchNorm2d(I(cfg, "features")));
            case "layernorm": return simple(new LayerNorm(5));
            case "layernorm_2d": return simple(new LayerNorm([3, 4]));
            case "embedding": return simple(new Embedding(10, 4));
            case "embedding_padding": return simple(new Embedding(6, 3, paddingIdx: 2));
            case "rnn" or "rnn_2layers_relu":
                {
                    var m = new Rnn(I(cfg, "in"), I(cfg, "hidden"), I(cfg, "layers"),
                        cfg.TryGetProperty("nonlinearity", out var nl) && nl.GetString() == "relu" ? RnnNonlinearity.Relu : RnnNonlinearity.Tanh, batchFirst: true);
                    return (m, x => { var (o, h) = m.Forward(x[0], x[1]); return [o, h]; });
                }
            case "lstm" or "lstm_2layers":
                {
                    var m = new Lstm(I(cfg, "in"), I(cfg, "hidden"), I(cfg, "layers"), batchFirst: true);
                    return (m, x => { var (o, (h, c)) = m.Forward(x[0], (x[1], x[2])); return [o, h, c]; });
                }
            case "gru" or "gru_2layers":
                {
                    var m = new Gru(I(cfg, "in"), I(cfg, "hidden"), I(cfg, "layers"), batchFirst: true);
                    return (m, x => { var (o, h) = m.Forward(x[0], x[1]); return [o, h]; });
                }
            case "rnn_cell":
                {
                    var m = new RnnCell(3, 4);
                    return (m, x => [m.Forward(x[0], x[1])]);
                }
            case "lstm_cell":
                {
                    var m = new LstmCell(3, 4);
                    return (m, x => { var (h, c) = m.Forward(x[0], (x[1], x[2])); return [h, c]; });
                }
            case "gru_cell":
                {
                    var m = new GruCell(3, 4);
                    return (m, x => [m.Forward(x[0], x[1])]);
                }
            case "mha_self" or "mha_causal_padding" or "mha_cross_heads":
                {
                    var m = new MultiheadAttention(I(cfg, "embed"), I(cfg, "heads"), batchFirst: true);
                    var pad = Padding(cfg);
                    bool average = B(cfg, "average", true);
                    return (m, x =>
                    {
                        var mask = B(cfg, "causal") ? MultiheadAttention.CausalMask(x[0].Shape[1]) : null;
                        var (o, w) = m.Forward(x[0], x[1], x[2], pad, mask, average);
                        return [o, w];
                    }
                    );
                }
            case "transformer_encoder_layer" or "transformer_encoder_layer_norm_first_masked":
                {
                    var m = new TransformerEncoderLayer(I(cfg, "embed"), I(cfg, "heads"), I(cfg, "ff"), dropout: 0f, batchFirst: true, normFirst: B(cfg, "norm_first"));
                    var pad = Padding(cfg);
                    return (m, x => [m.Forward(x[0], B(cfg, "causal") ? MultiheadAttention.CausalMask(x[0].Shape[1]) : null, pad)]);
                }
            case "transformer_encoder_2_layers_norm":
                {
                    var m = new TransformerEncoder(() => new TransformerEncoderLayer(I(cfg, "embed"), I(cfg, "heads"), I(cfg, "ff"), dropout: 0f, batchFirst: true), I(cfg, "layers"), new LayerNorm(I(cfg, "embed")));
                    return simple(m);
                }
            default:
                return ConvCases.Make(name, cfg) ?? throw new InvalidOperationException($"no Pitts layer for golden case '{name}'");
        }
    }

    public static TheoryData<string> Names()
    {
        var d = new TheoryData<string>();
        foreach (var c in Cases.EnumerateArray())
        {
            d.Add(c.GetProperty("name").GetString()!);
        }
        return d;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void MatchesPyTorch(string name)
    {
        var c = Cases.EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var (module, call) = Make(name, c.GetProperty("config"));
        var state = c.GetProperty("state").EnumerateObject().Select(p => new KeyValuePair<string, Tensor>(p.Name, Golden.ToTensor(p.Value))).ToList();
        Assert.Equal(state.Select(s => s.Key), module.StateDict().Keys);
        module.LoadStateDict(state);

        var gradIn = c.GetProperty("grad_inputs").EnumerateArray().ToArray();
        var inputs = c.GetProperty("inputs").EnumerateArray().Select((x, i) =>
        {
            var t = Golden.ToTensor(x);
            return gradIn[i].ValueKind == JsonValueKind.Null ? t : t.RequireGrad();
        }).ToArray();
        var outputs = call(inputs);
        var expected = c.GetProperty("outputs").EnumerateArray().Select(Golden.ToTensor).ToArray();
        Assert.Equal(expected.Length, outputs.Length);
        for (int i = 0; i < outputs.Length; i++) Golden.AssertClose(expected[i], outputs[i], $"{name} output {i}", 1e-4f, 1e-5f);

        var ups = c.GetProperty("upstreams").EnumerateArray().Select(Golden.ToTensor).ToArray();
        Tensor loss = outputs[0].Mul(ups[0]).Sum();
        for (int i = 1; i < outputs.Length; i++) loss = loss.Add(outputs[i].Mul(ups[i]).Sum());
        loss.Backward();
        for (int i = 0; i < inputs.Length; i++)
            if (gradIn[i].ValueKind != JsonValueKind.Null)
                Golden.AssertClose(Golden.ToTensor(gradIn[i]), inputs[i].Grad ?? Tensor.ZerosLike(inputs[i]), $"{name} input {i} gradient", 1e-4f, 1e-5f);
        var grads = module.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);
        foreach (var g in c.GetProperty("grads").EnumerateObject())
            Golden.AssertClose(Golden.ToTensor(g.Value), grads[g.Name].Grad ?? Tensor.ZerosLike(grads[g.Name]), $"{name} {g.Name} gradient", 1e-4f, 1e-5f);

        if (c.TryGetProperty("running", out var running))
        {
            var sd = module.StateDict();
            foreach (var r in running.EnumerateObject())
                Golden.AssertClose(Golden.ToTensor(r.Value), sd[r.Name], $"{name} {r.Name} after one training batch", 1e-5f, 1e-6f);
            module.Eval();
            using (Autograd.NoGrad())
                Golden.AssertClose(Golden.ToTensor(c.GetProperty("eval_output")), module.Forward(inputs[0]), $"{name} evaluation output", 1e-4f, 1e-5f);
        }
    }
}
