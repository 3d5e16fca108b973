namespace Pitts.Neuro;

/// <summary>
/// A bad argument to a neuron model, protocol or analysis: the message names the method and the value.
/// </summary>
/// <remarks>
/// Pitts.Neuro is independent of the tensor library (it references nothing), so this derives from
/// <see cref="ArgumentException"/> rather than Pitts.PittsException; the command-line tool treats both as user errors.
/// </remarks>
public sealed class NeuroException : ArgumentException
{
    /// <summary>Creates the error with its message.</summary>
    public NeuroException(string message) : base(message) { }
}
