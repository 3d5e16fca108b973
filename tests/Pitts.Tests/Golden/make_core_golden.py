#!/usr/bin/python3
"""Writes core_ops.json: forward outputs and input gradients of the core ops, computed by PyTorch.

Run with Debian's python3-torch:  /usr/bin/python3 tests/Pitts.Tests/Golden/make_core_golden.py
Each case: inputs (float32), an upstream gradient for the output, the output and every input's gradient.
The C# tests (CoreGoldenTests) map each case name to the same operation in Pitts; they need no Python.
"""
import json, os
import torch
import torch.nn.functional as F

torch.manual_seed(11)
cases = []

def rnd(*shape, low=-2.0, high=2.0):
    return (torch.rand(tuple(shape)) * (high - low) + low).float()

def pos(*shape):
    return rnd(*shape, low=0.5, high=2.5)

def add(name, fn, *inputs, grad=True):
    xs = [x.clone().requires_grad_(grad) for x in inputs]
    out = fn(*xs)
    up = rnd(*out.shape)
    entry = {
        "name": name,
        "inputs": [{"shape": list(x.shape), "data": x.detach().flatten().tolist()} for x in xs],
        "output": {"shape": list(out.shape), "data": out.detach().flatten().tolist()},
        "upstream": {"shape": list(up.shape), "data": up.flatten().tolist()},
    }
    if grad:
        out.backward(up)
        entry["grads"] = [{"shape": list(x.shape), "data": (x.grad if x.grad is not None else torch.zeros_like(x)).flatten().tolist()} for x in xs]
    cases.append(entry)

# Elementwise with broadcasting
add("add", lambda a, b: a + b, rnd(3, 4), rnd(4))
add("add_rank0", lambda a, b: a + b, rnd(2, 3), rnd())
add("sub", lambda a, b: a - b, rnd(2, 1, 4), rnd(3, 1))
add("mul", lambda a, b: a * b, rnd(2, 3, 4), rnd(1, 3, 1))
add("div", lambda a, b: a / b, rnd(3, 4), pos(3, 1))
add("pow", lambda a, b: a ** b, pos(3, 4), rnd(4))
add("pow_scalar", lambda a: a ** 3, rnd(5))
add("pow_half", lambda a: a ** 0.5, pos(5))
add("neg", lambda a: -a, rnd(4))
add("exp", lambda a: a.exp(), rnd(2, 3))
add("log", lambda a: a.log(), pos(2, 3))
add("sqrt", lambda a: a.sqrt(), pos(6))
add("abs", lambda a: a.abs(), rnd(7))
add("sin", lambda a: a.sin(), rnd(7))
add("cos", lambda a: a.cos(), rnd(7))
add("clamp", lambda a: a.clamp(-0.5, 0.7), rnd(10))
add("maximum", lambda a, b: torch.maximum(a, b), rnd(3, 4), rnd(4))
add("minimum", lambda a, b: torch.minimum(a, b), rnd(3, 4), rnd(3, 1))
cond = (rnd(3, 4) > 0).float()
add("where", lambda c, a, b: torch.where(c != 0, a, b), cond, rnd(3, 4), rnd(4))
# Activations
add("relu", lambda a: torch.relu(a), rnd(3, 5))
add("leaky_relu", lambda a: F.leaky_relu(a, 0.1), rnd(3, 5))
add("sigmoid", lambda a: torch.sigmoid(a), rnd(3, 5))
add("tanh", lambda a: torch.tanh(a), rnd(3, 5))
add("gelu", lambda a: F.gelu(a), rnd(3, 5))
add("softplus", lambda a: F.softplus(a), rnd(3, 5) * 3)
add("elu", lambda a: F.elu(a, 0.7), rnd(3, 5))
add("softmax_last", lambda a: torch.softmax(a, -1), rnd(3, 5))
add("softmax_dim0", lambda a: torch.softmax(a, 0), rnd(3, 4, 2))
add("log_softmax_last", lambda a: torch.log_softmax(a, -1), rnd(3, 5))
add("log_softmax_dim1", lambda a: torch.log_softmax(a, 1), rnd(2, 3, 4))
add("logsumexp", lambda a: torch.logsumexp(a, 1), rnd(3, 5, 2))
# Reductions
add("sum_all", lambda a: a.sum(), rnd(3, 4))
add("sum_dim", lambda a: a.sum(1), rnd(3, 4, 2))
add("sum_dims_keep", lambda a: a.sum((0, 2), keepdim=True), rnd(3, 4, 2))
add("mean_all", lambda a: a.mean(), rnd(3, 4))
add("mean_dim", lambda a: a.mean(-1, keepdim=True), rnd(3, 4))
add("max_dim", lambda a: a.max(1).values, rnd(3, 5))
add("min_dim", lambda a: a.min(0).values, rnd(4, 3))
add("max_all", lambda a: a.max(), rnd(3, 4))
add("var_dim", lambda a: a.var(1), rnd(3, 6))
add("var_all", lambda a: a.var(), rnd(3, 6))
add("std_dim", lambda a: a.std(0, keepdim=True), rnd(4, 3))
# Linear algebra
add("matmul_2d", lambda a, b: a @ b, rnd(3, 4), rnd(4, 5))
add("matmul_batched", lambda a, b: a @ b, rnd(2, 3, 4), rnd(4, 5))
add("matmul_broadcast", lambda a, b: a @ b, rnd(2, 1, 3, 4), rnd(3, 4, 2))
add("matmul_vec_mat", lambda a, b: a @ b, rnd(4), rnd(4, 3))
add("matmul_mat_vec", lambda a, b: a @ b, rnd(3, 4), rnd(4))
add("matmul_dot", lambda a, b: a @ b, rnd(6), rnd(6))
add("outer", lambda a, b: torch.outer(a, b), rnd(3), rnd(4))
add("linear", lambda x, w, b: F.linear(x, w, b), rnd(2, 3, 4), rnd(5, 4), rnd(5))
add("transpose", lambda a: a.transpose(0, 2), rnd(2, 3, 4))
# Shape
add("reshape", lambda a: a.reshape(4, -1), rnd(2, 3, 4))
add("permute", lambda a: a.permute(2, 0, 1), rnd(2, 3, 4))
add("expand", lambda a: a.expand(2, 3, 4), rnd(3, 1))
add("cat", lambda a, b: torch.cat([a, b], 1), rnd(2, 3), rnd(2, 2))
add("stack", lambda a, b: torch.stack([a, b], 1), rnd(2, 3), rnd(2, 3))
add("narrow", lambda a: a.narrow(1, 1, 2), rnd(3, 4))
add("index_select", lambda a: a.index_select(1, torch.tensor([2, 0, 2])), rnd(3, 4))
add("gather", lambda a: a.gather(1, torch.tensor([[0, 3], [1, 1], [2, 0]])), rnd(3, 4))
add("pad", lambda a: F.pad(a, (1, 2, 0, 1), value=0.5), rnd(2, 3, 2))
add("squeeze_unsqueeze", lambda a: a.squeeze(1).unsqueeze(0), rnd(3, 1, 2))
add("flatten", lambda a: a.flatten(1), rnd(2, 3, 4))
add("split_second", lambda a: a.split(2, 1)[1], rnd(3, 5))
add("chunk_last", lambda a: a.chunk(3, 0)[2], rnd(7, 2))
# Composite, to exercise accumulation through shared inputs
add("composite_mlp", lambda x, w1, w2: torch.relu(x @ w1).tanh() @ w2 * x.sum(), rnd(4, 3), rnd(3, 5), rnd(5, 2))

out = {"generator": "make_core_golden.py", "torch": torch.__version__, "cases": cases}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "core_ops.json")
with open(path, "w") as f:
    json.dump(out, f)
print(f"wrote {len(cases)} cases to {path}")
