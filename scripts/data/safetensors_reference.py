#!/usr/bin/python3
"""Independent safetensors oracle for Pitts's tests (run with Debian's /usr/bin/python3: torch 1.13, numpy).

Debian 12 has no python3-safetensors, so this script implements the format by hand with struct + json, following the
specification (8-byte little-endian header length, UTF-8 JSON header with dtype/shape/data_offsets and an optional
__metadata__ string map, header padded with spaces to a multiple of 8, tensors sorted by dtype alignment then name as
the reference library does). Tensor bytes come from torch itself (tensor.numpy().tobytes() / view as int16 for bf16).

  make    writes tests/Pitts.Tests/IO/Golden/reference_*.safetensors and reference_expected.json
          (the float32 values torch obtains with .float() on each tensor)
  verify  reads tests/Pitts.Tests/IO/Golden/pitts_written.safetensors (written by Pitts) with this parser,
          builds torch tensors with torch.frombuffer, checks them against the recipe below, and writes
          pitts_written.verified.json with what torch saw.
"""
import json
import os
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "..", "tests", "Pitts.Tests", "IO", "Golden")

DTYPE = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64",
         torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
         torch.bool: "BOOL"}
SIZE = {"F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}
TORCH = {v: k for k, v in DTYPE.items()}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().tobytes()  # x86-64 is little-endian


def write(path, tensors, metadata=None):
    items = sorted(tensors.items(), key=lambda kv: (-SIZE[DTYPE[kv[1].dtype]], kv[0]))
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = metadata
    for name, t in items:
        b = tensor_bytes(t)
        header[name] = {"dtype": DTYPE[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    buf = data[8 + n:]
    out, covered = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        b, e = info["data_offsets"]
        assert b == covered, f"{name}: gap or overlap at {b} (expected {covered})"
        covered = e
        dt = TORCH[info["dtype"]]
        raw = bytearray(buf[b:e])
        t = torch.frombuffer(raw, dtype=dt) if len(raw) else torch.empty(0, dtype=dt)
        out[name] = t.reshape(info["shape"])
    assert covered == len(buf), "tensors do not cover the data buffer"
    return out, meta


def reference_tensors():
    g = torch.Generator().manual_seed(1234)
    w = torch.randn(3, 4, generator=g)
    return {
        "fc1.weight": w,
        "fc1.bias": torch.tensor([0.5, -1.25, 3.0e-8, 65504.0]),
        "half": (torch.randn(2, 3, generator=g) * 10).to(torch.float16),
        "brain": (torch.randn(5, generator=g) * 100).to(torch.bfloat16),
        "double": torch.tensor([[1.0 / 3.0, -2.5e-40], [1e30, -0.0]], dtype=torch.float64),
        "step": torch.tensor(12345678901, dtype=torch.int64),
        "counts": torch.tensor([[-7, 0, 2147483647]], dtype=torch.int32),
        "short": torch.tensor([-32768, 32767], dtype=torch.int16),
        "signed": torch.tensor([-128, 127, 0], dtype=torch.int8),
        "pixels": torch.tensor([[0, 128, 255]], dtype=torch.uint8),
        "mask": torch.tensor([True, False, True]),
        "empty": torch.zeros(0, 3),
    }


def make():
    os.makedirs(GOLDEN, exist_ok=True)
    tensors = reference_tensors()
    meta = {"format": "pt", "note": "written by scripts/data/safetensors_reference.py", "unicode": "Gr\u00fc\u00dfe \u2713"}
    write(os.path.join(GOLDEN, "reference_all_dtypes.safetensors"), tensors, meta)
    write(os.path.join(GOLDEN, "reference_no_metadata.safetensors"), {"a": torch.arange(6.0).reshape(2, 3)})
    expected = {
        "metadata": meta,
        "tensors": {k: {"dtype": DTYPE[t.dtype], "shape": list(t.shape),
                        "values": [float(x) for x in t.float().flatten().tolist()]} for k, t in tensors.items()},
    }
    # round-trip the file through this script's own reader as a sanity check
    back, m = read(os.path.join(GOLDEN, "reference_all_dtypes.safetensors"))
    assert m == meta and all(torch.equal(back[k], tensors[k]) for k in tensors)
    with open(os.path.join(GOLDEN, "reference_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print("wrote reference files to", os.path.normpath(GOLDEN))


def pitts_recipe():
    """The tensors PittsWrittenFile in SafetensorsTests.cs saves (same formulas)."""
    return {
        "fc1.weight": (torch.arange(12, dtype=torch.float32) * 0.25 - 1.0).reshape(3, 4),
        "fc1.bias": torch.tensor([1.0e-3, -7.5, 0.0]),
        "scalar": torch.tensor(3.14159274),
        "empty": torch.zeros(2, 0),
    }


def verify():
    path = os.path.join(GOLDEN, "pitts_written.safetensors")
    got, meta = read(path)
    want = pitts_recipe()
    assert set(got) == set(want), (set(got), set(want))
    for k in want:
        assert got[k].dtype == torch.float32 and got[k].shape == want[k].shape, k
        assert torch.equal(got[k], want[k]), (k, got[k], want[k])
    assert meta == {"epoch": "3", "model": "Net"}, meta
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
    assert (8 + n) % 8 == 0, "data buffer should start at a multiple of 8"
    report = {"verified_by": f"torch {torch.__version__}, numpy {np.__version__}", "metadata": meta,
              "tensors": {k: {"shape": list(v.shape), "sum": float(v.sum())} for k, v in got.items()}}
    with open(os.path.join(GOLDEN, "pitts_written.verified.json"), "w") as f:
        json.dump(report, f, indent=1)
    print("torch read", path, "and every tensor matched")


if __name__ == "__main__":
    {"make": make, "verify": verify}[sys.argv[1] if len(sys.argv) > 1 else "make"]()
