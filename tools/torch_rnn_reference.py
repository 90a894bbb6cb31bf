#!/usr/bin/env python3
"""PyTorch reference fixtures for typenet's recurrent layers (LSTM, GRU).

Requirements:  pip install torch safetensors numpy

Usage (from the repository root):

    python3 tools/torch_rnn_reference.py
        Builds every architecture below with a fixed seed (float32, one
        thread, batch 4, batch_first=True everywhere) and writes, for each
        architecture NAME:

          tests/fixtures/rnn_NAME.model.safetensors
              exactly `model.state_dict()` as a PyTorch user would save it.
              PyTorch's names and layouts: `rnn.weight_ih_l0` [4U, F] ([3U, F]
              for a GRU; gate order i, f, g, o / r, z, n), `rnn.weight_hh_l0`
              [4U, U] ([3U, U]), `rnn.bias_ih_l0`, `rnn.bias_hh_l0` [4U] ([3U]),
              `out.weight` [OUT, U], `out.bias` [OUT].

          tests/fixtures/rnn_NAME.io.safetensors
              x       [B, T, F] inputs, uniform in [-1, 1]
              t       targets, the shape of y
              y       forward output (train mode; there is no dropout):
                      [B, OUT] after the last step, [B, T, OUT] for a sequence
              loss    [1] MSE: mean((y - t)**2) over all elements and the batch
              grad.x  d loss / d x, [B, T, F]
              grad.<state_dict name>  d loss / d param, in the param's layout

        and, to document PyTorch's naming of stacked layers:

          tests/fixtures/rnn_lstm_stack.torch_num_layers2.safetensors
              the state_dict of ONE nn.LSTM(3, 4, num_layers=2, batch_first=True)
              under PyTorch's own names (no module prefix): weight_ih_l0 [16, 3],
              weight_hh_l0 [16, 4], bias_ih_l0, bias_hh_l0 [16], weight_ih_l1
              [16, 4], weight_hh_l1 [16, 4], bias_ih_l1, bias_hh_l1 [16]. Layer
              k's `_lk` tensors are those of a single-layer LSTM fed by layer
              k-1's output sequence: renamed to `_l0` under a second field they
              load into two stacked single-layer LSTMs (checked below).
          tests/fixtures/rnn_lstm_num_layers2.io.safetensors
              x [B, 5, 3] and y [B, 5, 4], the output sequence of that module
              (the top layer's hidden state at every step).

    python3 tools/torch_rnn_reference.py --check-typenet FILE --arch NAME [--no-strict]
        Builds architecture NAME, loads FILE (a safetensors file written by
        typenet) with `load_state_dict`, runs the fixture's `x` through it in
        eval mode and prints the output as JSON with the max abs difference
        to the fixture's `y`.

Layout: typenet keeps one sample flat, last axis fastest; a sequence is
[T, F], so x, y and grad.x are stored [B, T, F] (PyTorch's batch_first).
Parameters stay exactly in PyTorch's state_dict layout; the module attribute
names are typenet's field names. States start at zero.

All parameters are re-drawn uniform in [-0.5, 0.5] after construction, so
biases are non-zero. Each architecture re-seeds the RNG, so the files do not
depend on the order they are built in; they are deterministic for a given
PyTorch version.

Architectures (sample shape -> output shape):
  lstm_last   [6, 3] -> rnn: LSTM(3, 5), last step -> out: Linear(5, 2) -> [2]
  lstm_seq    [6, 3] -> rnn: LSTM(3, 4), sequence -> out: Linear(4, 2) per step -> [6, 2]
  gru_last    [6, 3] -> rnn: GRU(3, 5), last step -> out: Linear(5, 2) -> [2]
  gru_seq     [6, 3] -> rnn: GRU(3, 4), sequence -> out: Linear(4, 2) per step -> [6, 2]
  lstm_stack  [5, 3] -> rnn1: LSTM(3, 4), sequence -> rnn2: LSTM(4, 3), last step
              -> out: Linear(3, 1) -> [1]
"""

import argparse
import json
import sys
from pathlib import Path

import torch
import torch.nn as nn
from safetensors.torch import load_file, save_file

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
PREFIX = "rnn_"
BATCH = 4


class LastStep(nn.Module):
    def __init__(self, cell, n_in, units, n_out):
        super().__init__()
        self.rnn = cell(n_in, units, batch_first=True)
        self.out = nn.Linear(units, n_out)

    def forward(self, x):
        seq, _ = self.rnn(x)
        return self.out(seq[:, -1])


class Sequence(nn.Module):
    def __init__(self, cell, n_in, units, n_out):
        super().__init__()
        self.rnn = cell(n_in, units, batch_first=True)
        self.out = nn.Linear(units, n_out)  # on [B, T, U]: every step, shared weights

    def forward(self, x):
        seq, _ = self.rnn(x)
        return self.out(seq)


class LstmStack(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn1 = nn.LSTM(3, 4, batch_first=True)
        self.rnn2 = nn.LSTM(4, 3, batch_first=True)
        self.out = nn.Linear(3, 1)

    def forward(self, x):
        seq, _ = self.rnn1(x)
        seq, _ = self.rnn2(seq)
        return self.out(seq[:, -1])


# name -> (ctor, sample shape, output shape, seed)
ARCHS = {
    "lstm_last": (lambda: LastStep(nn.LSTM, 3, 5, 2), [6, 3], [2], 3001),
    "lstm_seq": (lambda: Sequence(nn.LSTM, 3, 4, 2), [6, 3], [6, 2], 3002),
    "gru_last": (lambda: LastStep(nn.GRU, 3, 5, 2), [6, 3], [2], 3003),
    "gru_seq": (lambda: Sequence(nn.GRU, 3, 4, 2), [6, 3], [6, 2], 3004),
    "lstm_stack": (LstmStack, [5, 3], [1], 3005),
}
NUM_LAYERS2_SEED = 3006


def redraw(model):
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-0.5, 0.5)


def build(name):
    """Seeded construction; returns (model, x, t)."""
    ctor, in_shape, out_shape, seed = ARCHS[name]
    torch.manual_seed(seed)
    model = ctor()
    redraw(model)
    x = torch.rand(BATCH, *in_shape) * 2 - 1
    t = torch.rand(BATCH, *out_shape) * 2 - 1
    return model, x, t


def contiguous(d):
    return {k: v.detach().contiguous().clone() for k, v in d.items()}


def generate(name):
    model, x, t = build(name)
    save_file(contiguous(model.state_dict()), str(FIXTURES / f"{PREFIX}{name}.model.safetensors"))

    model.train()
    model.zero_grad()
    xg = x.clone().requires_grad_(True)
    y = model(xg)
    assert list(y.shape) == list(t.shape), f"{name}: y {list(y.shape)} != expected {list(t.shape)}"
    loss = torch.mean((y - t) ** 2)
    loss.backward()

    io = {
        "x": x,
        "t": t,
        "y": y.detach(),
        "loss": loss.detach().reshape(1),
        "grad.x": xg.grad.detach(),
    }
    for pname, p in model.named_parameters():
        io[f"grad.{pname}"] = p.grad.detach()
    save_file(contiguous(io), str(FIXTURES / f"{PREFIX}{name}.io.safetensors"))
    return io


def generate_num_layers2():
    """nn.LSTM(3, 4, num_layers=2) under PyTorch's own names, and its output."""
    torch.manual_seed(NUM_LAYERS2_SEED)
    lstm = nn.LSTM(3, 4, num_layers=2, batch_first=True)
    redraw(lstm)
    x = torch.rand(BATCH, 5, 3) * 2 - 1
    with torch.no_grad():
        y, _ = lstm(x)
    sd = contiguous(lstm.state_dict())
    assert sorted(sd) == sorted(f"{w}_{k}_l{i}" for w in ("weight", "bias")
                                for k in ("ih", "hh") for i in (0, 1)), sorted(sd)

    # Document the renaming: layer l1 is a single-layer LSTM(4, 4) whose
    # `_l0` tensors are the stacked module's `_l1` tensors.
    first, second = nn.LSTM(3, 4, batch_first=True), nn.LSTM(4, 4, batch_first=True)
    first.load_state_dict({k: v for k, v in sd.items() if k.endswith("_l0")})
    second.load_state_dict({k.replace("_l1", "_l0"): v for k, v in sd.items() if k.endswith("_l1")})
    with torch.no_grad():
        y2, _ = second(first(x)[0])
    assert torch.allclose(y, y2, atol=1e-6), float((y - y2).abs().max())

    save_file(sd, str(FIXTURES / f"{PREFIX}lstm_stack.torch_num_layers2.safetensors"))
    save_file(contiguous({"x": x, "y": y}),
              str(FIXTURES / f"{PREFIX}lstm_num_layers2.io.safetensors"))
    return x, y


def check_typenet(path, arch, strict):
    if arch not in ARCHS:
        sys.exit(f"unknown --arch {arch!r}; one of {', '.join(ARCHS)}")
    model, _, _ = build(arch)
    sd = load_file(path)
    try:
        result = model.load_state_dict(sd, strict=strict)
    except RuntimeError as e:
        print(json.dumps({"arch": arch, "error": str(e),
                          "file_keys": {k: list(v.shape) for k, v in sd.items()}}, indent=1))
        sys.exit(1)
    fixture = load_file(str(FIXTURES / f"{PREFIX}{arch}.io.safetensors"))
    model.eval()
    with torch.no_grad():
        y = model(fixture["x"])
    report = {"arch": arch, "shape": list(y.shape), "y": y.flatten().tolist(),
              "max_abs_diff_vs_fixture_y": float((y - fixture["y"]).abs().max())}
    if not strict:
        report["missing_keys"] = list(result.missing_keys)
        report["unexpected_keys"] = list(result.unexpected_keys)
    print(json.dumps(report, indent=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check-typenet", metavar="FILE",
                    help="load a typenet-saved safetensors file and print its eval output")
    ap.add_argument("--arch", help="architecture name for --check-typenet")
    ap.add_argument("--no-strict", action="store_true",
                    help="load_state_dict(strict=False) for --check-typenet")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)

    if args.check_typenet:
        if not args.arch:
            ap.error("--check-typenet needs --arch NAME")
        check_typenet(args.check_typenet, args.arch, not args.no_strict)
        return

    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name in ARCHS:
        io = generate(name)
        print(f"{name}: x {list(io['x'].shape)} -> y {list(io['y'].shape)}, "
              f"loss={io['loss'].item():.6f} -> tests/fixtures/{PREFIX}{name}.{{model,io}}.safetensors")
    x, y = generate_num_layers2()
    print(f"lstm num_layers=2: x {list(x.shape)} -> y {list(y.shape)} -> "
          f"tests/fixtures/{PREFIX}lstm_stack.torch_num_layers2.safetensors, "
          f"{PREFIX}lstm_num_layers2.io.safetensors")


if __name__ == "__main__":
    main()
