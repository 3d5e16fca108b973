using System.Globalization;

namespace Pitts.Lab.Services;

/// <summary>Reads widget state from URL query values, rejecting bad values with a message instead of failing.</summary>
public sealed class Query
{
    /// <summary>Messages about query values that were ignored.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>A number in [min, max], or <paramref name="fallback"/> (with a warning) when absent or invalid.</summary>
    public double Double(string? text, string name, double fallback, double min, double max)
    {
        if (string.IsNullOrEmpty(text)) return fallback;
        if (!NumberField_Validate(text, min, max, false, out double v, out string? error))
        {
            Warnings.Add($"Link value {name}={text} ignored: {error}; using {fallback.ToString(CultureInfo.InvariantCulture)}.");
            return fallback;
        }
        return v;
    }

    /// <summary>A whole number in [min, max], or <paramref name="fallback"/> (with a warning).</summary>
    public int Int(string? text, string name, int fallback, int min, int max)
    {
        if (string.IsNullOrEmpty(text)) return fallback;
        if (!NumberField_Validate(text, min, max, true, out double v, out string? error))
        {
            Warnings.Add($"Link value {name}={text} ignored: {error}; using {fallback}.");
            return fallback;
        }
        return (int)v;
    }

    /// <summary>One of <paramref name="allowed"/>, or <paramref name="fallback"/> (with a warning).</summary>
    public string Choice(string? text, string name, string fallback, IReadOnlyCollection<string> allowed)
    {
        if (string.IsNullOrEmpty(text)) return fallback;
        if (allowed.Contains(text)) return text;
        Warnings.Add($"Link value {name}={text} ignored: expected one of {string.Join(", ", allowed)}; using {fallback}.");
        return fallback;
    }

    /// <summary>A flag written as 1/0 (or true/false).</summary>
    public bool Bool(string? text, string name, bool fallback)
    {
        if (string.IsNullOrEmpty(text)) return fallback;
        switch (text)
        {
            case "1" or "true": return true;
            case "0" or "false": return false;
        }
        Warnings.Add($"Link value {name}={text} ignored: expected 1 or 0.");
        return fallback;
    }

    private static bool NumberField_Validate(string text, double min, double max, bool integer, out double value, out string? error) =>
        Validation.Number(text, min, max, integer, out value, out error);
}

/// <summary>Input validation shared by the number fields and the URL reader.</summary>
public static class Validation
{
    /// <summary>Parses and checks a number typed by the reader; the message says what is wrong.</summary>
    public static bool Number(string text, double min, double max, bool integer, out double value, out string? error)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value) || !double.IsFinite(value))
        {
            error = $"'{text}' is not a number";
            return false;
        }
        if (integer && value != Math.Floor(value))
        {
            error = $"{text} is not a whole number";
            return false;
        }
        if (value < min || value > max)
        {
            error = $"{text} is out of range (allowed: {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)})";
            return false;
        }
        error = null;
        return true;
    }
}
