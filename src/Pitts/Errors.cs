namespace Pitts;

/// <summary>Base class of every error Pitts raises for a misuse of its API or a bad input.</summary>
public class PittsException : Exception
{
    /// <summary>Creates the error with its message.</summary>
    public PittsException(string message) : base(message) { }

    /// <summary>Creates the error with its message and the error that caused it.</summary>
    public PittsException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Shapes that an operation cannot combine: the message names the op and the shapes.</summary>
public sealed class ShapeException : PittsException
{
    /// <summary>Creates the error with its message.</summary>
    public ShapeException(string message) : base(message) { }
}

/// <summary>A misuse of automatic differentiation (backward on a freed graph, on a non-scalar without a gradient, ...).</summary>
public sealed class AutogradException : PittsException
{
    /// <summary>Creates the error with its message.</summary>
    public AutogradException(string message) : base(message) { }
}

internal static class Fmt
{
    /// <summary>Formats a shape the way error messages print it: (64x784), () for a scalar.</summary>
    public static string Shape(ReadOnlySpan<int> shape)
    {
        if (shape.Length == 0) return "()";
        var sb = new System.Text.StringBuilder("(");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0) sb.Append('x');
            sb.Append(shape[i]);
        }
        return sb.Append(')').ToString();
    }
}
