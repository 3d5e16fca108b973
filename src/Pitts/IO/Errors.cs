namespace Pitts.IO;

/// <summary>A file that does not follow its format's rules; the message names the file, the rule and the values found.</summary>
public class DataFormatException : PittsException
{
    /// <summary>Creates the error with its message.</summary>
    public DataFormatException(string message) : base(message) { }

    /// <summary>Creates the error with its message and the error that caused it.</summary>
    public DataFormatException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A safetensors file (or a set of tensors to save) that breaks a rule of the safetensors format.</summary>
public sealed class SafetensorsException : DataFormatException
{
    /// <summary>Creates the error with its message.</summary>
    public SafetensorsException(string message) : base(message) { }

    /// <summary>Creates the error with its message and the error that caused it.</summary>
    public SafetensorsException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>An IDX file (the MNIST format) that breaks a rule of the format.</summary>
public sealed class IdxException : DataFormatException
{
    /// <summary>Creates the error with its message.</summary>
    public IdxException(string message) : base(message) { }

    /// <summary>Creates the error with its message and the error that caused it.</summary>
    public IdxException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A NumPy .npy or .npz file that is malformed or uses a layout Pitts does not read.</summary>
public sealed class NpyException : DataFormatException
{
    /// <summary>Creates the error with its message.</summary>
    public NpyException(string message) : base(message) { }

    /// <summary>Creates the error with its message and the error that caused it.</summary>
    public NpyException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A CSV file with a ragged row or a value that is not a number; the message names the line and the column.</summary>
public sealed class CsvException : DataFormatException
{
    /// <summary>Creates the error with its message.</summary>
    public CsvException(string message) : base(message) { }
}
