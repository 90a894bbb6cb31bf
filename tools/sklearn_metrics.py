#!/usr/bin/env python3
"""scikit-learn reference values of typenet's metrics on fixed predictions.

Makes small sets of network outputs and targets with a fixed seed (float32,
as a network gives them) and records what scikit-learn computes from them:

- binary (one output, probabilities or logits; some scores tied):
  accuracy_score, precision_score / recall_score / f1_score with
  average="binary" and "macro", roc_auc_score, confusion_matrix;
- categorical (5 classes, logits; one class never true, so the macro
  averages run over the classes present): accuracy_score, macro
  precision/recall/f1, top_k_accuracy_score (k = 1, 2, 3), confusion_matrix;
- two-class categorical: binary precision/recall/f1 (class 1 positive) and
  roc_auc_score on the probability of class 1;
- multi-label (3 yes/no outputs): precision/recall/f1 with average="micro"
  (typenet's pooled binary average) and "macro";
- regression (2 outputs): mean_absolute_error, and root_mean_squared_error
  of the flattened outputs.

The predicted class is what typenet's losses read: the arg-max, or an
output above 0.5 (0 for logits). `tests/metrics.rs` feeds the same outputs
to typenet's metrics and compares, with no Python at test time.

Requirements:  pip install scikit-learn numpy

Usage (from the repository root):

    python3 tools/sklearn_metrics.py

writes tests/fixtures/sklearn_metrics.json:

    {"sklearn_version", "cases": [{"name", "kind" (binary_probs,
      binary_logits, categorical, regression), "outputs", "y", "t" (each
      sample's outputs/targets one after another), "expected": {metric name:
      number, or rows of counts for a confusion matrix}}]}
"""

import json
import os
import sys

import numpy as np
import sklearn
from sklearn import metrics as m

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "sklearn_metrics.json")

rng = np.random.default_rng(19)


def flat(a):
    return [float(v) for v in np.asarray(a, dtype=np.float32).reshape(-1)]


def binary_case(name, logits):
    n = 200
    truth = rng.integers(0, 2, n)
    # Scores that lean towards the truth, rounded so that some tie.
    p = 0.5 + 0.35 * (truth - 0.5) * 2 * rng.random(n) + rng.normal(0, 0.2, n)
    p = np.clip(np.round(p, 2), 0.01, 0.99).astype(np.float32)
    score = np.log(p / (1 - p)).astype(np.float32) if logits else p
    pred = (score > (0.0 if logits else 0.5)).astype(int)
    expected = {
        "accuracy": m.accuracy_score(truth, pred),
        "precision": m.precision_score(truth, pred),
        "recall": m.recall_score(truth, pred),
        "f1": m.f1_score(truth, pred),
        "macro_precision": m.precision_score(truth, pred, average="macro"),
        "macro_recall": m.recall_score(truth, pred, average="macro"),
        "macro_f1": m.f1_score(truth, pred, average="macro"),
        "auc": m.roc_auc_score(truth, score),
        "confusion_matrix": m.confusion_matrix(truth, pred, labels=[0, 1]).tolist(),
    }
    kind = "binary_logits" if logits else "binary_probs"
    return {"name": name, "kind": kind, "outputs": 1, "y": flat(score), "t": flat(truth), "expected": expected}


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def categorical_case():
    n, k = 150, 5
    truth = rng.choice([0, 1, 2, 3], n)  # class 4 is never true
    z = rng.normal(0, 1, (n, k)).astype(np.float32)
    z[np.arange(n), truth] += 1.2
    pred = z.argmax(axis=1)
    one_hot = np.eye(k, dtype=np.float32)[truth]
    expected = {
        "accuracy": m.accuracy_score(truth, pred),
        "macro_precision": m.precision_score(truth, pred, average="macro", zero_division=0),
        "macro_recall": m.recall_score(truth, pred, average="macro", zero_division=0),
        "macro_f1": m.f1_score(truth, pred, average="macro", zero_division=0),
        "confusion_matrix": m.confusion_matrix(truth, pred, labels=list(range(k))).tolist(),
    }
    for top in (1, 2, 3):
        expected[f"top_{top}_accuracy"] = m.top_k_accuracy_score(truth, softmax(z), k=top, labels=list(range(k)))
    return {"name": "categorical_5", "kind": "categorical", "outputs": k, "y": flat(z), "t": flat(one_hot),
            "expected": expected}


def two_class_case():
    n = 120
    truth = rng.integers(0, 2, n)
    z = rng.normal(0, 1, (n, 2)).astype(np.float32)
    z[np.arange(n), truth] += 0.8
    pred = z.argmax(axis=1)
    expected = {
        "precision": m.precision_score(truth, pred),
        "recall": m.recall_score(truth, pred),
        "f1": m.f1_score(truth, pred),
        "macro_f1": m.f1_score(truth, pred, average="macro"),
        "auc": m.roc_auc_score(truth, softmax(z)[:, 1]),
    }
    return {"name": "categorical_2", "kind": "categorical", "outputs": 2, "y": flat(z),
            "t": flat(np.eye(2, dtype=np.float32)[truth]), "expected": expected}


def multi_label_case():
    n, k = 80, 3
    truth = rng.integers(0, 2, (n, k))
    p = np.clip(0.5 + 0.3 * (truth - 0.5) * 2 + rng.normal(0, 0.25, (n, k)), 0.01, 0.99).astype(np.float32)
    pred = (p > 0.5).astype(int)
    expected = {
        "precision": m.precision_score(truth, pred, average="micro"),
        "recall": m.recall_score(truth, pred, average="micro"),
        "f1": m.f1_score(truth, pred, average="micro"),
        "macro_precision": m.precision_score(truth, pred, average="macro"),
        "macro_recall": m.recall_score(truth, pred, average="macro"),
        "macro_f1": m.f1_score(truth, pred, average="macro"),
        "accuracy": float((pred == truth).mean()),
    }
    return {"name": "multi_label_3", "kind": "binary_probs", "outputs": k, "y": flat(p), "t": flat(truth),
            "expected": expected}


def regression_case():
    n = 90
    t = rng.normal(0, 2, (n, 2)).astype(np.float32)
    y = (t + rng.normal(0, 0.5, (n, 2))).astype(np.float32)
    expected = {
        "mae": m.mean_absolute_error(t, y),
        "rmse": m.root_mean_squared_error(t.reshape(-1), y.reshape(-1)),
    }
    return {"name": "regression_2", "kind": "regression", "outputs": 2, "y": flat(y), "t": flat(t),
            "expected": expected}


def main():
    cases = [
        binary_case("binary_probabilities", logits=False),
        binary_case("binary_logits", logits=True),
        categorical_case(),
        two_class_case(),
        multi_label_case(),
        regression_case(),
    ]
    for case in cases:
        case["expected"] = {k: (v if isinstance(v, list) else float(v)) for k, v in case["expected"].items()}
    with open(OUT, "w") as f:
        f.write('{"sklearn_version": "%s", "cases": [\n' % sklearn.__version__)
        f.write(",\n".join(json.dumps(c, allow_nan=False) for c in cases))
        f.write("\n]}\n")
    print(f"scikit-learn {sklearn.__version__}: wrote {len(cases)} cases to tests/fixtures/", file=sys.stderr)


if __name__ == "__main__":
    main()
