#!/usr/bin/env python3
"""Checks typenet's declarations of torchvision's InceptionV3 and ResNet-18
against torchvision itself, end to end (not part of `cargo test`: the
weights are tens of megabytes, so they go to a temporary folder).

Requirements:  pip install torch torchvision safetensors numpy

Usage (from the repository root):

    python3 tools/torchvision_check.py [--keep DIR]

For each model it builds torchvision's module (`inception_v3(weights=None,
aux_logits=False, init_weights=True)`, `resnet18()`) with a fixed seed,
gives every BatchNorm random running statistics (so Eval is not the
identity), saves `model.state_dict()` with safetensors exactly as a PyTorch
user would, runs a batch of random images through it in eval mode, and
saves the input (channels last, as typenet reads it) and the logits. Then
it runs `cargo run --release --example torchvision_check -- DIR`, which
loads each state_dict as it is into the README's declarations and prints
the largest absolute and relative differences of the logits.
"""

import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torchvision
from safetensors.torch import save_file


def randomise_batch_norms(model, generator):
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            n = module.num_features
            module.running_mean.copy_(torch.randn(n, generator=generator) * 0.1)
            module.running_var.copy_(torch.rand(n, generator=generator) * 0.5 + 0.75)
            module.weight.data.copy_(torch.rand(n, generator=generator) * 0.5 + 0.75)
            module.bias.data.copy_(torch.randn(n, generator=generator) * 0.1)


def export(name, model, size, folder, generator):
    model.eval()
    randomise_batch_norms(model, generator)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(folder, f"{name}.safetensors"))
    x = torch.rand(2, 3, size, size, generator=generator) * 2 - 1
    with torch.no_grad():
        logits = model(x)
    io = {
        "x": x.permute(0, 2, 3, 1).contiguous(),
        "logits": logits.contiguous(),
    }
    save_file(io, os.path.join(folder, f"{name}.io.safetensors"))
    print(f"{name}: {sum(p.numel() for p in model.parameters()):,} parameters, "
          f"logits {tuple(logits.shape)}, |logits| up to {logits.abs().max().item():.3f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", help="write the files here and keep them")
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    generator = torch.Generator().manual_seed(1)
    folder = args.keep or tempfile.mkdtemp(prefix="typenet-torchvision-")
    os.makedirs(folder, exist_ok=True)
    export("inception_v3",
           torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=True),
           299, folder, generator)
    export("resnet18", torchvision.models.resnet18(), 224, folder, generator)
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    result = subprocess.run(
        ["cargo", "run", "--release", "--example", "torchvision_check", "--", folder], cwd=repo)
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
