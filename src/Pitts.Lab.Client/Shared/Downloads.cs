using Microsoft.JSInterop;

namespace Pitts.Lab.Services;

/// <summary>Files a page makes (trained weights, a recipe with the page's settings), saved by the browser through lab.js.</summary>
public static class Downloads
{
    /// <summary>Has the browser save <paramref name="bytes"/> as <paramref name="fileName"/> (pittsLab.download in wwwroot/lab.js).</summary>
    public static async Task SaveAsync(IJSRuntime js, string fileName, string mimeType, byte[] bytes)
    {
        try { await js.InvokeVoidAsync("pittsLab.download", fileName, mimeType, bytes); }
        catch (JSDisconnectedException) { }
    }
}
