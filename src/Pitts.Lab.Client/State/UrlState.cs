using System.Globalization;
using Microsoft.JSInterop;

namespace Pitts.Lab.Services;

/// <summary>Keeps a page's widget state in its URL query (history.replaceState), so a link reproduces it.</summary>
public sealed class UrlState(IJSRuntime js)
{
    private string? _last;

    /// <summary>Replaces the current URL's query with <paramref name="values"/> (nulls are left out).</summary>
    public async Task SetAsync(params (string Key, object? Value)[] values)
    {
        var parts = new List<string>();
        foreach (var (k, v) in values)
        {
            if (v is null) continue;
            string s = v switch
            {
                double d => d.ToString("G6", CultureInfo.InvariantCulture),
                float f => f.ToString("G6", CultureInfo.InvariantCulture),
                bool b => b ? "1" : "0",
                IFormattable fm => fm.ToString(null, CultureInfo.InvariantCulture),
                _ => v.ToString() ?? "",
            };
            parts.Add(Uri.EscapeDataString(k) + "=" + Uri.EscapeDataString(s));
        }
        string q = string.Join('&', parts);
        if (q == _last) return;
        _last = q;
        try { await js.InvokeVoidAsync("pittsLab.setQuery", q); }
        catch (JSDisconnectedException) { }
        catch (InvalidOperationException) { } // during prerendering there is no browser yet
    }
}
