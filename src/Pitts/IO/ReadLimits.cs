namespace Pitts.IO;

/// <summary>
/// The budget a reader gives an untrusted file: every size the file (or its metadata, or a compressed stream's
/// header) declares is checked against these caps and against the file's real size before anything is allocated.
/// </summary>
/// <remarks>
/// The defaults fit every data set and checkpoint the project uses with a wide margin (the full MNIST training images
/// are 47 MB) while keeping a hostile file's cost under about 1 GB; pass a larger budget (the CLI's
/// <c>--max-input-mb</c>) to read bigger files.
/// </remarks>
public sealed record ReadLimits
{
    /// <summary>The defaults: 256 MiB of data per file, CSV lines of 1 Mi characters and fields of 4,096.</summary>
    public static ReadLimits Default { get; } = new();

    /// <summary>
    /// The most bytes of data one file may declare: an IDX file's elements (after gunzip), a .npy array, all the
    /// entries of a .npz archive together, the tensors of a safetensors file, or the values of a CSV table (4 bytes each).
    /// </summary>
    public long MaxDataBytes { get; init; } = 256L << 20;

    /// <summary>The longest CSV line accepted, in characters.</summary>
    public int MaxCsvLineLength { get; init; } = 1 << 20;

    /// <summary>The longest CSV field accepted, in characters (a number needs a few dozen; a column name more).</summary>
    public int MaxCsvFieldLength { get; init; } = 4096;

    /// <summary>This budget, after checking that every cap is positive.</summary>
    internal ReadLimits Checked()
    {
        if (MaxDataBytes <= 0 || MaxCsvLineLength <= 0 || MaxCsvFieldLength <= 0)
            throw new PittsException($"ReadLimits: every cap must be positive (MaxDataBytes {MaxDataBytes}, MaxCsvLineLength {MaxCsvLineLength}, MaxCsvFieldLength {MaxCsvFieldLength})");
        return this;
    }

    /// <summary>The error text for a declared size over <see cref="MaxDataBytes"/>.</summary>
    internal string Over(long declared) =>
        $"declares {declared:N0} bytes of data, more than the limit of {MaxDataBytes:N0} (ReadLimits.MaxDataBytes; the CLI's --max-input-mb raises it)";
}
