#!/usr/bin/env python3
"""Keras 3 reference trajectories for typenet's optimisers.

For each optimiser case below, starts from a fixed float32 weight matrix
(shape [3, 2]) and bias (shape [3]) -- the shapes of a typenet
`Dense<2, 3, Linear>`, element (r, c) of the Keras weight being element
(r, c) of typenet's `weights()` -- and applies 6 steps with a fixed,
deterministic sequence of float32 gradients fed by hand
(`optimizer.apply(grads, variables)`, no autodiff), recording both
variables after every step. `tests/keras_optimizers.rs` replays the same
steps with typenet's optimisers and compares, with no Python at test time.

Requirements:  pip install keras jax[cpu]

Usage (from the repository root):

    KERAS_BACKEND=jax python3 tools/keras_reference.py

writes

    tests/fixtures/keras_optimizers.json
        {"keras_version", "backend", "cases": {NAME: {"initial": {"weights",
        "bias"}, "grads": [6 x {"weights", "bias"}], "after": [6 x {...}]}}}
    tests/fixtures/keras_optimizers.txt
        the same numbers, one array a line, what the Rust test parses:
            NAME initial weights v00 v01 v10 v11 v20 v21
            NAME grad STEP bias v0 v1 v2
            NAME after STEP weights ...
        weights are row-major ([3, 2]); STEP counts from 1.

Every number is the shortest decimal that round-trips the float32 value
through a float64 (Python's `repr`), so parsing it as f64 and casting to f32
gives back the exact bits.
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402

STEPS = 6
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "tests", "fixtures")

# Keras 3 constructor arguments of each case (typenet's equivalent in
# tests/keras_optimizers.rs).
CASES = {
    "sgd": lambda: keras.optimizers.SGD(learning_rate=0.1),
    "sgd_momentum": lambda: keras.optimizers.SGD(learning_rate=0.1, momentum=0.9),
    "sgd_nesterov": lambda: keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    "rmsprop": lambda: keras.optimizers.RMSprop(learning_rate=0.01),
    "adam": lambda: keras.optimizers.Adam(learning_rate=0.01),
    "adamw": lambda: keras.optimizers.AdamW(learning_rate=0.01, weight_decay=0.1),
}


def initial():
    """Fixed starting values, mixed signs and magnitudes."""
    weights = np.array([[0.5, -0.25], [1.5, 0.75], [-1.0, 0.125]], dtype=np.float32)
    bias = np.array([0.1, -0.2, 0.0], dtype=np.float32)
    return weights, bias


def gradient(step, n, salt):
    """A deterministic float32 gradient of `n` values for `step` (0-based):
    mixed signs, different magnitudes each step, and a few exact zeros."""
    k = np.arange(n)
    code = (k * 7 + step * 5 + salt * 3) % 11  # 0..10
    g = (code - 5).astype(np.float64) * 0.1 * (1.0 + 0.37 * step) + 0.013 * (k + 1) * (step % 2)
    g[code == 5] = 0.0  # exact zeros where code - 5 == 0
    return g.astype(np.float32)


def grads_for(step):
    return gradient(step, 6, 0).reshape(3, 2), gradient(step, 3, 1)


def tolist(a):
    """Nested lists of Python floats holding the exact float32 values."""
    return np.asarray(a, dtype=np.float32).astype(np.float64).tolist()


def fmt(a):
    return " ".join(repr(float(x)) for x in np.asarray(a, dtype=np.float32).reshape(-1))


def run(name, make):
    w0, b0 = initial()
    weights = keras.Variable(w0, dtype="float32", name="weights")
    bias = keras.Variable(b0, dtype="float32", name="bias")
    opt = make()
    opt.build([weights, bias])
    grads, after = [], []
    for step in range(STEPS):
        gw, gb = grads_for(step)
        opt.apply([keras.ops.convert_to_tensor(gw), keras.ops.convert_to_tensor(gb)], [weights, bias])
        w = np.asarray(keras.ops.convert_to_numpy(weights.value), dtype=np.float32)
        b = np.asarray(keras.ops.convert_to_numpy(bias.value), dtype=np.float32)
        assert w.dtype == np.float32 and b.dtype == np.float32
        grads.append((gw, gb))
        after.append((w.copy(), b.copy()))
    return (w0, b0), grads, after


def main():
    backend = keras.backend.backend()
    json_cases, lines = {}, []
    lines.append(f"# keras {keras.__version__} backend {backend}; written by tools/keras_reference.py")
    for name, make in CASES.items():
        (w0, b0), grads, after = run(name, make)
        json_cases[name] = {
            "initial": {"weights": tolist(w0), "bias": tolist(b0)},
            "grads": [{"weights": tolist(w), "bias": tolist(b)} for w, b in grads],
            "after": [{"weights": tolist(w), "bias": tolist(b)} for w, b in after],
        }
        lines.append(f"{name} initial weights {fmt(w0)}")
        lines.append(f"{name} initial bias {fmt(b0)}")
        for i, ((gw, gb), (w, b)) in enumerate(zip(grads, after), start=1):
            lines.append(f"{name} grad {i} weights {fmt(gw)}")
            lines.append(f"{name} grad {i} bias {fmt(gb)}")
            lines.append(f"{name} after {i} weights {fmt(w)}")
            lines.append(f"{name} after {i} bias {fmt(b)}")
    doc = {"keras_version": keras.__version__, "backend": backend, "cases": json_cases}
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "keras_optimizers.json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
        f.write("\n")
    with open(os.path.join(OUT_DIR, "keras_optimizers.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"keras {keras.__version__} ({backend}): wrote {len(CASES)} cases to tests/fixtures/", file=sys.stderr)


if __name__ == "__main__":
    main()
