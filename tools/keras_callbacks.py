#!/usr/bin/env python3
"""Keras 3 reference decisions of the callbacks typenet's `fit` has:
`ReduceLROnPlateau`, `ModelCheckpoint`, the warm-up of `CosineDecay` and
`CSVLogger`.

No training runs: each real Keras callback is driven by hand with a
sequence of monitored values, as `fit` would drive it
(`set_model`, `on_train_begin`, per epoch `on_epoch_begin`, a batch end per
step, `on_epoch_end(epoch, logs)`), and its decisions are recorded:

- ReduceLROnPlateau: the optimiser's learning rate after each epoch (the
  float32 value the optimiser holds, written as a double);
- ModelCheckpoint: which epochs wrote a file (the file path names the
  epoch; `save_weights_only=True`, `save_freq="epoch"` or
  `k * steps_per_epoch` batches, which is typenet's `every(k)`);
- CosineDecay(initial_learning_rate, decay_steps, alpha=1.0, warmup_target,
  warmup_steps): the rate of each step; `alpha=1` keeps the rate at the
  target after the warm-up, which is typenet's `Warmup` without a schedule;
- CSVLogger: the file written for given epoch logs, as text.

Every monitored value is a float32 value (as `fit` measures them), written
as the double of that float32. `tests/` (the callbacks' unit tests) replay
the same values with typenet's callbacks and compare, with no Python at test
time.

Requirements:  pip install keras jax jaxlib

Usage (from the repository root):

    KERAS_BACKEND=jax python3 tools/keras_callbacks.py

writes tests/fixtures/keras_callbacks.json:

    {"keras_version", "backend",
     "reduce_lr":  [{"name", "mode", "factor", "patience", "min_delta",
                     "cooldown", "min_lr", "initial_lr", "values",
                     "learning_rates"}],
     "checkpoint": [{"name", "mode", "save_best_only", "every",
                     "initial_value_threshold", "values", "saved_epochs"}],
     "warmup":     [{"name", "initial_learning_rate", "warmup_target",
                     "warmup_steps", "learning_rates"}],
     "csv_logger": [{"name", "separator", "logs", "file"}]}

Epochs are 1-based; "NaN" stands for a NaN value (JSON has none).
"""

import json
import math
import os
import sys
import tempfile

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "keras_callbacks.json")
NAN = float("nan")


def f32(v):
    return float(np.float32(v))


def json_value(v):
    return "NaN" if isinstance(v, float) and math.isnan(v) else v


# Monitored sequences, lower is better (losses).
LOSSES = {
    "plateau_then_better": [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.7],
    "steadily_improving": [1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3],
    "tiny_improvements": [1.0, 0.99995, 0.9999, 0.99985, 0.9998, 0.9, 0.89995, 0.8999, 0.89985],
    "noisy": [1.0, 0.7, 0.9, 0.75, 0.6, 0.65, 0.66, 0.67, 0.5, 0.55, 0.56, 0.57, 0.58],
    "worse_and_worse": [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9],
    "nan_in_middle": [1.0, 0.8, NAN, 0.9, 0.95, 0.7, 0.99, 0.99, 0.99],
    "nan_first": [NAN, 1.0, 0.5, 0.4],
}
# Higher is better (accuracies).
ACCURACIES = {
    "accuracy_rises_then_stalls": [0.5, 0.6, 0.7, 0.7, 0.7, 0.71, 0.71, 0.71, 0.71, 0.8],
    "accuracy_noisy": [0.5, 0.55, 0.52, 0.58, 0.58, 0.57, 0.6, 0.6, 0.6, 0.6, 0.59],
}


def model_with_optimizer(lr):
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="mse")
    return model


def reduce_lr_cases():
    settings = [
        dict(factor=0.1, patience=2, min_delta=1e-4, cooldown=0, min_lr=0.0),
        dict(factor=0.5, patience=1, min_delta=0.0, cooldown=0, min_lr=0.0),
        dict(factor=0.5, patience=2, min_delta=1e-4, cooldown=2, min_lr=0.0),
        dict(factor=0.2, patience=0, min_delta=1e-4, cooldown=1, min_lr=1e-3),
        dict(factor=0.3, patience=3, min_delta=0.05, cooldown=0, min_lr=2e-4),
    ]
    cases = []
    for mode, sequences in (("min", LOSSES), ("max", ACCURACIES)):
        monitor = "val_loss" if mode == "min" else "val_accuracy"
        for name, seq in sequences.items():
            for k, s in enumerate(settings):
                initial_lr = 0.01
                model = model_with_optimizer(initial_lr)
                cb = keras.callbacks.ReduceLROnPlateau(monitor=monitor, mode=mode, **s)
                cb.set_model(model)
                cb.on_train_begin()
                values = [f32(v) for v in seq]
                rates = []
                for epoch, v in enumerate(values):
                    cb.on_epoch_begin(epoch)
                    cb.on_epoch_end(epoch, logs={monitor: v, "loss": v})
                    rates.append(float(np.float32(keras.ops.convert_to_numpy(model.optimizer.learning_rate))))
                cases.append({
                    "name": f"{name}/{k}", "mode": mode, **s, "initial_lr": initial_lr,
                    "values": [json_value(v) for v in values], "learning_rates": rates,
                })
    return cases


def checkpoint_cases(tmp):
    steps_per_epoch = 3
    settings = [
        dict(save_best_only=True, every=None, initial_value_threshold=None),
        dict(save_best_only=False, every=None, initial_value_threshold=None),
        dict(save_best_only=False, every=2, initial_value_threshold=None),
        dict(save_best_only=False, every=3, initial_value_threshold=None),
        dict(save_best_only=True, every=None, initial_value_threshold=0.85),
    ]
    cases = []
    counter = 0
    for mode, sequences in (("min", LOSSES), ("max", ACCURACIES)):
        monitor = "val_loss" if mode == "min" else "val_accuracy"
        for name, seq in sequences.items():
            for k, s in enumerate(settings):
                if mode == "max" and s["initial_value_threshold"] is not None:
                    s = dict(s, initial_value_threshold=0.65)
                counter += 1
                folder = os.path.join(tmp, f"case{counter}")
                os.makedirs(folder)
                model = model_with_optimizer(0.01)
                save_freq = "epoch" if s["every"] is None else s["every"] * steps_per_epoch
                threshold = s["initial_value_threshold"]
                cb = keras.callbacks.ModelCheckpoint(
                    filepath=os.path.join(folder, "e{epoch:03d}.weights.h5"), monitor=monitor, mode=mode,
                    save_best_only=s["save_best_only"], save_weights_only=True, save_freq=save_freq,
                    initial_value_threshold=None if threshold is None else f32(threshold),
                )
                cb.set_model(model)
                cb.on_train_begin()
                values = [f32(v) for v in seq]
                for epoch, v in enumerate(values):
                    cb.on_epoch_begin(epoch)
                    for batch in range(steps_per_epoch):
                        cb.on_train_batch_end(batch, logs={"loss": 0.5})
                    cb.on_epoch_end(epoch, logs={monitor: v, "loss": v})
                saved = sorted(int(f[1:4]) for f in os.listdir(folder))
                cases.append({
                    "name": f"{name}/{k}", "mode": mode, **s,
                    "initial_value_threshold": None if threshold is None else f32(threshold),
                    "values": [json_value(v) for v in values], "saved_epochs": saved,
                })
    return cases


def warmup_cases():
    cases = []
    for initial, target, steps in ((0.0, 0.1, 4), (0.0, 1e-3, 10), (1e-4, 3e-3, 7), (0.05, 0.01, 5), (0.0, 0.3, 1)):
        schedule = keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=initial, decay_steps=10, alpha=1.0, warmup_target=target, warmup_steps=steps
        )
        rates = [float(np.float32(keras.ops.convert_to_numpy(schedule(step)))) for step in range(steps + 5)]
        cases.append({
            "name": f"from {initial} to {target} over {steps}", "initial_learning_rate": initial,
            "warmup_target": target, "warmup_steps": steps, "learning_rates": rates,
        })
    return cases


def csv_logger_cases(tmp):
    runs = {
        "with_validation": (",", [
            {"loss": 0.6931471805599453, "accuracy": 0.5, "precision": 0.25, "val_loss": 0.7, "val_accuracy": 0.4375,
             "val_precision": 1.0},
            {"loss": 0.1, "accuracy": 0.875, "precision": 1e-05, "val_loss": 12345.5, "val_accuracy": 1.0,
             "val_precision": 0.0001},
        ]),
        "without_validation": (",", [{"loss": 2.5}, {"loss": 1.25}, {"loss": 3e-7}]),
        "semicolons": (";", [{"loss": 0.3, "mae": 0.2}, {"loss": 0.25, "mae": 1e16}]),
    }
    cases = []
    for name, (separator, logs) in runs.items():
        logs = [{k: f32(v) for k, v in epoch.items()} for epoch in logs]
        path = os.path.join(tmp, f"{name}.csv")
        cb = keras.callbacks.CSVLogger(path, separator=separator)
        cb.on_train_begin()
        for epoch, values in enumerate(logs):
            cb.on_epoch_end(epoch, logs=dict(values))
        cb.on_train_end()
        with open(path, newline="") as f:
            text = f.read()
        cases.append({"name": name, "separator": separator, "logs": logs, "file": text})
    return cases


def main():
    backend = keras.backend.backend()
    with tempfile.TemporaryDirectory() as tmp:
        doc = {
            "keras_version": keras.__version__,
            "backend": backend,
            "reduce_lr": reduce_lr_cases(),
            "checkpoint": checkpoint_cases(tmp),
            "warmup": warmup_cases(),
            "csv_logger": csv_logger_cases(tmp),
        }
    with open(OUT, "w") as f:
        f.write("{\n")
        items = list(doc.items())
        for i, (key, value) in enumerate(items):
            end = "," if i + 1 < len(items) else ""
            if isinstance(value, list):
                f.write(f'"{key}": [\n')
                f.write(",\n".join(json.dumps(case, allow_nan=False) for case in value))
                f.write(f"\n]{end}\n")
            else:
                f.write(f'"{key}": {json.dumps(value)}{end}\n')
        f.write("}\n")
    counts = ", ".join(f"{len(v)} {k}" for k, v in doc.items() if isinstance(v, list))
    print(f"keras {keras.__version__} ({backend}): wrote {counts} cases to tests/fixtures/", file=sys.stderr)


if __name__ == "__main__":
    main()
