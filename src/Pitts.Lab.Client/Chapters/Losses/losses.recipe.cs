#:project ../../../Pitts/Pitts.csproj
// Loss functions: the mean squared error of one prediction and the binary cross-entropy of one predicted probability,
// each with its gradient by autograd. The lab's page runs this file; on its own, from the repository's root:
//   dotnet run -c Release src/Pitts.Lab.Client/Chapters/Losses/losses.recipe.cs
using Pitts;
using Pitts.NN;

#if !PITTS_LAB // the lab compiles the class below into itself and calls it as the dots are dragged
var settings = new LossesSettings(YHat: 0.88, Y: 1, P: 0.7, Label: 1);
var (mse, dMse) = LossesRecipe.Mse(settings.YHat, settings.Y);
Console.WriteLine($"MSE = {mse:0.0000}, dL/dyhat = {dMse:0.0000}");
var (bce, dBce) = LossesRecipe.Bce(settings.P, settings.Label);
Console.WriteLine($"BCE = {bce:0.0000}, dL/dp = {dBce:0.0000}");
#endif

/// <summary>What the page's controls change: the prediction ŷ and target y of the MSE, the probability p and label of the BCE.</summary>
public sealed record LossesSettings(double YHat, double Y, double P, int Label);

/// <summary>Each loss and its derivative with respect to the prediction, by the library's functional losses and autograd.</summary>
public static class LossesRecipe
{
    /// <summary>(ŷ − y)² and ∂L/∂ŷ.</summary>
    public static (double Loss, double Grad) Mse(double yHat, double y)
    {
        var prediction = Tensor.FromArray([(float)yHat]).RequireGrad();
        var loss = Functional.MseLoss(prediction, Tensor.FromArray([(float)y]));   // or: new MseLoss().Forward(...)
        loss.Backward();
        return (loss.Item(), prediction.Grad!.Item());
    }

    /// <summary>−[y log p + (1 − y) log(1 − p)] and ∂L/∂p (log clamped at −100, as PyTorch does).</summary>
    public static (double Loss, double Grad) Bce(double p, int label)
    {
        var probability = Tensor.FromArray([(float)p]).RequireGrad();
        var loss = Functional.BinaryCrossEntropy(probability, Tensor.FromArray([(float)label]));   // or: new BceLoss().Forward(...)
        loss.Backward();
        return (loss.Item(), probability.Grad!.Item());
    }
}
