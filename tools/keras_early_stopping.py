#!/usr/bin/env python3
"""Keras 3 reference decisions of `EarlyStopping` for typenet's
`fit(...).early_stopping(p)`.

Drives Keras' real callback,

    keras.callbacks.EarlyStopping(monitor="val_loss", patience=p,
                                  restore_best_weights=True)

without any training: a one-layer model (`Dense(1)` on 1 input) only gives
the callback weights to save and restore. For each case the script calls
`set_model`, `on_train_begin`, then for epoch = 0, 1, 2, ... sets every
weight of the model to `epoch + 1` (so the weights name the epoch they come
from), calls `on_epoch_end(epoch, logs={"val_loss": v, "loss": v})` and
stops as soon as `model.stop_training` is True or the sequence is used up
(max epochs = len(val_loss)); then `on_train_end`. It records how many
epochs ran, where the callback stopped, its best epoch and which epoch's
weights the model holds after `on_train_end`. `tests/` replays the same
sequences with typenet's early stopping and compares, with no Python at
test time.

Requirements:  pip install keras jax[cpu]

Usage (from the repository root):

    KERAS_BACKEND=jax python3 tools/keras_early_stopping.py

writes

    tests/fixtures/keras_early_stopping.json
        {"keras_version", "backend", "cases": [{
            "name":           sequence name,
            "val_loss":       the per-epoch validation losses fed in (the
                              sequence's full length is the max epochs),
            "patience":       p,
            "epochs_run":     how many epochs ran (on_epoch_end calls),
            "stopped_early":  whether the callback set model.stop_training,
            "stopped_epoch":  epoch at which it stopped, or null if training
                              ran out of epochs (Keras' 0 sentinel),
            "best_epoch":     the callback's best_epoch after training,
            "restored_epoch": the epoch whose weights the model holds after
                              on_train_end,
            "wait":           the callback's `wait` counter after each epoch
                              that ran (epochs since the last improvement)}]}

All epoch numbers in the file are 1-based (Keras' 0-based epoch index + 1).
JSON cannot hold NaN, so a NaN validation loss is written as the string
"NaN". Keras compares the (Python float) losses with `keras.ops.less`, i.e.
as float32 on both the jax and torch backends; the losses in the file are the
float64 values passed in.

The script also asserts the facts stated in the issue: with a validation
loss best at epoch 1 and worse after, patience 1 runs 2 epochs and patience
3 runs 4.
"""

import json
import math
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(ROOT, "tests", "fixtures")

NAN = float("nan")
PATIENCES = (0, 1, 2, 3)

# name -> per-epoch validation losses (max epochs = length).
SEQUENCES = {
    "best_first_then_worse": [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7],
    "steadily_improving": [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3],
    "plateau_equal": [1.0, 0.8, 0.8, 0.8, 0.7, 0.9, 0.9, 0.9],
    "noisy": [1.0, 0.7, 0.9, 0.75, 0.6, 0.65, 0.66, 0.67],
    "nan_in_middle": [1.0, 0.8, NAN, 0.9, 0.95, 0.7, 0.99, 0.99],
    "tiny_improvement": [1.0, 0.99999994, 0.99999990, 1.0, 1.0, 1.0, 1.0, 1.0],
    # Runs out of epochs before patience is used up while the best epoch is
    # not the last: shows whether the best weights are restored anyway.
    "ends_without_stop": [1.0, 0.9, 0.8, 0.85, 0.86],
}


def make_model():
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    assert model.get_weights(), "model has no weights"
    return model


def set_epoch_weights(model, epoch):
    """Every weight of the model = epoch + 1 (0-based epoch)."""
    model.set_weights([np.full(w.shape, epoch + 1, dtype=w.dtype) for w in model.get_weights()])


def held_epoch(model):
    """The 0-based epoch whose weights the model holds."""
    values = np.concatenate([np.asarray(w, dtype=np.float64).reshape(-1) for w in model.get_weights()])
    assert np.all(values == values[0]), f"weights from mixed epochs: {values}"
    v = float(values[0])
    assert v == int(v) and v >= 1, f"weights {v} name no epoch"
    return int(v) - 1


def run(model, val_loss, patience):
    cb = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    cb.set_model(model)
    model.stop_training = False
    cb.on_train_begin()
    waits = []
    epochs_run = 0
    for epoch, v in enumerate(val_loss):
        set_epoch_weights(model, epoch)
        cb.on_epoch_end(epoch, logs={"val_loss": v, "loss": v})
        epochs_run += 1
        waits.append(int(cb.wait))
        if model.stop_training:
            break
    stopped_early = bool(model.stop_training)
    cb.on_train_end()
    assert stopped_early == (cb.stopped_epoch > 0)
    assert not stopped_early or cb.stopped_epoch == epochs_run - 1
    return {
        "epochs_run": epochs_run,
        "stopped_early": stopped_early,
        "stopped_epoch": cb.stopped_epoch + 1 if stopped_early else None,
        "best_epoch": int(cb.best_epoch) + 1,
        "restored_epoch": held_epoch(model) + 1,
        "wait": waits,
    }


def json_loss(v):
    return "NaN" if math.isnan(v) else v


def main():
    backend = keras.backend.backend()
    model = make_model()
    cases = []
    for name, seq in SEQUENCES.items():
        for p in PATIENCES:
            r = run(model, seq, p)
            cases.append({"name": name, "val_loss": [json_loss(v) for v in seq], "patience": p, **r})

    # The facts: best at epoch 1 and worse after ->
    # patience 1 runs 2 epochs, patience 3 runs 4.
    by = {(c["name"], c["patience"]): c for c in cases}
    assert by[("best_first_then_worse", 1)]["epochs_run"] == 2, by[("best_first_then_worse", 1)]
    assert by[("best_first_then_worse", 3)]["epochs_run"] == 4, by[("best_first_then_worse", 3)]

    doc = {"keras_version": keras.__version__, "backend": backend, "cases": cases}
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(os.path.join(OUT_DIR, "keras_early_stopping.json"), "w") as f:
        # One case a line; json.dumps(..., allow_nan=False) refuses any NaN.
        head = json.dumps({k: doc[k] for k in ("keras_version", "backend")}, allow_nan=False)
        f.write(head[:-1] + ', "cases": [\n')
        f.write(",\n".join(json.dumps(c, allow_nan=False) for c in cases))
        f.write("\n]}\n")
    print(f"keras {keras.__version__} ({backend}): wrote {len(cases)} cases to tests/fixtures/", file=sys.stderr)


if __name__ == "__main__":
    main()
