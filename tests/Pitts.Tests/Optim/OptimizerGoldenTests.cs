using System.Text.Json;
using Pitts;
using Pitts.Optim;
using Pitts.Tests.Support;

namespace Pitts.Tests.Optim;

/// <summary>Ten steps of each optimizer, each schedule's rates and gradient clipping against PyTorch 1.13 (nn_optim.json).</summary>
public class OptimizerGoldenTests
{
    private static readonly JsonElement Root = Golden.Load("nn_optim.json");

    public static TheoryData<string> OptimizerNames()
    {
        var d = new TheoryData<string>();
        foreach (var c in Root.GetProperty("optimizers").EnumerateArray()) d.Add(c.GetProperty("name").GetString()!);
        return d;
    }

    private static float F(JsonElement cfg, string key, float dflt) => cfg.TryGetProperty(key, out var v) ? v.GetSingle() : dflt;

    private static bool B(JsonElement cfg, string key) => cfg.TryGetProperty(key, out var v) && v.GetBoolean();

    private static float? N(JsonElement cfg, string key) => cfg.TryGetProperty(key, out var v) ? v.GetSingle() : null;

    internal static Optimizer Make(JsonElement cfg, Tensor[] ps)
    {
        float lr = F(cfg, "lr", 0);
        // The weight and the bias each form a group; overrides come from "weight_*" and "bias_*" keys (none: one group's worth).
        ParamGroup[] groups = [new([ps[0]], N(cfg, "weight_lr"), N(cfg, "weight_weight_decay")), new([ps[1]], N(cfg, "bias_lr"), N(cfg, "bias_weight_decay"))];
        return cfg.GetProperty("kind").GetString() switch
        {
            "sgd" => new Sgd(groups, lr, F(cfg, "momentum", 0), F(cfg, "dampening", 0), F(cfg, "weight_decay", 0), B(cfg, "nesterov")),
            "adam" => new Adam(groups, lr, F(cfg, "beta1", 0.9f), F(cfg, "beta2", 0.999f), F(cfg, "eps", 1e-8f), F(cfg, "weight_decay", 0), B(cfg, "amsgrad")),
            "adamw" => new AdamW(groups, lr, F(cfg, "beta1", 0.9f), F(cfg, "beta2", 0.999f), F(cfg, "eps", 1e-8f), F(cfg, "weight_decay", 0.01f), B(cfg, "amsgrad")),
            "rmsprop" => new RmsProp(groups, lr, F(cfg, "alpha", 0.99f), F(cfg, "eps", 1e-8f), F(cfg, "weight_decay", 0), F(cfg, "momentum", 0), B(cfg, "centered")),
            var k => throw new InvalidOperationException($"unknown optimizer kind {k}"),
        };
    }

    internal static Tensor StepLoss(Tensor w, Tensor b, Tensor x, Tensor y) => Tensor.Linear(x, w, b).Tanh().Sub(y).Square().Mean();

    [Theory]
    [MemberData(nameof(OptimizerNames))]
    public void TenStepsMatchPyTorch(string name)
    {
        var c = Root.GetProperty("optimizers").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var w = Golden.ToTensor(Root.GetProperty("initial").GetProperty("weight")).RequireGrad();
        var b = Golden.ToTensor(Root.GetProperty("initial").GetProperty("bias")).RequireGrad();
        var x = Golden.ToTensor(Root.GetProperty("x"));
        var y = Golden.ToTensor(Root.GetProperty("y"));
        var opt = Make(c.GetProperty("config"), [w, b]);
        int step = 0;
        foreach (var expected in c.GetProperty("steps").EnumerateArray())
        {
            step++;
            StepLoss(w, b, x, y).Backward();
            opt.Step();
            opt.ZeroGrad();
            Golden.AssertClose(Golden.ToTensor(expected.GetProperty("weight")), w, $"{name} step {step} weight", 1e-5f, 1e-6f);
            Golden.AssertClose(Golden.ToTensor(expected.GetProperty("bias")), b, $"{name} step {step} bias", 1e-5f, 1e-6f);
        }
        Assert.Equal(10, step);
    }

    [Theory]
    [InlineData("step")]
    [InlineData("exponential")]
    [InlineData("cosine")]
    [InlineData("plateau")]
    public void SchedulesMatchPyTorch(string name)
    {
        var c = Root.GetProperty("schedules").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);
        var cfg = c.GetProperty("config");
        var opt = new Sgd([Tensor.Zeros(1).RequireGrad()], lr: 0.1f);
        Action<int> step;
        switch (name)
        {
            case "step": { var s = new StepLr(opt, cfg.GetProperty("step_size").GetInt32(), cfg.GetProperty("gamma").GetSingle()); step = _ => s.Step(); break; }
            case "exponential": { var s = new ExponentialLr(opt, cfg.GetProperty("gamma").GetSingle()); step = _ => s.Step(); break; }
            case "cosine": { var s = new CosineAnnealingLr(opt, cfg.GetProperty("t_max").GetInt32(), cfg.GetProperty("eta_min").GetSingle()); step = _ => s.Step(); break; }
            default:
                {
                    var metrics = c.GetProperty("metrics").EnumerateArray().Select(m => m.GetSingle()).ToArray();
                    var s = new ReduceLrOnPlateau(opt, factor: cfg.GetProperty("factor").GetSingle(), patience: cfg.GetProperty("patience").GetInt32(), cooldown: cfg.GetProperty("cooldown").GetInt32());
                    step = e => s.Step(metrics[e]);
                    break;
                }
        }
        int epoch = 0;
        foreach (var lr in c.GetProperty("lrs").EnumerateArray())
        {
            step(epoch);
            Assert.True(Math.Abs(opt.LearningRate - lr.GetDouble()) <= 1e-6 * lr.GetDouble() + 1e-9, $"{name} epoch {epoch}: lr {opt.LearningRate}, PyTorch {lr.GetDouble()}");
            epoch++;
        }
    }

    [Fact]
    public void ScheduleStepsEachGroupFromItsOwnBaseRate()
    {
        var c = Root.GetProperty("schedules").EnumerateArray().Single(e => e.GetProperty("name").GetString() == "cosine_groups");
        var opt = new Sgd([new ParamGroup([Tensor.Zeros(1).RequireGrad()]), new ParamGroup([Tensor.Zeros(1).RequireGrad()], Lr: 0.05f)], lr: 0.1f);
        var s = new CosineAnnealingLr(opt, 10, 0.001f);
        int epoch = 0;
        foreach (var lrs in c.GetProperty("lrs").EnumerateArray())
        {
            s.Step();
            epoch++;
            var expected = lrs.EnumerateArray().Select(v => v.GetDouble()).ToArray();
            for (int g = 0; g < 2; g++)
                Assert.True(Math.Abs(opt.GetLearningRate(g) - expected[g]) <= 1e-6 * expected[g] + 1e-9, $"epoch {epoch} group {g}: {opt.GetLearningRate(g)} vs {expected[g]}");
        }
    }

    [Theory]
    [InlineData("norm2", 1.0f, 2f)]
    [InlineData("norm_inf", 0.5f, float.PositiveInfinity)]
    [InlineData("norm2_large", 1000f, 2f)]
    public void ClipGradNormMatchesPyTorch(string key, float maxNorm, float normType)
    {
        var clip = Root.GetProperty("clip");
        var grads = clip.GetProperty("grads").EnumerateArray().Select(Golden.ToTensor).ToArray();
        var ps = grads.Select(g => Tensor.ZerosLike(g).RequireGrad()).ToArray();
        for (int i = 0; i < ps.Length; i++) ps[i].Grad = grads[i];
        float total = GradClip.ClipGradNorm(ps, maxNorm, normType);
        var exp = clip.GetProperty(key);
        Assert.Equal(exp.GetProperty("total").GetSingle(), total, 1e-5f * total);
        var clipped = exp.GetProperty("clipped").EnumerateArray().Select(Golden.ToTensor).ToArray();
        for (int i = 0; i < ps.Length; i++) Golden.AssertClose(clipped[i], ps[i].Grad!, $"{key} grad {i}", 1e-5f, 1e-6f);
    }

    [Fact]
    public void ClipGradValueMatchesPyTorch()
    {
        var clip = Root.GetProperty("clip");
        var grads = clip.GetProperty("grads").EnumerateArray().Select(Golden.ToTensor).ToArray();
        var ps = grads.Select(g => Tensor.ZerosLike(g).RequireGrad()).ToArray();
        for (int i = 0; i < ps.Length; i++) ps[i].Grad = grads[i];
        GradClip.ClipGradValue(ps, 0.7f);
        var clipped = clip.GetProperty("value").GetProperty("clipped").EnumerateArray().Select(Golden.ToTensor).ToArray();
        for (int i = 0; i < ps.Length; i++) Golden.AssertClose(clipped[i], ps[i].Grad!, $"value grad {i}", 0f, 0f);
    }
}
