"""Runs a `pitts export --pytorch` folder with PyTorch and compares it with `pitts predict --out`.

usage: /usr/bin/python3 check_export.py EXPORT_DIR INPUTS.npy PITTS_OUTPUTS.npy [EXPORT_DIR INPUTS.npy PITTS_OUTPUTS.npy ...]

For each triple (one process for all, since importing torch takes seconds), imports EXPORT_DIR/model.py, calls its
load(EXPORT_DIR), runs the inputs through it and prints a JSON list with one object per triple:
the largest absolute difference from the outputs Pitts wrote (read with numpy, an independent .npy reader), the
shape and dtype numpy read, the state-dict names, whether the model came back in eval mode, and for a classifier
model.predict's classes and probabilities, and the parameters a backward pass in train mode
leaves without a gradient (none, so training can go on in PyTorch).
"""
import importlib.util
import json
import os
import sys

import numpy as np
import torch


def check(index, folder, x_path, y_path):
    spec = importlib.util.spec_from_file_location(f"exported_model_{index}", os.path.join(folder, "model.py"))
    exported = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exported)

    model = exported.load(folder)
    x = np.load(x_path)
    y_pitts = np.load(y_path)
    with torch.no_grad():
        y_torch = model(torch.from_numpy(x)).numpy()

    result = {
        "pitts_dtype": str(y_pitts.dtype),
        "pitts_shape": list(y_pitts.shape),
        "pitts_values": [float(v) for v in y_pitts.reshape(-1)],
        "torch_shape": list(y_torch.shape),
        "max_abs_diff": float(np.max(np.abs(y_torch.astype(np.float64) - y_pitts.astype(np.float64)))),
        "training": model.training,
        "state_dict": list(model.state_dict().keys()),
        "task": exported.TASK,
    }
    if exported.TASK == "classification":
        label, probability, _ = exported.predict(model, x)
        result["classes"] = label.tolist()
        result["probabilities"] = probability.tolist()
    # Training goes on in PyTorch: in train mode a backward pass reaches every parameter.
    model.train()
    model(torch.from_numpy(x)).pow(2).mean().backward()
    result["parameters_without_grad"] = [n for n, p in model.named_parameters() if p.grad is None]
    return result


args = sys.argv[1:]
assert args and len(args) % 3 == 0, __doc__
print(json.dumps([check(i, *args[i:i + 3]) for i in range(0, len(args), 3)]))
