#!/usr/bin/python3
"""Writes nn_layers.json, nn_losses.json and nn_optim.json: PyTorch's values for Pitts.NN and Pitts.Optim.

Run with Debian's python3-torch (1.13):  /usr/bin/python3 tests/Pitts.Tests/Golden/make_nn_golden.py
Layers: the layer's state dict, inputs, upstream gradients for each output, the outputs, the inputs' gradients and
every parameter's gradient (backward of sum(output_i * upstream_i)). Losses: input, target, loss and input gradient
for each reduction. Optimizers: the parameters after each of ten steps from the same initial weights, and the
learning-rate sequence of each schedule. The C# tests load the state dicts into Pitts modules; they need no Python.
"""
import json, math, os
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(2024)
HERE = os.path.dirname(os.path.abspath(__file__))

def T(t):
    t = t.detach().float()
    return {"shape": list(t.shape), "data": t.flatten().tolist()}

def rnd(*shape, low=-1.5, high=1.5):
    return (torch.rand(tuple(shape)) * (high - low) + low).float()

# ------------------------------------------------------------------ layers
layers = []

def layer(name, module, inputs, config, grad_inputs=None, call=None, train=True, extra=None):
    """inputs: list of tensors; grad_inputs: which of them get gradients (default: all float ones)."""
    module.train(train)
    state = {k: T(v) for k, v in module.state_dict().items()}
    if grad_inputs is None:
        grad_inputs = [x.is_floating_point() for x in inputs]
    xs = [x.clone().requires_grad_(g) for x, g in zip(inputs, grad_inputs)]
    out = call(module, *xs) if call else module(*xs)
    outs = list(out) if isinstance(out, (tuple, list)) else [out]
    flat = []
    for o in outs:  # LSTM returns (output, (h, c))
        if isinstance(o, (tuple, list)): flat.extend(o)
        else: flat.append(o)
    ups = [rnd(*o.shape) for o in flat]
    loss = sum((o * u).sum() for o, u in zip(flat, ups))
    loss.backward()
    entry = {
        "name": name, "config": config, "state": state,
        "inputs": [T(x) for x in xs], "upstreams": [T(u) for u in ups], "outputs": [T(o) for o in flat],
        "grad_inputs": [T(x.grad) if x.grad is not None else None for x in xs],
        "grads": {k: T(p.grad if p.grad is not None else torch.zeros_like(p)) for k, p in module.named_parameters()},
    }
    if extra: entry.update(extra(module, xs))
    layers.append(entry)

layer("linear", nn.Linear(4, 3), [rnd(5, 4)], {"in": 4, "out": 3})
layer("linear_3d_nobias", nn.Linear(4, 2, bias=False), [rnd(2, 3, 4)], {"in": 4, "out": 2, "bias": False})
layer("mlp_sequential", nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2), nn.Sigmoid()), [rnd(4, 3)], {})
for act, m in [("relu", nn.ReLU()), ("sigmoid", nn.Sigmoid()), ("tanh", nn.Tanh()), ("gelu", nn.GELU()),
               ("leaky_relu", nn.LeakyReLU(0.2)), ("softmax", nn.Softmax(dim=1)), ("log_softmax", nn.LogSoftmax(dim=-1)),
               ("elu", nn.ELU(0.5)), ("softplus", nn.Softplus())]:
    layer(act, m, [rnd(3, 5, low=-3, high=3)], {})
layer("flatten", nn.Flatten(), [rnd(2, 3, 2, 2)], {})

# Convolution and pooling
for name, cfg in [("conv2d", dict(stride=1, padding=0, dilation=1)), ("conv2d_s2_p1", dict(stride=2, padding=1, dilation=1)),
                  ("conv2d_dil2_p2", dict(stride=1, padding=2, dilation=2))]:
    layer(name, nn.Conv2d(2, 3, 3, **cfg), [rnd(2, 2, 7, 6)], dict(cin=2, cout=3, k=3, **cfg))
layer("conv2d_nobias_k2", nn.Conv2d(3, 2, 2, bias=False), [rnd(1, 3, 5, 5)], dict(cin=3, cout=2, k=2, stride=1, padding=0, dilation=1, bias=False))
layer("maxpool2d", nn.MaxPool2d(2), [rnd(2, 3, 6, 6)], dict(k=2, stride=2, padding=0))
layer("maxpool2d_k3_s2_p1", nn.MaxPool2d(3, 2, 1), [rnd(1, 2, 7, 7)], dict(k=3, stride=2, padding=1))
layer("avgpool2d", nn.AvgPool2d(2), [rnd(2, 3, 6, 6)], dict(k=2, stride=2, padding=0))
layer("avgpool2d_k3_s2_p1", nn.AvgPool2d(3, 2, 1), [rnd(1, 2, 7, 7)], dict(k=3, stride=2, padding=1))

# Normalisation and embedding
def bn_extra(m, xs):
    m.eval()
    with torch.no_grad():
        ev = m(xs[0].detach())
    return {"running": {k: T(v) for k, v in m.state_dict().items()}, "eval_output": T(ev)}

bn1 = nn.BatchNorm1d(4)
with torch.no_grad():
    bn1.weight.copy_(rnd(4, low=0.5, high=1.5)); bn1.bias.copy_(rnd(4))
layer("batchnorm1d", bn1, [rnd(6, 4) * 2 + 1], {"features": 4}, extra=bn_extra)
layer("batchnorm1d_3d", nn.BatchNorm1d(3), [rnd(4, 3, 5)], {"features": 3}, extra=bn_extra)
bn2 = nn.BatchNorm2d(3)
with torch.no_grad():
    bn2.weight.copy_(rnd(3, low=0.5, high=1.5)); bn2.bias.copy_(rnd(3))
layer("batchnorm2d", bn2, [rnd(2, 3, 4, 4) * 3 - 1], {"features": 3}, extra=bn_extra)
ln = nn.LayerNorm(5)
with torch.no_grad():
    ln.weight.copy_(rnd(5, low=0.5, high=1.5)); ln.bias.copy_(rnd(5))
layer("layernorm", ln, [rnd(2, 3, 5)], {"shape": [5]})
layer("layernorm_2d", nn.LayerNorm([3, 4]), [rnd(2, 3, 4)], {"shape": [3, 4]})
layer("embedding", nn.Embedding(10, 4), [torch.tensor([[1, 2, 1], [9, 0, 3]])], {"num": 10, "dim": 4}, grad_inputs=[False])
layer("embedding_padding", nn.Embedding(6, 3, padding_idx=2), [torch.tensor([2, 5, 2, 1])], {"num": 6, "dim": 3, "padding_idx": 2}, grad_inputs=[False])

# Recurrent layers (batch_first), with an explicit initial state
layer("rnn", nn.RNN(3, 4, batch_first=True), [rnd(2, 5, 3), rnd(1, 2, 4)], {"in": 3, "hidden": 4, "layers": 1})
layer("rnn_2layers_relu", nn.RNN(3, 4, num_layers=2, nonlinearity="relu", batch_first=True), [rnd(2, 4, 3), rnd(2, 2, 4)],
      {"in": 3, "hidden": 4, "layers": 2, "nonlinearity": "relu"})
layer("lstm", nn.LSTM(3, 4, batch_first=True), [rnd(2, 5, 3), rnd(1, 2, 4), rnd(1, 2, 4)], {"in": 3, "hidden": 4, "layers": 1},
      call=lambda m, x, h, c: m(x, (h, c)))
layer("lstm_2layers", nn.LSTM(2, 3, num_layers=2, batch_first=True), [rnd(3, 4, 2), rnd(2, 3, 3), rnd(2, 3, 3)], {"in": 2, "hidden": 3, "layers": 2},
      call=lambda m, x, h, c: m(x, (h, c)))
layer("gru", nn.GRU(3, 4, batch_first=True), [rnd(2, 5, 3), rnd(1, 2, 4)], {"in": 3, "hidden": 4, "layers": 1})
layer("gru_2layers", nn.GRU(2, 3, num_layers=2, batch_first=True), [rnd(3, 4, 2), rnd(2, 3, 3)], {"in": 2, "hidden": 3, "layers": 2})

layer("rnn_cell", nn.RNNCell(3, 4), [rnd(2, 3), rnd(2, 4)], {"in": 3, "hidden": 4})
layer("lstm_cell", nn.LSTMCell(3, 4), [rnd(2, 3), rnd(2, 4), rnd(2, 4)], {"in": 3, "hidden": 4}, call=lambda m, x, h, c: m(x, (h, c)))
layer("gru_cell", nn.GRUCell(3, 4), [rnd(2, 3), rnd(2, 4)], {"in": 3, "hidden": 4})

# Attention
E, H = 8, 2
mha = nn.MultiheadAttention(E, H, batch_first=True)
with torch.no_grad():
    mha.in_proj_bias.copy_(rnd(3 * E, low=-0.3, high=0.3)); mha.out_proj.bias.copy_(rnd(E, low=-0.3, high=0.3))
x = rnd(2, 5, E)
layer("mha_self", mha, [x, x.clone(), x.clone()], {"embed": E, "heads": H}, call=lambda m, q, k, v: m(q, k, v))
mha2 = nn.MultiheadAttention(E, H, batch_first=True)
with torch.no_grad():
    mha2.in_proj_bias.copy_(rnd(3 * E, low=-0.3, high=0.3))
causal = torch.triu(torch.full((4, 4), float("-inf")), diagonal=1)
pad = torch.tensor([[False, False, False, True], [False, False, False, False]])
layer("mha_causal_padding", mha2, [rnd(2, 4, E), rnd(2, 4, E), rnd(2, 4, E)], {"embed": E, "heads": H, "causal": True, "padding": [[0, 0, 0, 1], [0, 0, 0, 0]]},
      call=lambda m, q, k, v: m(q, k, v, attn_mask=causal, key_padding_mask=pad))
mha3 = nn.MultiheadAttention(E, H, batch_first=True)
layer("mha_cross_heads", mha3, [rnd(2, 3, E), rnd(2, 6, E), rnd(2, 6, E)], {"embed": E, "heads": H, "average": False},
      call=lambda m, q, k, v: m(q, k, v, average_attn_weights=False))
enc = nn.TransformerEncoderLayer(E, H, dim_feedforward=16, dropout=0.0, batch_first=True)
layer("transformer_encoder_layer", enc, [rnd(2, 5, E)], {"embed": E, "heads": H, "ff": 16})
enc2 = nn.TransformerEncoderLayer(E, H, dim_feedforward=12, dropout=0.0, batch_first=True, norm_first=True)
layer("transformer_encoder_layer_norm_first_masked", enc2, [rnd(2, 4, E)], {"embed": E, "heads": H, "ff": 12, "norm_first": True, "causal": True, "padding": [[0, 0, 1, 1], [0, 0, 0, 0]]},
      call=lambda m, s: m(s, src_mask=causal, src_key_padding_mask=torch.tensor([[False, False, True, True], [False] * 4])))

stack = nn.TransformerEncoder(nn.TransformerEncoderLayer(E, H, dim_feedforward=10, dropout=0.0, batch_first=True), num_layers=2, norm=nn.LayerNorm(E))
with torch.no_grad():
    for p in stack.parameters(): p.add_(rnd(*p.shape, low=-0.1, high=0.1))  # the layers start as copies: make them differ
layer("transformer_encoder_2_layers_norm", stack, [rnd(2, 4, E)], {"embed": E, "heads": H, "ff": 10, "layers": 2})

# ------------------------------------------------------------------ losses
losses = []

def loss_case(name, fn, x, y, cfg, grad=True):
    for red in ["mean", "sum", "none"]:
        xi = x.clone().requires_grad_(grad)
        out = fn(xi, y, red)
        up = torch.ones_like(out) if red != "none" else rnd(*out.shape)
        out.backward(up)
        losses.append({"name": name, "reduction": red, "config": cfg, "input": T(xi), "target": T(y.float()),
                       "upstream": T(up), "output": T(out), "grad": T(xi.grad)})

loss_case("mse", lambda x, y, r: F.mse_loss(x, y, reduction=r), rnd(4, 3), rnd(4, 3), {})
loss_case("l1", lambda x, y, r: F.l1_loss(x, y, reduction=r), rnd(4, 3), rnd(4, 3), {})
p = torch.rand(5, 2) * 0.9 + 0.05
loss_case("bce", lambda x, y, r: F.binary_cross_entropy(x, y, reduction=r), p, (torch.rand(5, 2) > 0.5).float(), {})
loss_case("bce_soft_targets", lambda x, y, r: F.binary_cross_entropy(x, y, reduction=r), p, torch.rand(5, 2), {})
loss_case("bce_edges", lambda x, y, r: F.binary_cross_entropy(x, y, reduction=r), torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5]), torch.tensor([0.0, 1.0, 1.0, 0.0, 1.0]), {})
wts = rnd(5, 2, low=0.2, high=2)
loss_case("bce_weighted", lambda x, y, r: F.binary_cross_entropy(x, y, weight=wts, reduction=r), p, (torch.rand(5, 2) > 0.5).float(), {"weight": T(wts)})
logits = torch.tensor([[-30.0, -3.0, 0.0, 0.5, 3.0, 30.0, 100.0, -100.0]])
loss_case("bce_logits", lambda x, y, r: F.binary_cross_entropy_with_logits(x, y, reduction=r), logits, torch.tensor([[1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0]]), {})
pw = torch.tensor([0.5, 2.0, 3.0])
loss_case("bce_logits_pos_weight", lambda x, y, r: F.binary_cross_entropy_with_logits(x, y, pos_weight=pw, reduction=r), rnd(4, 3, low=-4, high=4), torch.rand(4, 3), {"pos_weight": T(pw)})
tgt = torch.tensor([0, 3, 1, 1, 2])
cw = torch.tensor([0.5, 1.0, 2.0, 1.5])
loss_case("cross_entropy", lambda x, y, r: F.cross_entropy(x, y.long(), reduction=r), rnd(5, 4, low=-3, high=3), tgt, {})
loss_case("cross_entropy_weighted", lambda x, y, r: F.cross_entropy(x, y.long(), weight=cw, reduction=r), rnd(5, 4, low=-3, high=3), tgt, {"weight": T(cw)})
loss_case("cross_entropy_smoothing", lambda x, y, r: F.cross_entropy(x, y.long(), label_smoothing=0.1, reduction=r), rnd(5, 4, low=-3, high=3), tgt, {"label_smoothing": 0.1})
loss_case("cross_entropy_weighted_smoothing", lambda x, y, r: F.cross_entropy(x, y.long(), weight=cw, label_smoothing=0.2, reduction=r), rnd(5, 4, low=-3, high=3), tgt, {"weight": T(cw), "label_smoothing": 0.2})
loss_case("cross_entropy_ignore", lambda x, y, r: F.cross_entropy(x, y.long(), ignore_index=1, reduction=r), rnd(5, 4, low=-3, high=3), tgt, {"ignore_index": 1})
loss_case("cross_entropy_nc_l", lambda x, y, r: F.cross_entropy(x, y.long(), reduction=r), rnd(2, 4, 3, low=-3, high=3), torch.tensor([[0, 3, 2], [1, 1, 0]]), {})
loss_case("nll", lambda x, y, r: F.nll_loss(x, y.long(), reduction=r), F.log_softmax(rnd(5, 4, low=-3, high=3), 1), tgt, {})
loss_case("nll_weighted", lambda x, y, r: F.nll_loss(x, y.long(), weight=cw, reduction=r), F.log_softmax(rnd(5, 4, low=-3, high=3), 1), tgt, {"weight": T(cw)})

# ------------------------------------------------------------------ optimizers and schedules
W0, B0 = rnd(3, 4), rnd(3)
X, Y = rnd(6, 4), rnd(6, 3, low=-0.9, high=0.9)

def run_opt(name, make, cfg, steps=10):
    w = W0.clone().requires_grad_(True); b = B0.clone().requires_grad_(True)
    opt = make([w, b])
    traj = []
    for _ in range(steps):
        loss = ((torch.tanh(X @ w.T + b) - Y) ** 2).mean()
        loss.backward()
        opt.step()
        opt.zero_grad()
        traj.append({"weight": T(w), "bias": T(b)})
    return {"name": name, "config": cfg, "steps": traj}

opts = [
    run_opt("sgd", lambda p: torch.optim.SGD(p, lr=0.1), {"kind": "sgd", "lr": 0.1}),
    run_opt("sgd_momentum_dampening_wd", lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01),
            {"kind": "sgd", "lr": 0.1, "momentum": 0.9, "dampening": 0.1, "weight_decay": 0.01}),
    run_opt("sgd_nesterov", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True), {"kind": "sgd", "lr": 0.05, "momentum": 0.8, "nesterov": True}),
    run_opt("adam", lambda p: torch.optim.Adam(p, lr=0.01), {"kind": "adam", "lr": 0.01}),
    run_opt("adam_wd_betas", lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
            {"kind": "adam", "lr": 0.02, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6, "weight_decay": 0.1}),
    run_opt("adamw", lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1), {"kind": "adamw", "lr": 0.01, "weight_decay": 0.1}),
    run_opt("rmsprop", lambda p: torch.optim.RMSprop(p, lr=0.01), {"kind": "rmsprop", "lr": 0.01}),
    run_opt("rmsprop_centered_momentum_wd", lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.05),
            {"kind": "rmsprop", "lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True, "weight_decay": 0.05}),
    # Parameter groups: the bias gets its own learning rate and no weight decay.
    run_opt("adamw_groups", lambda p: torch.optim.AdamW([{"params": [p[0]]}, {"params": [p[1]], "lr": 0.03, "weight_decay": 0.0}], lr=0.01, weight_decay=0.1),
            {"kind": "adamw", "lr": 0.01, "weight_decay": 0.1, "bias_lr": 0.03, "bias_weight_decay": 0.0}),
    run_opt("sgd_groups", lambda p: torch.optim.SGD([{"params": [p[0]], "weight_decay": 0.05}, {"params": [p[1]], "lr": 0.2}], lr=0.1, momentum=0.9),
            {"kind": "sgd", "lr": 0.1, "momentum": 0.9, "weight_weight_decay": 0.05, "bias_lr": 0.2}),
    run_opt("adam_amsgrad", lambda p: torch.optim.Adam(p, lr=0.05, betas=(0.5, 0.9), amsgrad=True), {"kind": "adam", "lr": 0.05, "beta1": 0.5, "beta2": 0.9, "amsgrad": True}),
    run_opt("adamw_amsgrad", lambda p: torch.optim.AdamW(p, lr=0.05, betas=(0.5, 0.9), weight_decay=0.1, amsgrad=True),
            {"kind": "adamw", "lr": 0.05, "beta1": 0.5, "beta2": 0.9, "weight_decay": 0.1, "amsgrad": True}),
]

def lr_seq(make_sched, epochs=15, metrics=None):
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.1)
    s = make_sched(opt)
    seq = []
    for e in range(epochs):
        opt.step()
        if metrics is None: s.step()
        else: s.step(metrics[e])
        seq.append(opt.param_groups[0]["lr"])
    return seq

plateau_metrics = [1.0, 0.9, 0.9, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.79999, 0.7, 0.7, 0.7]
schedules = [
    {"name": "step", "config": {"step_size": 3, "gamma": 0.5}, "lrs": lr_seq(lambda o: torch.optim.lr_scheduler.StepLR(o, 3, 0.5))},
    {"name": "exponential", "config": {"gamma": 0.9}, "lrs": lr_seq(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9))},
    {"name": "cosine", "config": {"t_max": 10, "eta_min": 0.001}, "lrs": lr_seq(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 10, 0.001), epochs=10)},
    {"name": "plateau", "config": {"factor": 0.5, "patience": 2, "cooldown": 1}, "metrics": plateau_metrics,
     "lrs": lr_seq(lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1), metrics=plateau_metrics)},
]

def lr_seq_groups(make_sched, epochs=10):
    a = torch.zeros(1, requires_grad=True); b = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.05}], lr=0.1)
    s = make_sched(opt)
    seq = []
    for e in range(epochs):
        opt.step(); s.step()
        seq.append([g["lr"] for g in opt.param_groups])
    return seq

schedules.append({"name": "cosine_groups", "config": {"t_max": 10, "eta_min": 0.001}, "lrs": lr_seq_groups(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 10, 0.001))})

def clip_case():
    a = rnd(3, 4, low=-3, high=3).requires_grad_(True); b = rnd(5, low=-3, high=3).requires_grad_(True)
    ga, gb = rnd(3, 4, low=-3, high=3), rnd(5, low=-3, high=3)
    out = {"grads": [T(ga), T(gb)]}
    for key, fn in [("norm2", lambda ps: torch.nn.utils.clip_grad_norm_(ps, 1.0)),
                    ("norm_inf", lambda ps: torch.nn.utils.clip_grad_norm_(ps, 0.5, norm_type=float("inf"))),
                    ("norm2_large", lambda ps: torch.nn.utils.clip_grad_norm_(ps, 1000.0))]:
        a.grad, b.grad = ga.clone(), gb.clone()
        total = fn([a, b])
        out[key] = {"total": float(total), "clipped": [T(a.grad), T(b.grad)]}
    a.grad, b.grad = ga.clone(), gb.clone()
    torch.nn.utils.clip_grad_value_([a, b], 0.7)
    out["value"] = {"clipped": [T(a.grad), T(b.grad)]}
    return out

optim = {"initial": {"weight": T(W0), "bias": T(B0)}, "x": T(X), "y": T(Y), "optimizers": opts, "schedules": schedules, "clip": clip_case()}

for fname, obj in [("nn_layers.json", layers), ("nn_losses.json", losses), ("nn_optim.json", optim)]:
    with open(os.path.join(HERE, fname), "w") as f:
        json.dump(obj, f, separators=(",", ":"))
print(f"{len(layers)} layer cases, {len(losses)} loss cases, {len(opts)} optimizers, {len(schedules)} schedules (torch {torch.__version__})")
