#!/usr/bin/env python3
"""Writes ONNX files made by PyTorch, with an input and PyTorch's output for each, for the ONNX import tests.

Run with Debian's python3-torch (1.13) and numpy:  /usr/bin/python3 scripts/onnx/make_torch_onnx.py
It writes tests/Pitts.Onnx.Tests/Golden/<name>.onnx, <name>.input.npy and <name>.output.npy (float32), seeded, so
the files come out the same on every run. The tests load each .onnx in Pitts and compare with the .output.npy.
"""
import os
import numpy as np
import torch
from torch import nn

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Pitts.Onnx.Tests", "Golden")


class LastOutput(nn.Module):
    """Runs a batch-first recurrent layer and returns only its output sequence (N, T, H)."""

    def __init__(self, rnn):
        super().__init__()
        self.rnn = rnn

    def forward(self, x):
        return self.rnn(x)[0]


def models():
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Flatten(), nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 8), nn.Tanh(), nn.Linear(8, 3), nn.LogSoftmax(dim=1))
    yield "mlp", mlp, (2, 4)

    cnn = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, stride=2, padding=1, dilation=1), nn.BatchNorm2d(6), nn.Sigmoid(),
        nn.AvgPool2d(2), nn.Flatten(), nn.Linear(6, 3), nn.Softmax(dim=1))
    with torch.no_grad():  # non-trivial running statistics
        for m in cnn:
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
    yield "cnn_bn", cnn, (2, 1, 8, 8)

    yield "lstm", LastOutput(nn.LSTM(3, 5, num_layers=2, batch_first=True)), (2, 4, 3)
    yield "gru", LastOutput(nn.GRU(3, 5, batch_first=True)), (2, 4, 3)
    yield "rnn", LastOutput(nn.RNN(3, 5, nonlinearity="tanh", batch_first=True)), (2, 4, 3)
    yield "transformer_encoder_layer", nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.1, batch_first=True), (2, 5, 8)
    yield "gelu_layernorm", nn.Sequential(nn.Linear(4, 6), nn.GELU(), nn.LayerNorm(6), nn.Linear(6, 2)), (2, 4)


def main():
    os.makedirs(OUT, exist_ok=True)
    for name, model, shape in models():
        model.eval()
        torch.manual_seed(1)
        example = torch.randn(*shape)
        path = os.path.join(OUT, name + ".onnx")
        torch.onnx.export(model, example, path, opset_version=17, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, do_constant_folding=True)
        torch.manual_seed(2)
        x = torch.randn(3, *shape[1:])  # another batch size than the traced one
        with torch.no_grad():
            y = model(x)
        np.save(os.path.join(OUT, name + ".input.npy"), x.numpy().astype(np.float32))
        np.save(os.path.join(OUT, name + ".output.npy"), y.numpy().astype(np.float32))
        print(name, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
