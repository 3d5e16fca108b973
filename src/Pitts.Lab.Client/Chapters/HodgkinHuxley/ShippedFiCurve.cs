using Pitts.Neuro.HodgkinHuxley;

namespace Pitts.Lab.Widgets;

/// <summary>
/// The page's f-I curve, shipped precomputed: <c>HodgkinHuxleyRecipe.FiCurve</c> of the default model (0 to 30 µA/cm² in
/// steps of 0.5, 1 s of RK4 at dt 0.01 ms each: 6.1 million steps, about 20 s in the browser's interpreter, 1 to 2 s
/// natively). The curve never changes with the page's controls, so the page draws it at once instead of computing it
/// before its first render; <c>WidgetModelTests</c> recomputes it with the recipe and checks every point.
/// Written by running the recipe's FiCurve natively and printing each point with the round-trip format.
/// </summary>
public static class ShippedFiCurve
{
    /// <summary>The 61 points (current in µA/cm², rate in Hz from the second half of the run, spikes in the whole second).</summary>
    public static readonly IReadOnlyList<FiPoint> Points =
    [
        new(0, 0, 0),
        new(0.5, 0, 0),
        new(1, 0, 0),
        new(1.5, 0, 0),
        new(2, 0, 0),
        new(2.5, 0, 1),
        new(3, 0, 1),
        new(3.5, 0, 1),
        new(4, 0, 1),
        new(4.5, 0, 1),
        new(5, 0, 1),
        new(5.5, 0, 1),
        new(6, 0, 2),
        new(6.5, 55.05730137264619, 55),
        new(7, 58.32706619476929, 59),
        new(7.5, 60.59182832603648, 61),
        new(8, 62.46988709437277, 63),
        new(8.5, 64.1249472386224, 64),
        new(9, 65.62873565630291, 66),
        new(9.5, 67.0202726226827, 67),
        new(10, 68.32370269010526, 69),
        new(10.5, 69.55514511112071, 70),
        new(11, 70.72615873498506, 71),
        new(11.5, 71.84530740803233, 72),
        new(12, 72.91921359703522, 73),
        new(12.5, 73.95312602573993, 74),
        new(13, 74.95129081151158, 75),
        new(13.5, 75.9172386094243, 76),
        new(14, 76.85391773108256, 77),
        new(14.5, 77.76382532850451, 78),
        new(15, 78.64912215278721, 79),
        new(15.5, 79.51169808193791, 80),
        new(16, 80.35314619606538, 81),
        new(16.5, 81.17496437967344, 81),
        new(17, 81.97837433021384, 82),
        new(17.5, 82.76458271753543, 83),
        new(18, 83.53459504084366, 84),
        new(18.5, 84.28932012443563, 85),
        new(19, 85.02966865855126, 85),
        new(19.5, 85.75632921093268, 86),
        new(20, 86.47004291427058, 87),
        new(20.5, 87.17147024584916, 87),
        new(21, 87.8611738340039, 88),
        new(21.5, 88.53971098481674, 89),
        new(22, 89.20759929004704, 89),
        new(22.5, 89.86526577188766, 90),
        new(23, 90.5131826289396, 91),
        new(23.5, 91.15175245902834, 91),
        new(24, 91.78133548083679, 92),
        new(24.5, 92.4023021943399, 93),
        new(25, 93.01496459035468, 93),
        new(25.5, 93.61963624607874, 94),
        new(26, 94.21663393278457, 94),
        new(26.5, 94.80617898950783, 95),
        new(27, 95.38857130350267, 96),
        new(27.5, 95.96406060923002, 96),
        new(28, 96.53282961355036, 97),
        new(28.5, 97.0951354903709, 97),
        new(29, 97.65116959671114, 98),
        new(29.5, 98.20115419380542, 98),
        new(30, 98.74521526226404, 99),
    ];
}
