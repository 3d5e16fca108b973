using System.Globalization;
using System.Text;

namespace Pitts;

/// <summary>PyTorch-like printing: nested brackets, 4 decimals (scientific for very large or small values), and
/// dimensions longer than 6 shown as their first and last 3 entries around "..." once a tensor exceeds 1000 elements.</summary>
internal static class TensorFormatter
{
    private const int Threshold = 1000, EdgeItems = 3;

    public static string Format(Tensor t)
    {
        var sb = new StringBuilder("tensor(");
        var data = t.Data;
        bool summarize = t.Numel > Threshold;
        bool sci = UseScientific(data);
        if (t.Rank == 0) sb.Append(Num(data[0], sci));
        else AppendDim(sb, t, 0, 0, summarize, sci, 7);
        sb.Append(", shape=").Append(Fmt.Shape(t._shape));
        if (t.GradFn is not null) sb.Append(", grad_fn=").Append(t.GradFn.Op);
        else if (t.RequiresGrad) sb.Append(", requires_grad=True");
        return sb.Append(')').ToString();
    }

    private static bool UseScientific(ReadOnlySpan<float> data)
    {
        float maxAbs = 0, minAbs = float.PositiveInfinity;
        foreach (float v in data)
        {
            if (!float.IsFinite(v)) continue;
            float a = Math.Abs(v);
            maxAbs = Math.Max(maxAbs, a);
            if (a > 0) minAbs = Math.Min(minAbs, a);
        }
        return maxAbs >= 1e8f || (minAbs < 1e-4f && maxAbs > 0);
    }

    private static string Num(float v, bool sci) =>
        float.IsNaN(v) ? "nan" : float.IsPositiveInfinity(v) ? "inf" : float.IsNegativeInfinity(v) ? "-inf"
        : v.ToString(sci ? "0.0000e+00" : "0.0000", CultureInfo.InvariantCulture);

    private static void AppendDim(StringBuilder sb, Tensor t, int dim, int offset, bool summarize, bool sci, int indent)
    {
        int n = t._shape[dim];
        int stride = 1;
        for (int i = dim + 1; i < t.Rank; i++) stride *= t._shape[i];
        sb.Append('[');
        bool cut = summarize && n > 2 * EdgeItems;
        for (int i = 0; i < n; i++)
        {
            if (cut && i == EdgeItems)
            {
                sb.Append(dim == t.Rank - 1 ? "..., " : "...,\n" + new string(' ', indent + dim + 1));
                i = n - EdgeItems - 1;
                continue;
            }
            if (dim == t.Rank - 1) sb.Append(Num(t.Storage[t.Offset + offset + i], sci));
            else AppendDim(sb, t, dim + 1, offset + i * stride, summarize, sci, indent);
            if (i < n - 1)
                sb.Append(dim == t.Rank - 1 ? ", " : "," + new string('\n', t.Rank - dim - 1) + new string(' ', indent + dim + 1));
        }
        sb.Append(']');
    }
}
