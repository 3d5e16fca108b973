using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Pitts.Lab.Tests;

/// <summary>
/// A throwaway console project like <c>dotnet new console</c>'s (implicit usings, nullable, warnings as errors) that
/// references the built Pitts and Pitts.Neuro, for the tests that compile, and run, the code a reader is shown: the
/// lab's "Show code" samples and the docs' C# blocks.
/// </summary>
internal static partial class ConsoleProject
{
    /// <summary>Writes <paramref name="name"/>.csproj into <paramref name="dir"/>, shielded from the repository's build files.</summary>
    public static void Write(string dir, string name)
    {
        string bin = AppContext.BaseDirectory;
        // Empty Directory.Build.props / Directory.Packages.props: nothing above the temp folder leaks in.
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(dir, "Directory.Packages.props"), "<Project />");
        File.WriteAllText(Path.Combine(dir, name + ".csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <GenerateDocumentationFile>false</GenerateDocumentationFile>
              </PropertyGroup>
              <ItemGroup>
                <Reference Include="Pitts" HintPath="{Path.Combine(bin, "Pitts.dll")}" />
                <Reference Include="Pitts.Neuro" HintPath="{Path.Combine(bin, "Pitts.Neuro.dll")}" />
              </ItemGroup>
            </Project>
            """);
    }

    /// <summary>
    /// Where a program's parts start: its leading <c>using</c> directives (and blank lines) end at Body, its top-level
    /// statements run from Body to Types, and the type declarations that follow them (C# puts those after the
    /// statements) from Types to the end.
    /// </summary>
    public static (int Body, int Types) Split(string[] lines)
    {
        int body = 0;
        while (body < lines.Length && (lines[body].Trim().Length == 0 || UsingDirective().IsMatch(lines[body].Trim()))) body++;
        int types = Array.FindIndex(lines, body, l => TypeDeclaration().IsMatch(l));
        return (body, types < 0 ? lines.Length : types);
    }

    /// <summary>
    /// Writes <paramref name="className"/>.cs into <paramref name="dir"/>: the program <paramref name="code"/> with its
    /// leading <c>using</c> directives at the top of the file, its top-level statements the body of
    /// <c>className.Run()</c> (async when they await) and the type declarations after them (C# puts those after the
    /// statements) nested in the class. <c>#line</c> directives map every part back to <paramref name="origin"/>, code
    /// line k (0-based) to line <paramref name="firstLine"/> + k, so compiler errors name where the reader saw the
    /// code. Returns whether Run is async.
    /// </summary>
    public static bool WriteProgram(string dir, string className, string code, string origin, int firstLine)
    {
        var lines = code.Replace("\r\n", "\n").Split('\n');
        var (body, types) = Split(lines);
        bool async = lines[body..types].Any(l => Await().IsMatch(l));
        var file = new StringBuilder();
        file.AppendLine($"#line {firstLine} \"{origin}\"");
        foreach (var l in lines[..body]) file.AppendLine(l);
        file.AppendLine("#line default");
        file.AppendLine($"internal static class {className}");
        file.AppendLine("{");
        file.AppendLine(async ? "    internal static async System.Threading.Tasks.Task Run()" : "    internal static void Run()");
        file.AppendLine("    {");
        file.AppendLine($"#line {firstLine + body} \"{origin}\"");
        foreach (var l in lines[body..types]) file.AppendLine(l);
        file.AppendLine("#line default");
        file.AppendLine("    }");
        file.AppendLine($"#line {firstLine + types} \"{origin}\"");
        foreach (var l in lines[types..]) file.AppendLine(l);
        file.AppendLine("#line default");
        file.AppendLine("}");
        File.WriteAllText(Path.Combine(dir, className + ".cs"), file.ToString());
        return async;
    }

    /// <summary>
    /// Runs <c>dotnet</c> with <paramref name="args"/> in <paramref name="dir"/> (plus <paramref name="environment"/>);
    /// its exit code and its output and errors together. Throws, failing the test, after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<(int ExitCode, string Log)> Dotnet(string dir, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = dir,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using (var cts = new CancellationTokenSource(timeout))
        {
            try { await p.WaitForExitAsync(cts.Token); }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"dotnet {string.Join(' ', args)} in {dir} ran past {timeout.TotalSeconds:0} s");
            }
        }
        return (p.ExitCode, await stdout + await stderr);
    }

    /// <summary>The arguments of a quiet build of <paramref name="project"/> (no build servers: they would outlive the build and hold its output streams open).</summary>
    public static string[] BuildArguments(string project) =>
        ["build", project, "-c", "Release", "-nologo", "--disable-build-servers", "-clp:NoSummary;ErrorsOnly"];

    [GeneratedRegex(@"^((public|internal|sealed|abstract|static|partial|file)\s+)*(class|record|struct|interface|enum)\s")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"^using\s+(static\s+)?[A-Za-z_][\w.]*\s*;")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"\bawait\b")]
    private static partial Regex Await();
}
