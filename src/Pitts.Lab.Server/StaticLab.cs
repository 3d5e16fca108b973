using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace Pitts.Lab.Services;

/// <summary>
/// Serves the lab's static files (the published WebAssembly app, or the build's static web assets under
/// <c>dotnet run</c>) from one file provider: a file's brotli or gzip twin when the browser accepts it, and
/// index.html for any path that names no file and has no extension (the chapters' deep links).
/// </summary>
public static class StaticLab
{
    /// <summary>The content types the lab's files need (the defaults plus WebAssembly's).</summary>
    public static FileExtensionContentTypeProvider ContentTypes()
    {
        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".wasm"] = "application/wasm";
        types.Mappings[".mjs"] = "text/javascript";
        types.Mappings[".js"] = "text/javascript";
        types.Mappings[".dat"] = "application/octet-stream";
        types.Mappings[".blat"] = "application/octet-stream";
        types.Mappings[".safetensors"] = "application/octet-stream";
        types.Mappings[".idx"] = "application/octet-stream";
        types.Mappings[".webmanifest"] = "application/manifest+json";
        return types;
    }

    /// <summary>Adds the static serving of <paramref name="files"/> to <paramref name="app"/>.</summary>
    public static void Use(IApplicationBuilder app, IFileProvider files)
    {
        var types = ContentTypes();
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return;
            }
            string path = request.Path.Value ?? "/";
            var file = path == "/" ? null : files.GetFileInfo(path);
            if (file is null || !file.Exists || file.IsDirectory)
            {
                // A chapter's deep link (/backprop) is the app's page: index.html, which routes it in the browser.
                if (Path.HasExtension(path) && path != "/") { context.Response.StatusCode = StatusCodes.Status404NotFound; return; }
                path = "/index.html";
                request.Path = path;
            }
            context.Response.Headers.CacheControl = "no-cache";
            if (types.TryGetContentType(path, out _) || Path.HasExtension(path))
            {
                var accept = request.Headers.AcceptEncoding.ToString();
                foreach (var (suffix, encoding) in new[] { (".br", "br"), (".gz", "gzip") })
                {
                    if (!accept.Contains(encoding, StringComparison.OrdinalIgnoreCase)) continue;
                    var twin = files.GetFileInfo(path + suffix);
                    if (!twin.Exists) continue;
                    request.Path = path + suffix;
                    context.Response.Headers.ContentEncoding = encoding;
                    context.Response.Headers.Vary = HeaderNames.AcceptEncoding;
                    break;
                }
            }
            await next(context);
        });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            ContentTypeProvider = new TwinContentTypes(types),
            // Anything else (.pdb, .dat, .symbols) as bytes; nosniff keeps the browser from guessing.
            ServeUnknownFileTypes = true,
            DefaultContentType = "application/octet-stream",
        });
    }

    /// <summary>Gives a compressed twin (app.css.br) the content type of the file it compresses.</summary>
    private sealed class TwinContentTypes(FileExtensionContentTypeProvider inner) : IContentTypeProvider
    {
        public bool TryGetContentType(string subpath, out string contentType)
        {
            if (subpath.EndsWith(".br", StringComparison.Ordinal) || subpath.EndsWith(".gz", StringComparison.Ordinal))
                return inner.TryGetContentType(subpath[..^3], out contentType!);
            return inner.TryGetContentType(subpath, out contentType!);
        }
    }
}
