using System.Numerics.Tensors;
namespace Pitts;

// Binary elementwise ops with broadcasting. Each computes its output, then records the closure that returns its
// inputs' gradients (of the output's broadcast shape: the engine sums each back to its input's shape).
public sealed partial class Tensor
{
    /// <summary>a + b, broadcasting.</summary>
    public Tensor Add(Tensor other)
    {
        var r = Elementwise.Binary<AddK>(this, other, "Add");
        Graph.Record(r, "Add", this, other, g => (g, g));
        return r;
    }

    /// <summary>a - b, broadcasting.</summary>
    public Tensor Sub(Tensor other)
    {
        var r = Elementwise.Binary<SubK>(this, other, "Sub");
        Graph.Record(r, "Sub", this, other, g => (g, other.RequiresGrad ? g.Neg() : null));
        return r;
    }

    /// <summary>a * b (elementwise), broadcasting.</summary>
    public Tensor Mul(Tensor other)
    {
        var r = Elementwise.Binary<MulK>(this, other, "Mul");
        Graph.Record(r, "Mul", this, other, g => (RequiresGrad ? g.Mul(other) : null, other.RequiresGrad ? g.Mul(this) : null));
        return r;
    }

    /// <summary>a / b (elementwise), broadcasting.</summary>
    public Tensor Div(Tensor other)
    {
        var r = Elementwise.Binary<DivK>(this, other, "Div");
        Graph.Record(r, "Div", this, other, g => (
            RequiresGrad ? g.Div(other) : null,
            other.RequiresGrad ? g.Mul(r).Div(other).Neg() : null)); // d(a/b)/db = -a/b² = -r/b
        return r;
    }

    /// <summary>a^b elementwise, broadcasting. The gradient with respect to b uses log(a) and is NaN where a &lt; 0.</summary>
    public Tensor Pow(Tensor exponent)
    {
        var r = Elementwise.Binary<PowK>(this, exponent, "Pow");
        Graph.Record(r, "Pow", this, exponent, g => (
            RequiresGrad ? g.Mul(exponent).Mul(Pow(exponent.Sub(1f))) : null,
            exponent.RequiresGrad ? g.Mul(r).Mul(Log()) : null));
        return r;
    }

    /// <summary>a^p for a constant exponent p; d/da = p·a^(p-1).</summary>
    public Tensor Pow(float exponent)
    {
        var r = new Tensor(_shape);
        if (exponent == 2f) TensorPrimitives.Multiply(Data, Data, r.AsSpan());
        else TensorPrimitives.Pow(Data, exponent, r.AsSpan());
        Graph.Record(r, "Pow", this, g =>
        {
            if (exponent == 2f) // the common square (MSE): 2·x·g in two vector passes, no powf per element
            {
                var d = new Tensor(_shape);
                TensorPrimitives.Multiply(g.Data, Data, d.AsSpan());
                TensorPrimitives.Multiply(d.AsSpan(), 2f, d.AsSpan());
                return d;
            }
            return exponent == 1f ? g : g.Mul(Pow(exponent - 1f).Mul(exponent));
        });
        return r;
    }

    /// <summary>Elementwise maximum; at ties the gradient is split equally between a and b (as PyTorch does).</summary>
    public Tensor Maximum(Tensor other) => MinMax<MaxK, GtC>(other, "Maximum");

    /// <summary>Elementwise minimum; at ties the gradient is split equally between a and b (as PyTorch does).</summary>
    public Tensor Minimum(Tensor other) => MinMax<MinK, LtC>(other, "Minimum");

    private Tensor MinMax<K, C>(Tensor other, string op) where K : IBinaryKernel where C : ICmp
    {
        var r = Elementwise.Binary<K>(this, other, op);
        Graph.Record(r, op, this, other, g =>
        {
            // Share of the gradient that goes to 'this': 1 where it wins, 0.5 at ties, 0 where it loses.
            var wins = Elementwise.Binary<CmpK<C>>(this, other, op);
            var ties = Elementwise.Binary<CmpK<EqC>>(this, other, op);
            var share = wins.Add(ties.Mul(0.5f));
            return (RequiresGrad ? g.Mul(share) : null, other.RequiresGrad ? g.Mul(share.Neg().Add(1f)) : null);
        });
        return r;
    }

    /// <summary>Picks a where <paramref name="condition"/> is non-zero, else b; all three broadcast together.</summary>
    public static Tensor Where(Tensor condition, Tensor a, Tensor b)
    {
        var shape = Broadcast.Shape(Broadcast.Shape(condition._shape, a._shape, "Where"), b._shape, "Where");
        var c = Broadcast.Expand(condition, shape);
        var ae = Broadcast.Expand(a, shape);
        var be = Broadcast.Expand(b, shape);
        var r = new Tensor(shape);
        var cs = c.Data; var asp = ae.Data; var bs = be.Data; var d = r.AsSpan();
        for (int i = 0; i < d.Length; i++) d[i] = cs[i] != 0f ? asp[i] : bs[i];
        Graph.Record(r, "Where", a, b, g =>
        {
            var mask = c.Ne(0f);
            return (a.RequiresGrad ? g.Mul(mask) : null, b.RequiresGrad ? g.Mul(mask.Neg().Add(1f)) : null);
        });
        return r;
    }

    // Comparisons return 1/0 floats and carry no gradient.

    /// <summary>1 where a == b, else 0.</summary>
    public Tensor Eq(Tensor other) => Elementwise.Binary<CmpK<EqC>>(this, other, "Eq");
    /// <summary>1 where a != b, else 0.</summary>
    public Tensor Ne(Tensor other) => Elementwise.Binary<CmpK<NeC>>(this, other, "Ne");
    /// <summary>1 where a &lt; b, else 0.</summary>
    public Tensor Lt(Tensor other) => Elementwise.Binary<CmpK<LtC>>(this, other, "Lt");
    /// <summary>1 where a &lt;= b, else 0.</summary>
    public Tensor Le(Tensor other) => Elementwise.Binary<CmpK<LeC>>(this, other, "Le");
    /// <summary>1 where a &gt; b, else 0.</summary>
    public Tensor Gt(Tensor other) => Elementwise.Binary<CmpK<GtC>>(this, other, "Gt");
    /// <summary>1 where a &gt;= b, else 0.</summary>
    public Tensor Ge(Tensor other) => Elementwise.Binary<CmpK<GeC>>(this, other, "Ge");

    /// <summary>True when both tensors have the same shape and every pair of values is within atol + rtol·|b|.</summary>
    public bool AllClose(Tensor other, float rtol = 1e-5f, float atol = 1e-8f)
    {
        if (!ShapeUtil.Same(_shape, other._shape)) return false;
        var a = Data; var b = other.Data;
        for (int i = 0; i < a.Length; i++)
            if (!(Math.Abs(a[i] - b[i]) <= atol + rtol * Math.Abs(b[i]))) return false;
        return true;
    }

    /// <summary>a + b.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => a.Add(b);
    /// <summary>a + s.</summary>
    public static Tensor operator +(Tensor a, float s) => a.Add(s);
    /// <summary>s + a.</summary>
    public static Tensor operator +(float s, Tensor a) => a.Add(s);
    /// <summary>a - b.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => a.Sub(b);
    /// <summary>a - s.</summary>
    public static Tensor operator -(Tensor a, float s) => a.Sub(s);
    /// <summary>s - a.</summary>
    public static Tensor operator -(float s, Tensor a) => Scalar(s).Sub(a);
    /// <summary>-a.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();
    /// <summary>a * b (elementwise).</summary>
    public static Tensor operator *(Tensor a, Tensor b) => a.Mul(b);
    /// <summary>a * s.</summary>
    public static Tensor operator *(Tensor a, float s) => a.Mul(s);
    /// <summary>s * a.</summary>
    public static Tensor operator *(float s, Tensor a) => a.Mul(s);
    /// <summary>a / b (elementwise).</summary>
    public static Tensor operator /(Tensor a, Tensor b) => a.Div(b);
    /// <summary>a / s.</summary>
    public static Tensor operator /(Tensor a, float s) => a.Div(s);
    /// <summary>s / a.</summary>
    public static Tensor operator /(float s, Tensor a) => Scalar(s).Div(a);
    /// <summary>1 where a &lt; b.</summary>
    public static Tensor operator <(Tensor a, Tensor b) => a.Lt(b);
    /// <summary>1 where a &gt; b.</summary>
    public static Tensor operator >(Tensor a, Tensor b) => a.Gt(b);
    /// <summary>1 where a &lt;= b.</summary>
    public static Tensor operator <=(Tensor a, Tensor b) => a.Le(b);
    /// <summary>1 where a &gt;= b.</summary>
    public static Tensor operator >=(Tensor a, Tensor b) => a.Ge(b);
}
