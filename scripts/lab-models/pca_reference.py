#!/usr/bin/python3
"""Reference PCA of the shipped MNIST training digits (data/mnist), with numpy in float64: the oracle for the lab's
PCA (src/Pitts.Lab.Client/Chapters/Zoo/ZooData.cs) and its linear-autoencoder comparison.
Run from the repository root:  /usr/bin/python3 scripts/lab-models/pca_reference.py"""
import gzip, json
import numpy as np

with gzip.open("data/mnist/train-images-idx3-ubyte.gz", "rb") as f:
    raw = f.read()
n, rows, cols = (int.from_bytes(raw[i:i + 4], "big") for i in (4, 8, 12))
x = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, rows * cols).astype(np.float64) / 255.0
xc = x - x.mean(axis=0)
cov = xc.T @ xc / n                      # population covariance, as the lab computes it
w, v = np.linalg.eigh(cov)
order = np.argsort(w)[::-1]
w, v = w[order], v[:, order]
out = {
    "source": "data/mnist/train-images-idx3-ubyte.gz, pixels / 255, covariance X_c^T X_c / N, numpy.linalg.eigh (float64)",
    "count": int(n),
    "total_variance": float(np.trace(cov)),
    "eigenvalues": [float(e) for e in w[:8]],
    "components": [[round(float(c), 7) for c in v[:, k]] for k in range(4)],  # top 4 directions (sign arbitrary)
}
with open("tests/Pitts.Lab.Tests/Golden/mnist_pca.json", "w") as f:
    json.dump(out, f, indent=1)
print(json.dumps({k: out[k] for k in ("count", "total_variance", "eigenvalues")}, indent=1))
