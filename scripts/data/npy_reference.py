#!/usr/bin/python3
"""Writes NumPy .npy/.npz and CSV reference files with numpy itself, for Pitts's loader tests (run with /usr/bin/python3).

Files go to tests/Pitts.Tests/IO/Golden/npy/; expected.json lists, per file, the shape and the float32 values numpy
obtains with .astype(np.float32). The .npy files cover header versions 1.0, 2.0 and 3.0, the dtypes <f4 <f8 <i4 <i8 |u1
(plus |b1 |i1 <i2 <f2 >f4 >i8), a scalar and an empty array; fortran.npy is Fortran-ordered (Pitts must refuse it).
np_written_by_pitts_check: the test compares Pitts's Npy.Save output byte for byte with numpy's np.save of the same
array (f32_2x3.npy).
"""
import io
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "Pitts.Tests", "IO", "Golden", "npy")


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(7)
    arrays = {
        "f32_2x3": np.array([[0.5, -1.25, 3.0], [1e-30, 65504.0, -0.0]], dtype="<f4"),
        "f64_4": np.array([1 / 3, -2.5e-300, 1e30, np.pi], dtype="<f8"),
        "i4_2x2": np.array([[-2147483648, 2147483647], [0, -7]], dtype="<i4"),
        "i8_3": np.array([-(2 ** 62), 12345678901, 3], dtype="<i8"),
        "u1_2x2x3": rng.integers(0, 256, size=(2, 2, 3)).astype("|u1"),
        "b1": np.array([True, False, True]),
        "i1": np.array([-128, 127], dtype="|i1"),
        "i2": np.array([-32768, 300], dtype="<i2"),
        "f2": np.array([0.1, -65504.0, 6e-8], dtype="<f2"),
        "f4_big_endian": np.array([1.5, -2.0, 1e10], dtype=">f4"),
        "i8_big_endian": np.array([[1, -2]], dtype=">i8"),
        "scalar": np.array(2.75, dtype="<f4"),
        "empty_0x3": np.zeros((0, 3), dtype="<f4"),
        "f32_5x4_random": rng.standard_normal((5, 4)).astype("<f4"),
    }
    expected = {}
    for name, a in arrays.items():
        np.save(os.path.join(OUT, name + ".npy"), a)
        expected[name + ".npy"] = {"shape": list(a.shape), "values": [float(v) for v in a.astype(np.float32).flatten()]}
    for version in [(2, 0), (3, 0)]:
        fname = f"f32_2x3_v{version[0]}.npy"
        with open(os.path.join(OUT, fname), "wb") as f:
            np.lib.format.write_array(f, arrays["f32_2x3"], version=version)
        expected[fname] = expected["f32_2x3.npy"]
    np.save(os.path.join(OUT, "fortran.npy"), np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
    np.savez(os.path.join(OUT, "bundle.npz"), weights=arrays["f32_5x4_random"], labels=arrays["i8_3"], pixels=arrays["u1_2x2x3"])
    np.savez_compressed(os.path.join(OUT, "bundle_compressed.npz"), weights=arrays["f32_5x4_random"], labels=arrays["i8_3"])
    # CSV with a header, written by numpy; and one without
    table = np.column_stack([np.linspace(0, 1, 5), np.sin(np.linspace(0, 1, 5)), np.arange(5)])
    np.savetxt(os.path.join(OUT, "table_header.csv"), table, delimiter=",", header="x,sin_x,label", comments="", fmt="%.9g")
    np.savetxt(os.path.join(OUT, "table_plain.csv"), table, delimiter=",", fmt="%.9g")
    expected["table.csv"] = {"shape": list(table.shape), "values": [float(v) for v in table.astype(np.float32).flatten()]}
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print("wrote", len(expected), "reference entries to", os.path.normpath(OUT))


if __name__ == "__main__":
    main()
