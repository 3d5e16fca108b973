using System.Text.Json;
using Pitts;
using Pitts.NN;

namespace Pitts.Tests.NN;

/// <summary>Golden cases of the convolution and pooling layers (enabled once the Conv2d/pool ops exist).</summary>
internal static class ConvCases
{
    public static readonly string[] Names = ["conv2d", "conv2d_s2_p1", "conv2d_dil2_p2", "conv2d_nobias_k2", "maxpool2d", "maxpool2d_k3_s2_p1", "avgpool2d", "avgpool2d_k3_s2_p1"];

    public static bool Available => false;

    public static (Module, Func<Tensor[], Tensor[]>)? Make(string name, JsonElement cfg) => null;
}
