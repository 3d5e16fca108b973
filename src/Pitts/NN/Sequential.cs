namespace Pitts.NN;

/// <summary>Runs its layers one after another, PyTorch's <c>nn.Sequential</c>; layers are named "0", "1", ... unless named explicitly.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = [];

    /// <summary>Creates the container from layers named by their position.</summary>
    public Sequential(params Module[] layers)
    {
        foreach (var l in layers) Add(l);
    }

    /// <summary>Creates the container from named layers (the names become state-dict prefixes).</summary>
    public Sequential(params (string Name, Module Layer)[] layers)
    {
        foreach (var (n, l) in layers) { RegisterModule(n, l); _layers.Add(l); }
    }

    /// <summary>Appends a layer named by its position.</summary>
    public Sequential Add(Module layer)
    {
        RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        _layers.Add(layer);
        return this;
    }

    /// <summary>The layer at position <paramref name="index"/>.</summary>
    public Module this[int index] => _layers[index];

    /// <summary>The number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>Feeds the input through each layer in turn.</summary>
    public override Tensor Forward(Tensor input)
    {
        foreach (var l in _layers) input = l.Forward(input);
        return input;
    }
}
