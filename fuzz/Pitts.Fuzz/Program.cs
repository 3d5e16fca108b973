using SharpFuzz;

namespace Pitts.Fuzz;

/// <summary>
/// <c>dotnet Pitts.Fuzz.dll TARGET</c> under afl-fuzz runs TARGET in SharpFuzz's persistent out-of-process loop;
/// <c>dotnet Pitts.Fuzz.dll TARGET FILE...</c> runs files once each and prints what every reader said (for triage).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0 || !Targets.All.ContainsKey(args[0]))
        {
            Console.Error.WriteLine($"usage: Pitts.Fuzz TARGET [FILE...]; targets: {string.Join(", ", Targets.All.Keys)}");
            return 2;
        }
        string target = args[0];
        if (args.Length > 1)
        {
            foreach (var f in args[1..])
                Console.WriteLine($"{f}: {(Targets.Run(target, File.ReadAllBytes(f)) ? "accepted" : "refused")}");
            return 0;
        }
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var ms = new MemoryStream();
            stream.CopyTo(ms);
            Targets.Run(target, ms.ToArray());
        });
        return 0;
    }
}
