#:project ../../../Pitts/Pitts.csproj
// Backpropagation: the lecture's worked example, x → z1 = w1 x + b1 → v = f(z1) → ŷ = w2 v + b2 → L = (ŷ − y)²,
// forward, backward by autograd, a check against finite differences, and one SGD step.
// The lab's page runs this file; on its own, from the repository's root:
//   dotnet run -c Release src/Pitts.Lab.Client/Chapters/Backprop/backprop.recipe.cs
using Pitts;
using Pitts.Optim;

#if !PITTS_LAB // the lab compiles the classes below into itself and calls BackpropRecipe.Run for the page's inputs
var inputs = new BackpropInputs(X: 2, Y: 1, W1: 0.5, B1: 0.1, W2: 0.8, B2: 0, Lr: 0.1, Activation: "ReLU");
var r = BackpropRecipe.Run(inputs);
Console.WriteLine($"forward:  z1 = {r.Z1.Item():G6}, v = {r.V.Item():G6}, yhat = {r.YHat.Item():G6}, L = {r.Loss.Item():G6}");
Console.WriteLine($"backward: dL/dyhat = {r.YHat.Grad!.Item():G6}, dL/dw2 = {r.W2.Grad!.Item():G6}, dL/db2 = {r.B2.Grad!.Item():G6}, "
    + $"dL/dv = {r.V.Grad!.Item():G6}, dL/dz1 = {r.Z1.Grad!.Item():G6}, dL/dw1 = {r.W1.Grad!.Item():G6}, dL/db1 = {r.B1.Grad!.Item():G6}");
Console.WriteLine($"GradCheck: {r.GradCheck}");
Console.WriteLine($"after one SGD step: w1 = {r.W1.Item():G6}, w2 = {r.W2.Item():G6}, L = {r.LossAfter:G6}");
#endif

/// <summary>What the page's fields change: the input x, the target y, the four weights, the learning rate, the activation (ReLU, sigmoid, tanh).</summary>
public sealed record BackpropInputs(double X, double Y, double W1, double B1, double W2, double B2, double Lr, string Activation)
{
    /// <summary>The lecture's example: x = 2, y = 1, w1 = 0.5, b1 = 0.1, w2 = 0.8, b2 = 0, α = 0.1, ReLU.</summary>
    public static readonly BackpropInputs Lecture = new(X: 2, Y: 1, W1: 0.5, B1: 0.1, W2: 0.8, B2: 0, Lr: 0.1, Activation: "ReLU");
}

/// <summary>The tensors of one run: the nodes with their data and gradients, the weights after the step, GradCheck's verdict.</summary>
public sealed record BackpropTrace(Tensor Z1, Tensor V, Tensor YHat, Tensor Loss, Tensor W1, Tensor B1, Tensor W2, Tensor B2, string GradCheck, double LossAfter);

/// <summary>The lecture's two-weight network, run forward and backward with the library's autograd.</summary>
public static class BackpropRecipe
{
    /// <summary>f(z): ReLU, sigmoid or tanh.</summary>
    public static Tensor Activation(Tensor z, string f) => f switch
    {
        "sigmoid" => z.Sigmoid(),
        "tanh" => z.Tanh(),
        _ => z.Relu(),
    };

    /// <summary>L(w1, b1, w2, b2) = (w2 f(w1 x + b1) + b2 − y)².</summary>
    public static Tensor Loss(Tensor w1, Tensor b1, Tensor w2, Tensor b2, BackpropInputs p) =>
        (w2 * Activation(w1 * (float)p.X + b1, p.Activation) + b2 - (float)p.Y).Pow(2f);

    /// <summary>Forward, backward, GradCheck and one SGD step for <paramref name="p"/>.</summary>
    public static BackpropTrace Run(BackpropInputs p)
    {
        var x = Tensor.Scalar((float)p.X);
        var y = Tensor.Scalar((float)p.Y);
        var w1 = Tensor.Scalar((float)p.W1).RequireGrad();
        var b1 = Tensor.Scalar((float)p.B1).RequireGrad();
        var w2 = Tensor.Scalar((float)p.W2).RequireGrad();
        var b2 = Tensor.Scalar((float)p.B2).RequireGrad();

        // Forward pass (RetainGrad keeps the gradients of the inner nodes too)
        var z1 = (w1 * x + b1).RetainGrad();
        var v = Activation(z1, p.Activation).RetainGrad();
        var yHat = (w2 * v + b2).RetainGrad();
        var loss = (yHat - y).Pow(2f);

        // Backward pass: fills .Grad of every tensor that requires grad (and of the retained ones)
        loss.Backward();

        // Check autograd against finite differences at these weights (GradCheck leaves .Grad as it was)
        var check = GradCheck.Check(t => Loss(t[0], t[1], t[2], t[3], p), [w1, b1, w2, b2]);

        // One SGD step: w ← w − α ∂L/∂w
        new Sgd([w1, b1, w2, b2], lr: (float)p.Lr).Step();
        double lossAfter;
        using (Autograd.NoGrad())
            lossAfter = Loss(w1, b1, w2, b2, p).Item();

        return new BackpropTrace(z1, v, yHat, loss, w1, b1, w2, b2, check.ToString(), lossAfter);
    }
}
