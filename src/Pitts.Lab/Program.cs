namespace Pitts.Lab;

/// <summary><c>dotnet run --project src/Pitts.Lab</c>: serves the lab (src/Pitts.Lab.Client) from the build's static web assets.</summary>
public static class LabHost
{
    /// <summary>Entry point; the options are <see cref="LabOptions"/>'s.</summary>
    public static int Main(string[] args) => LabServer.Run(args, Console.Out, Console.Error);
}
