#!/usr/bin/python3
"""Golden values for Pitts' Conv2d, MaxPool2d and AvgPool2d, forward and backward, from PyTorch (Debian's torch 1.13).

Run from the repository root: /usr/bin/python3 tests/Pitts.Tests/Golden/make_conv_golden.py
Writes tests/Pitts.Tests/Golden/conv_golden.json. Inputs are float32 values; outputs and gradients are computed in
float64 from those same values, so the file holds the exact answer to compare Pitts' float32 results with.
The backward pass is driven by loss = sum(y * r) with a stored random r, so the gradients are dL/dx etc.
"""
import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(20261126)


def rnd(*shape):
    return torch.randn(*shape, dtype=torch.float32)


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


cases = []


def conv(name, n, c, h, w, o, kh, kw, stride=(1, 1), padding=(0, 0), dilation=(1, 1), bias=True):
    x32, w32 = rnd(n, c, h, w), rnd(o, c, kh, kw) * 0.5
    b32 = rnd(o) if bias else None
    x, wt = x32.double().requires_grad_(), w32.double().requires_grad_()
    b = b32.double().requires_grad_() if bias else None
    y = F.conv2d(x, wt, b, stride=stride, padding=padding, dilation=dilation)
    r = rnd(*y.shape)
    (y * r.double()).sum().backward()
    case = {"name": name, "op": "conv2d", "stride": list(stride), "padding": list(padding), "dilation": list(dilation),
            "x_shape": list(x.shape), "x": flat(x32), "w_shape": list(wt.shape), "w": flat(w32),
            "y_shape": list(y.shape), "y": flat(y), "r": flat(r), "gx": flat(x.grad), "gw": flat(wt.grad)}
    if bias:
        case.update({"b": flat(b32), "gb": flat(b.grad)})
    cases.append(case)


def pool(name, kind, n, c, h, w, kernel, stride=None, padding=(0, 0), dilation=(1, 1), count_include_pad=True):
    x32 = rnd(n, c, h, w)
    x = x32.double().requires_grad_()
    if kind == "maxpool2d":
        y = F.max_pool2d(x, kernel, stride=stride, padding=padding, dilation=dilation)
    else:
        y = F.avg_pool2d(x, kernel, stride=stride, padding=padding, count_include_pad=count_include_pad)
    r = rnd(*y.shape)
    (y * r.double()).sum().backward()
    cases.append({"name": name, "op": kind, "kernel": list(kernel), "stride": list(stride or kernel),
                  "padding": list(padding), "dilation": list(dilation), "count_include_pad": count_include_pad,
                  "x_shape": list(x.shape), "x": flat(x32), "y_shape": list(y.shape), "y": flat(y), "r": flat(r),
                  "gx": flat(x.grad)})


conv("basic_3x3", 2, 3, 7, 6, 4, 3, 3)
conv("pad1_stride1", 2, 2, 5, 5, 3, 3, 3, padding=(1, 1))
conv("stride2_pad2", 2, 3, 9, 8, 2, 5, 5, stride=(2, 2), padding=(2, 2))
conv("dilation2", 1, 2, 9, 9, 3, 3, 3, dilation=(2, 2), padding=(1, 1))
conv("rect_kernel_mixed", 2, 2, 8, 7, 3, 2, 3, stride=(2, 1), padding=(1, 0), dilation=(1, 2))
conv("one_channel_lecture_cnn", 3, 1, 12, 12, 4, 5, 5, padding=(2, 2))
conv("pointwise_1x1", 2, 5, 4, 3, 3, 1, 1)
conv("pointwise_1x1_stride2_pad1", 2, 3, 5, 4, 2, 1, 1, stride=(2, 2), padding=(1, 1))
conv("no_bias", 2, 3, 6, 6, 2, 3, 3, bias=False)
conv("stride3_kernel_larger_than_stride", 1, 2, 10, 11, 2, 4, 4, stride=(3, 3), padding=(1, 1))
conv("many_channels", 2, 16, 6, 6, 8, 3, 3, padding=(1, 1))

pool("max_2x2", "maxpool2d", 2, 3, 6, 6, (2, 2))
pool("max_3x3_s2_p1", "maxpool2d", 2, 2, 7, 8, (3, 3), (2, 2), (1, 1))
pool("max_odd_no_pad", "maxpool2d", 1, 2, 7, 7, (2, 2))
pool("max_dilation", "maxpool2d", 1, 2, 9, 9, (3, 3), (1, 1), (1, 1), (2, 2))
pool("max_rect", "maxpool2d", 2, 1, 6, 9, (2, 3), (2, 3))
pool("avg_2x2", "avgpool2d", 2, 3, 6, 6, (2, 2))
pool("avg_3x3_s2_p1_include_pad", "avgpool2d", 2, 2, 7, 8, (3, 3), (2, 2), (1, 1))
pool("avg_3x3_s2_p1_exclude_pad", "avgpool2d", 2, 2, 7, 8, (3, 3), (2, 2), (1, 1), count_include_pad=False)
pool("avg_rect_s1", "avgpool2d", 1, 2, 5, 6, (2, 3), (1, 1))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "conv_golden.json")
with open(out, "w") as f:
    json.dump({"generator": "tests/Pitts.Tests/Golden/make_conv_golden.py", "torch": torch.__version__, "cases": cases}, f)
print(f"wrote {len(cases)} cases to {out}")
