#!/usr/bin/env python3
"""Keras 3 reference losses with class weights and sample weights, for
typenet's `Fit::class_weight`, `Fit::sample_weight` and
`Evaluate::sample_weight`.

Each case is one Dense layer with fixed weights (written to the fixture) and
a small data set. Keras reports:

- `model.evaluate(x, y, sample_weight=w, batch_size=4)`: the weighted loss;
- `model.fit(x, y, ..., epochs=1, batch_size=4, shuffle=False)` with an SGD
  learning rate of 0, so the weights never change and the epoch's `loss`
  (and `val_loss`) are the weighted losses of the fixed network: once with
  `class_weight`, once with `sample_weight`, each with and without
  `validation_split=0.3` (Keras weighs the validation loss with the held-out
  samples' `sample_weight`, and never with `class_weight`).

`tests/weights.rs` builds the same network in typenet, runs `fit` (with
`Sgd::new(0.0)`) and `evaluate_with` on the same data and weights, and
compares the losses, with no Python at test time.

Requirements:  pip install keras jax jaxlib

Usage (from the repository root):

    KERAS_BACKEND=jax python3 tools/keras_weights.py

writes tests/fixtures/keras_weights.json:

    {"keras_version", "backend", "cases": [{"name", "loss" (binary_crossentropy,
      categorical_crossentropy_from_logits, mse), "activation", "kernel"
      ([in][out]), "bias", "x", "y" (rows), "sample_weight", "class_weight"
      ({class: weight}), "evaluate_sample_weighted", "fit": [{"weights"
      ("class" or "sample"), "validation_split", "loss", "val_loss"}]}]}
"""

import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import numpy as np  # noqa: E402
import keras  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "keras_weights.json")

rng = np.random.default_rng(18)

LOSSES = {
    "binary_crossentropy": lambda: keras.losses.BinaryCrossentropy(),
    "categorical_crossentropy_from_logits": lambda: keras.losses.CategoricalCrossentropy(from_logits=True),
    "mse": lambda: keras.losses.MeanSquaredError(),
}


def f32(a):
    return np.asarray(a, dtype=np.float32)


def model(inputs, outputs, activation, kernel, bias, loss):
    m = keras.Sequential([keras.Input(shape=(inputs,)), keras.layers.Dense(outputs, activation=activation)])
    m.layers[0].set_weights([kernel, bias])
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0), loss=LOSSES[loss]())
    return m


def case(name, loss, activation, inputs, outputs, samples, y, class_weight):
    kernel = f32(rng.normal(0, 0.8, (inputs, outputs)))
    bias = f32(rng.normal(0, 0.3, outputs))
    x = f32(rng.normal(0, 1, (samples, inputs)))
    y = f32(y)
    sample_weight = f32(np.round(rng.uniform(0.0, 3.0, samples), 2))
    m = model(inputs, outputs, activation, kernel, bias, loss)
    evaluated = m.evaluate(x, y, sample_weight=sample_weight, batch_size=4, verbose=0)
    fits = []
    for weights in ("class", "sample"):
        if weights == "class" and class_weight is None:
            continue
        for split in (0.0, 0.3):
            kwargs = {"class_weight": class_weight} if weights == "class" else {"sample_weight": sample_weight}
            m = model(inputs, outputs, activation, kernel, bias, loss)
            history = m.fit(x, y, epochs=1, batch_size=4, shuffle=False, validation_split=split, verbose=0, **kwargs)
            after = m.layers[0].get_weights()
            assert np.array_equal(after[0], kernel) and np.array_equal(after[1], bias), "the weights moved"
            h = history.history
            fits.append({
                "weights": weights, "validation_split": split, "loss": float(h["loss"][0]),
                "val_loss": float(h["val_loss"][0]) if "val_loss" in h else None,
            })
    return {
        "name": name, "loss": loss, "activation": activation, "kernel": kernel.tolist(), "bias": bias.tolist(),
        "x": x.tolist(), "y": y.tolist(), "sample_weight": sample_weight.tolist(),
        "class_weight": None if class_weight is None else {str(k): v for k, v in class_weight.items()},
        "evaluate_sample_weighted": float(evaluated), "fit": fits,
    }


def main():
    labels = rng.integers(0, 2, 10)
    classes = rng.choice([0, 1, 2], 13)
    cases = [
        case("binary_sigmoid", "binary_crossentropy", "sigmoid", 3, 1, 10, labels.reshape(-1, 1), {0: 1.0, 1: 3.0}),
        case("categorical_logits", "categorical_crossentropy_from_logits", "linear", 4, 3, 13,
             np.eye(3)[classes], {0: 0.5, 2: 2.0}),
        case("regression", "mse", "linear", 3, 2, 11, rng.normal(0, 1, (11, 2)), None),
    ]
    doc = {"keras_version": keras.__version__, "backend": keras.backend.backend(), "cases": cases}
    with open(OUT, "w") as f:
        head = json.dumps({k: doc[k] for k in ("keras_version", "backend")})
        f.write(head[:-1] + ', "cases": [\n')
        f.write(",\n".join(json.dumps(c, allow_nan=False) for c in cases))
        f.write("\n]}\n")
    print(f"keras {keras.__version__}: wrote {len(cases)} cases to tests/fixtures/", file=sys.stderr)


if __name__ == "__main__":
    main()
