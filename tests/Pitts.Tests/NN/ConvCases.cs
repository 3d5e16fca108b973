using System.Text.Json;
using Pitts;
using Pitts.NN;

namespace Pitts.Tests.NN;

/// <summary>Golden cases of the convolution and pooling layers.</summary>
internal static class ConvCases
{
    private static int I(JsonElement cfg, string k, int d = 0) => cfg.TryGetProperty(k, out var v) ? v.GetInt32() : d;

    public static (Module, Func<Tensor[], Tensor[]>)? Make(string name, JsonElement cfg)
    {
        Module? m = name switch
        {
            var n when n.StartsWith("conv2d", StringComparison.Ordinal) => new Conv2d(I(cfg, "cin"), I(cfg, "cout"), I(cfg, "k"), I(cfg, "stride", 1), I(cfg, "padding"), I(cfg, "dilation", 1),
                bias: !cfg.TryGetProperty("bias", out var b) || b.GetBoolean()),
            var n when n.StartsWith("maxpool2d", StringComparison.Ordinal) => new MaxPool2d(I(cfg, "k"), I(cfg, "stride"), I(cfg, "padding")),
            var n when n.StartsWith("avgpool2d", StringComparison.Ordinal) => new AvgPool2d(I(cfg, "k"), I(cfg, "stride"), I(cfg, "padding")),
            _ => null,
        };
        return m is null ? null : (m, x => [m.Forward(x[0])]);
    }
}
