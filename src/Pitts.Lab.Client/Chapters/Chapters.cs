namespace Pitts.Lab.Services;

/// <summary>One page of the lab, in the lecture's order.</summary>
/// <param name="Number">Chapter number shown in the navigation.</param>
/// <param name="Slug">URL path without the leading slash.</param>
/// <param name="Title">Title in the navigation and on the page.</param>
/// <param name="Blurb">One sentence for the home page.</param>
/// <param name="Part">The lecture part it belongs to.</param>
public sealed record Chapter(int Number, string Slug, string Title, string Blurb, string Part)
{
    /// <summary>The page's URL path.</summary>
    public string Href => "/" + Slug;
}

/// <summary>The lab's chapters, following the lecture (part 2's architecture zoo appends to this list).</summary>
public static class Chapters
{
    /// <summary>Every page that exists, in order.</summary>
    public static readonly IReadOnlyList<Chapter> All =
    [
        new(1, "mcculloch-pitts", "McCulloch-Pitts neuron", "Toggle inputs, set weights and a threshold, build logic gates, and see why XOR needs two layers.", "Two views of the neuron"),
        new(2, "hodgkin-huxley", "Hodgkin-Huxley", "Inject current into the squid giant axon and watch spikes, gates, currents and the f-I curve.", "Two views of the neuron"),
        new(3, "linear-hypothesis", "The linear hypothesis", "Choose the features φ(x), fit them, and watch validation error as the degree grows.", "From linear models to deep networks"),
        new(4, "networks", "Networks", "The network view of ŷ = f(Wx + b), deeper networks, and activation functions with their derivatives.", "From linear models to deep networks"),
        new(5, "losses", "Loss functions", "MSE and binary cross-entropy, with a prediction you drag.", "Training neural networks"),
        new(6, "gradient-descent", "Gradient descent", "Click a loss landscape to start SGD, momentum and Adam side by side.", "Training neural networks"),
        new(7, "backprop", "Backpropagation", "The lecture's worked example, one chain-rule step at a time, checked against autograd.", "Training neural networks"),
        new(8, "training", "Training in practice", "The lecture's PyTorch loop beside the same loop in C#, run live.", "Training neural networks"),
        new(9, "universal-approximation", "Universal approximation", "Add hidden units until a 1→N→1 sigmoid network fits the curve.", "Training neural networks"),
        new(10, "overfitting", "Overfitting and regularization", "Weight decay, dropout, early stopping and augmentation, switched on and off.", "Training neural networks"),
        new(11, "playground", "Playground", "Classify 2-D data with your own network and watch every neuron's map.", "Training neural networks"),
        .. ZooChapters.All,
    ];

    /// <summary>Pages that are built (the navigation lists only these).</summary>
    public static IEnumerable<Chapter> Ready => All.Where(c => ReadySlugs.Contains(c.Slug));

    /// <summary>The slugs whose page exists: every routable component's path (a chapter appears once its page is built).</summary>
    public static readonly HashSet<string> ReadySlugs = typeof(Chapters).Assembly.GetTypes()
        .SelectMany(t => t.GetCustomAttributes(typeof(Microsoft.AspNetCore.Components.RouteAttribute), false))
        .Select(a => ((Microsoft.AspNetCore.Components.RouteAttribute)a).Template.Trim('/'))
        .ToHashSet();

    /// <summary>The chapter with this slug.</summary>
    public static Chapter Get(string slug) => All.First(c => c.Slug == slug);
}
