using Pitts.IO;

namespace Pitts.Onnx;

/// <summary>A module that <see cref="Onnx.Export(NN.Module, Tensor, string, OnnxExportOptions?)"/> cannot write as ONNX; the message names the module and its type.</summary>
public sealed class OnnxExportException : PittsException
{
    /// <summary>Creates the error with its message.</summary>
    public OnnxExportException(string message) : base(message) { }
}

/// <summary>An ONNX file that is malformed, hostile or uses what Pitts cannot run; the message names the file and the node, tensor or field at fault.</summary>
public sealed class OnnxFormatException : DataFormatException
{
    /// <summary>Creates the error with its message.</summary>
    public OnnxFormatException(string message) : base(message) { }

    /// <summary>Creates the error with its message and the error that caused it.</summary>
    public OnnxFormatException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>An ONNX operator (or an attribute value of one) that <see cref="Onnx.Load(string)"/> does not implement; the message names the operator and the node.</summary>
public sealed class OnnxUnsupportedException : PittsException
{
    /// <summary>Creates the error with its message.</summary>
    public OnnxUnsupportedException(string message) : base(message) { }
}
