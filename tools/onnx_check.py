"""Runs typenet's exported ONNX files in ONNX Runtime and compares them with
typenet's own outputs, one network per layer kind.

    cargo run --release --example export_onnx -- target/export
    python tools/onnx_check.py target/export

Needs `pip install onnxruntime numpy` (and `onnx` for the model checker, if
installed). Prints one row per layer kind: the operators of the graph and the
largest absolute difference from typenet's output.
"""

import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort

try:
    import onnx
except ImportError:  # the checker is optional
    onnx = None

KINDS = ["dense", "batchnorm", "conv2d", "conv1d", "pools", "globalpool", "lstm", "gru_td", "nested", "graph"]
TOLERANCE = 1e-5


def main(directory: Path) -> int:
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    print(f"onnxruntime {ort.__version__}" + (f", onnx {onnx.__version__} checker" if onnx else ""))
    print(f"| kind | ONNX operators | checker | largest difference |")
    print(f"|---|---|---|---|")
    failures = 0
    for kind in KINDS:
        path = directory / f"{kind}.onnx"
        reference = json.loads((directory / f"{kind}.json").read_text())
        checked = "-"
        if onnx is not None:
            model = onnx.load(str(path))
            onnx.checker.check_model(model, full_check=True)
            checked = "passes"
            ops = sorted({node.op_type for node in model.graph.node} - {"Identity"})
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        if onnx is None:
            ops = ["?"]
        x = np.asarray(reference["input"], dtype=np.float32).reshape(reference["input_shape"])
        (y,) = session.run(None, {"input": x})
        expected = np.asarray(reference["output"], dtype=np.float32).reshape(reference["output_shape"])
        worst = float(np.abs(y - expected).max())
        failures += worst > TOLERANCE
        print(f"| {kind} | {', '.join(ops)} | {checked} | {worst:.1e} |")
    print(f"{len(KINDS) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "target/export")))
