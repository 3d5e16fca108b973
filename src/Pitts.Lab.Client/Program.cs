using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Components.WebAssembly.Hosting;
using Pitts.Lab.Layout;
using Pitts.Lab.Services;

namespace Pitts.Lab;

/// <summary>The lab in the browser: the entry point of the WebAssembly app.</summary>
public static class ClientProgram
{
    /// <summary>Starts the lab's components in the page.</summary>
    public static async Task Main(string[] args)
    {
        var builder = WebAssemblyHostBuilder.CreateDefault(args);
        builder.RootComponents.Add<Routes>("#app");
        builder.RootComponents.Add<HeadOutlet>("head::after");
        builder.Services.AddScoped<UrlState>();
        await builder.Build().RunAsync();
    }
}
