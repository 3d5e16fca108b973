namespace Pitts;

/// <summary>
/// One recorded operation in the autograd graph: its name, its inputs, and the closure that, given the gradient
/// of its output, returns the gradients of its inputs (each op defines this closure next to its forward code).
/// </summary>
public sealed class Node
{
    internal Tensor[] InputsArray;
    internal BackwardFn? BackwardFn;

    /// <summary>The operation's name, e.g. "MatMul"; used in error messages and graph printing.</summary>
    public string Op { get; }

    /// <summary>The tensors this operation read (empty once the graph is freed).</summary>
    public IReadOnlyList<Tensor> Inputs => InputsArray;

    /// <summary>True once a backward pass without retainGraph has released this node's saved tensors.</summary>
    public bool Freed { get; private set; }

    internal Node(string op, Tensor[] inputs, BackwardFn backward)
    {
        Op = op;
        InputsArray = inputs;
        BackwardFn = backward;
    }

    internal void Free()
    {
        BackwardFn = null;
        InputsArray = [];
        Freed = true;
    }

    /// <summary>The op name.</summary>
    public override string ToString() => Op;
}
