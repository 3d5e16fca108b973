#!/usr/bin/python3
"""Writes small IDX reference files with numpy (an independent writer) for Pitts's IDX reader tests.

Each file holds a known array in one of the six IDX element types, big-endian, plain and gzip-compressed (Python's gzip
module); reference_idx_expected.json lists each file's dtype code, shape and values. Run with /usr/bin/python3.
"""
import gzip
import json
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "..", "..", "tests", "Pitts.Tests", "IO", "Golden")

TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def idx_bytes(arr, code):
    a = np.ascontiguousarray(arr.astype(TYPES[code]))
    return bytes([0, 0, code, a.ndim]) + b"".join(struct.pack(">I", d) for d in a.shape) + a.tobytes()


def main():
    rng = np.random.default_rng(20251126)
    arrays = {
        "u8": (0x08, rng.integers(0, 256, size=(3, 4, 5))),
        "i8": (0x09, np.array([-128, -1, 0, 1, 127])),
        "i16": (0x0B, np.array([[-32768, 32767], [-2, 300]])),
        "i32": (0x0C, np.array([-2147483648, 2147483647, 16777217, 7])),
        "f32": (0x0D, rng.standard_normal((2, 3)).astype(np.float32)),
        "f64": (0x0E, np.array([1 / 3, -1e-300, 2.5e10, np.pi])),
        "labels": (0x08, np.array([7, 2, 1, 0, 4, 1, 4, 9, 5, 9], dtype=np.uint8)),
    }
    expected = {}
    for name, (code, arr) in arrays.items():
        b = idx_bytes(arr, code)
        with open(os.path.join(GOLDEN, f"ref-{name}.idx"), "wb") as f:
            f.write(b)
        with open(os.path.join(GOLDEN, f"ref-{name}.idx.gz"), "wb") as f:
            f.write(gzip.compress(b, mtime=0))
        as_f32 = np.asarray(arr).astype(TYPES[code]).astype(np.float32)
        expected[name] = {"type": code, "shape": list(np.shape(arr)), "values": [float(v) for v in as_f32.flatten()]}
    with open(os.path.join(GOLDEN, "reference_idx_expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print("wrote", len(arrays), "IDX reference arrays to", os.path.normpath(GOLDEN))


if __name__ == "__main__":
    main()
