#!/usr/bin/python3
"""The PyTorch side of bench/compare.sh: the same workloads as bench/Pitts.Bench, same names, same JSON.

Usage: /usr/bin/python3 bench/torch_bench.py [--smoke] [--repeats N] [--threads N] [workload ...]
Without --threads: one intra-op thread (PyTorch's fastest setting on this 2-core machine; OpenBLAS still uses
both cores). With --threads N: N intra-op threads and N OpenBLAS threads (compare.sh's one- and two-thread
columns). Data preloaded as tensors, best wall time of the repeats after one warm-up run.
"""
import gzip
import json
import math
import os
import platform
import sys
import time

# OpenBLAS reads its thread count when it loads (with torch), so --threads is read before the import.
THREADS = None
if "--threads" in sys.argv[1:-1]:
    THREADS = int(sys.argv[sys.argv.index("--threads") + 1])
    os.environ["OPENBLAS_NUM_THREADS"] = str(THREADS)

import numpy as np
import torch
import torch.nn as nn

torch.set_num_threads(THREADS or 1)

FASHION = os.environ.get("PITTS_FASHION_MNIST", "/usr/share/datasets/fashion-mnist")
NAMES = ["sgemm-256", "sgemm-512", "sgemm-1024", "sgemm-2048", "lecture-mlp", "universal-approx",
         "mlp-epoch", "cnn-epoch", "rnn-seq", "attention"]


LAST = {"wall": 0.0, "cpu": 0.0}


def best(body, repeats, warmup=True):
    """Best wall seconds of the timed runs; LAST also keeps the least process CPU seconds (all threads)."""
    if warmup:
        body()
    t, c = math.inf, math.inf
    for _ in range(repeats):
        s, sc = time.perf_counter(), time.process_time()
        body()
        t = min(t, time.perf_counter() - s)
        c = min(c, time.process_time() - sc)
    LAST["wall"], LAST["cpu"] = t, c
    return t


# The smoke run (CI, where Fashion-MNIST is not installed) uses the MNIST digits shipped in the repository, as the C#
# runner does: the same files, shapes and first 256 images on both sides.
SHIPPED_MNIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "mnist")


def read_idx(folder, name):
    with gzip.open(os.path.join(folder, name), "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def fashion(smoke):
    folder = SHIPPED_MNIST if smoke else FASHION
    images = read_idx(folder, "train-images-idx3-ubyte.gz")
    labels = read_idx(folder, "train-labels-idx1-ubyte.gz")
    if smoke:
        images, labels = images[:256], labels[:256]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)  # (N, 1, 28, 28)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def sgemm(n, repeats, out=True):
    """C = A·B into a preallocated C (torch.mm(out=), straight to BLAS sgemm); matmul-N: a @ b, allocating C."""
    g = torch.Generator().manual_seed(42)
    a = torch.randn(n, n, generator=g)
    b = torch.randn(n, n, generator=g)
    c = torch.empty(n, n)
    flops = 2.0 * n ** 3
    inner = int(min(10000, max(1, 2e8 / flops)))

    def body():
        for _ in range(inner):
            if out:
                torch.mm(a, b, out=c)
            else:
                a @ b
    t = best(body, repeats) / inner
    return {"seconds": t, "gflops": flops / t / 1e9, "n": n}


def lecture_mlp(smoke, repeats):
    steps = 50 if smoke else 5000
    x = torch.linspace(-3, 3, 30).unsqueeze(1)
    y = torch.sin(x)

    def body():
        torch.manual_seed(0)
        net = nn.Sequential(nn.Linear(1, 20), nn.ReLU(), nn.Linear(20, 15), nn.ReLU(), nn.Linear(15, 1))
        crit = nn.MSELoss()
        opt = torch.optim.Adam(net.parameters(), lr=0.01)
        for _ in range(steps):
            loss = crit(net(x), y)
            loss.backward()
            opt.step()
            opt.zero_grad()
        body.loss = loss.item()
    t = best(body, repeats)
    return {"seconds": t, "steps": steps, "us_per_step": t / steps * 1e6, "final_loss": body.loss}


def universal_approx(smoke, repeats):
    epochs = 8 if smoke else 800
    x = torch.linspace(-3, 3, 30).unsqueeze(1)
    y = torch.sin(x)
    xs = [x[i:i + 1] for i in range(30)]
    ys = [y[i:i + 1] for i in range(30)]

    def body():
        torch.manual_seed(0)
        net = nn.Sequential(nn.Linear(1, 50), nn.Sigmoid(), nn.Linear(50, 1))
        crit = nn.MSELoss()
        opt = torch.optim.SGD(net.parameters(), lr=0.005)
        for _ in range(epochs):
            for i in range(30):
                loss = crit(net(xs[i]), ys[i])
                opt.zero_grad()
                loss.backward()
                opt.step()
        body.loss = crit(net(x), y).item()
    t = best(body, repeats)
    return {"seconds": t, "steps": epochs * 30, "us_per_step": t / (epochs * 30) * 1e6, "final_loss": body.loss}


WARMUP_BATCHES = 20  # warm-up on a throwaway model before a timed epoch, as on the Pitts side


def epoch(model, x, y, batch, opt, max_batches=None):
    crit = nn.CrossEntropyLoss()
    total = 0.0
    for i, s in enumerate(range(0, x.shape[0] - batch + 1, batch)):
        if max_batches is not None and i >= max_batches:
            break
        loss = crit(model(x[s:s + batch]), y[s:s + batch])
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += loss.item()
    return total


def train_epoch(make, x, y, repeats):
    """One epoch of SGD with momentum at batch 64, timed after WARMUP_BATCHES on a throwaway model."""
    warm = make()
    epoch(warm, x, y, 64, torch.optim.SGD(warm.parameters(), lr=0.01, momentum=0.9), WARMUP_BATCHES)

    def body():
        torch.manual_seed(0)
        net = make()
        opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9)
        body.loss = epoch(net, x, y, 64, opt)
    t = best(body, repeats, warmup=False)
    return {"seconds": t, "samples": int(x.shape[0]), "loss_sum": body.loss}


def mlp_epoch(smoke, repeats):
    x, y = fashion(smoke)
    x = x.reshape(x.shape[0], 784)
    return train_epoch(lambda: nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10)), x, y, repeats)


def cnn_epoch(smoke, repeats):
    x, y = fashion(smoke)
    return train_epoch(lambda: nn.Sequential(
        nn.Conv2d(1, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(1568, 10)), x, y, repeats)


class RnnModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(32, 128, batch_first=True)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def train_steps(net, opt, crit, x, y, steps):
    """The plain training loop both sides time: forward, loss, zero_grad, backward, step; returns the last loss."""
    for _ in range(steps):
        loss = crit(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return loss.item()


def rnn_seq(smoke, repeats):
    steps = 5 if smoke else 200
    g = torch.Generator().manual_seed(1)
    x = torch.randn(32, 50, 32, generator=g)
    y = torch.randint(0, 10, (32,), generator=g)

    def body():
        torch.manual_seed(0)
        net = RnnModel()
        body.loss = train_steps(net, torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9), nn.CrossEntropyLoss(), x, y, steps)
    t = best(body, repeats)
    return {"seconds": t, "steps": steps, "final_loss": body.loss}


def attention(smoke, repeats):
    steps = 3 if smoke else 100
    g = torch.Generator().manual_seed(2)
    x = torch.randn(32, 64, 128, generator=g)
    target = torch.randn(32, 64, 128, generator=g)

    def body():
        torch.manual_seed(0)
        layer = nn.TransformerEncoderLayer(128, 4, dim_feedforward=512, dropout=0.0, batch_first=True)
        body.loss = train_steps(layer, torch.optim.Adam(layer.parameters(), lr=1e-3), nn.MSELoss(), x, target, steps)
    t = best(body, repeats)
    return {"seconds": t, "steps": steps, "final_loss": body.loss}


def run(name, smoke, repeats):
    if name.startswith("sgemm-"):
        n = int(name[6:])
        return sgemm(min(n, 48) if smoke else n, repeats)
    if name.startswith("matmul-"):
        n = int(name[7:])
        return sgemm(min(n, 48) if smoke else n, repeats, out=False)
    table = {"lecture-mlp": lecture_mlp, "universal-approx": universal_approx, "mlp-epoch": mlp_epoch,
             "cnn-epoch": cnn_epoch, "rnn-seq": rnn_seq, "attention": attention}
    return table[name](smoke, repeats)


def main(argv):
    smoke, repeats, names = False, 3, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--smoke":
            smoke = True
        elif a == "--repeats":
            repeats = int(argv[i + 1])
            i += 1
        elif a == "--threads":
            i += 1  # read before importing torch (above)
        elif a.startswith("-"):
            print(f"torch_bench: unknown option {a}", file=sys.stderr)
            return 2
        else:
            if a not in NAMES and not (a.startswith("sgemm-") and a[6:].isdigit()) and not (a.startswith("matmul-") and a[7:].isdigit()):
                print(f"torch_bench: unknown workload '{a}'; known: {', '.join(NAMES)}", file=sys.stderr)
                return 2
            names.append(a)
        i += 1
    names = names or NAMES
    results = []
    for n in names:
        # Epoch-sized workloads run once after 20 warm-up batches; the others report the best of the repeats.
        r = run(n, smoke, 1 if n.endswith("-epoch") else repeats)
        r.update({"workload": n, "repeats": repeats, "smoke": smoke})
        if LAST["wall"] > 0:
            r["cpu_seconds"] = LAST["cpu"] * r["seconds"] / LAST["wall"]
        print(f"{n}: {r['seconds'] * 1e3:.3f} ms" + (f", {r['gflops']:.1f} GFLOP/s" if "gflops" in r else ""), file=sys.stderr)
        results.append(r)
    print(json.dumps({
        "framework": "pytorch",
        "version": torch.__version__,
        "config": torch.__config__.show(),
        "parallel": torch.__config__.parallel_info(),
        "blas": os.environ.get("LD_LIBRARY_PATH", "system libblas.so.3"),
        "threads": torch.get_num_threads(),
        "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "OpenBLAS default (all cores)"),
        "python": platform.python_version(),
        "results": results,
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
