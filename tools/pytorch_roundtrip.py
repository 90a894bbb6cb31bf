"""typenet -> PyTorch -> typenet: for each network the export example wrote,
loads typenet's safetensors into the generated PyTorch module with
`load_state_dict(strict=True)`, checks the module's output against typenet's,
takes one SGD step in PyTorch (train mode: dropout on, BatchNorm statistics
updated), saves the module's state_dict, has typenet load it back and checks
typenet's output against the trained module's.

    cargo run --release --example export_onnx -- target/export
    python tools/pytorch_roundtrip.py target/export

Needs `pip install torch safetensors numpy`.
"""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

KINDS = ["dense", "batchnorm", "conv2d", "conv1d", "pools", "globalpool", "lstm", "gru_td", "nested", "graph"]
TOLERANCE = 1e-5


def module_of(path: Path) -> torch.nn.Module:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    source = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(source)
    classes = [c for c in vars(source).values() if isinstance(c, type) and issubclass(c, torch.nn.Module)]
    return classes[-1]()  # the outermost network is written last


def main(directory: Path) -> int:
    torch.manual_seed(0)
    rows = []
    for kind in KINDS:
        reference = json.loads((directory / f"{kind}.json").read_text())
        x = torch.tensor(reference["input"], dtype=torch.float32).reshape(reference["input_shape"])
        expected = torch.tensor(reference["output"], dtype=torch.float32).reshape(reference["output_shape"])
        module = module_of(directory / f"{kind}.py")
        module.load_state_dict(load_file(str(directory / f"{kind}.safetensors")), strict=True)
        module.eval()
        with torch.no_grad():
            before = float((module(x) - expected).abs().max())
        module.train()
        optimiser = torch.optim.SGD(module.parameters(), lr=0.1)
        loss = (module(x) - torch.randn_like(expected)).pow(2).mean()
        loss.backward()
        optimiser.step()
        module.eval()
        with torch.no_grad():
            trained = module(x)
        state = {k: v.contiguous() for k, v in module.state_dict().items()}
        save_file(state, str(directory / f"{kind}.trained.safetensors"))
        rows.append((kind, before, trained))
    subprocess.run(
        ["cargo", "run", "--release", "--quiet", "--example", "export_onnx", "--", "reload", str(directory)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"torch {torch.__version__}")
    print("| kind | typenet vs module (loaded) | output change from the step | typenet (reloaded) vs module (trained) |")
    print("|---|---|---|---|")
    failures = 0
    for kind, before, trained in rows:
        reloaded = json.loads((directory / f"{kind}.reloaded.json").read_text())
        y = torch.tensor(reloaded["output"], dtype=torch.float32).reshape(trained.shape)
        after = float((y - trained).abs().max())
        original = torch.tensor(json.loads((directory / f"{kind}.json").read_text())["output"]).reshape(trained.shape)
        moved = float((trained - original).abs().max())
        failures += before > TOLERANCE or after > TOLERANCE
        print(f"| {kind} | {before:.1e} | {moved:.1e} | {after:.1e} |")
    print(f"{len(rows) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "target/export")))
