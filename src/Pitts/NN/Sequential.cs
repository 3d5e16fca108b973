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

/// <summary>
/// A list of submodules named "0", "1", ... (PyTorch's <c>nn.ModuleList</c>): their parameters are registered, and the
/// owner decides how to call them; it has no Forward of its own.
/// </summary>
public sealed class ModuleList : Module, IEnumerable<Module>
{
    private readonly List<Module> _items = [];

    /// <summary>Creates the list.</summary>
    public ModuleList(params Module[] modules)
    {
        foreach (var m in modules) Add(m);
    }

    /// <summary>Appends a module named by its position.</summary>
    public ModuleList Add(Module module)
    {
        RegisterModule(_items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
        _items.Add(module);
        return this;
    }

    /// <summary>The module at position <paramref name="index"/>.</summary>
    public Module this[int index] => _items[index];

    /// <summary>The number of modules.</summary>
    public int Count => _items.Count;

    /// <summary>Always throws: iterate over the modules and call them instead.</summary>
    public override Tensor Forward(Tensor input) =>
        throw new PittsException("ModuleList has no Forward of its own; iterate over its modules (or use Sequential to chain them)");

    /// <inheritdoc/>
    public IEnumerator<Module> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
