#!/usr/bin/env python3
"""PyTorch reference fixtures for typenet's LayerNorm, Embedding and
Bidirectional layers (the layers of a text model).

Requirements:  pip install torch safetensors numpy

Usage (from the repository root):

    python3 tools/torch_text_reference.py
        Builds every architecture below with a fixed seed (float32, one
        thread, batch 4, batch_first=True everywhere) and writes, for each
        architecture NAME:

          tests/fixtures/text_NAME.model.safetensors
              exactly `model.state_dict()` as a PyTorch user would save it.
              PyTorch's names and layouts: `norm.weight`, `norm.bias` [F];
              `emb.weight` [V, D]; a bidirectional `rnn.weight_ih_l0` [G*U, F],
              `rnn.weight_hh_l0` [G*U, U], `rnn.bias_ih_l0`, `rnn.bias_hh_l0`
              [G*U] and the same with `_reverse` for the backward direction
              (G = 4 gates i, f, g, o for an LSTM, 3 gates r, z, n for a GRU);
              `out.weight` [OUT, IN], `out.bias` [OUT].

          tests/fixtures/text_NAME.io.safetensors
              x       [B, ..] inputs: uniform in [-1, 1], or token ids stored
                      as float32 (integers in 0..V, some repeated)
              t       targets, the shape of y
              y       forward output (train mode; there is no dropout)
              loss    [1] MSE: mean((y - t)**2) over all elements and the batch
              grad.x  d loss / d x, same shape as x (not for token ids, which
                      have no gradient)
              grad.<state_dict name>  d loss / d param, in the param's layout

Layout: typenet keeps one sample flat, last axis fastest; a sequence is
[T, F], so x, y and grad.x are stored [B, T, F] (PyTorch's batch_first).
Parameters stay exactly in PyTorch's state_dict layout; the module attribute
names are typenet's field names. Recurrent states start at zero.

All parameters are re-drawn uniform in [-0.5, 0.5] after construction
(LayerNorm's weight in [0.5, 1.5]), so biases are non-zero. Each
architecture re-seeds the RNG, so the files do not depend on the order they
are built in; they are deterministic for a given PyTorch version.

Architectures (sample shape -> output shape):
  layer_norm_flat  [6] -> norm: LayerNorm(6) -> out: Linear(6, 2) -> [2]
  layer_norm_seq   [5, 4] -> norm: LayerNorm(4, eps=1e-3), per step
                   -> out: Linear(4, 2) per step -> [5, 2]
  embedding        [6] ids < 10 -> emb: Embedding(10, 4) -> [6, 4], flattened
                   -> out: Linear(24, 2) -> [2]
  bilstm_last      [6, 3] -> rnn: LSTM(3, 4, bidirectional), h_n[0] ++ h_n[1]
                   -> out: Linear(8, 2) -> [2]
  bilstm_seq       [6, 3] -> rnn: LSTM(3, 4, bidirectional), every step
                   -> out: Linear(8, 2) per step -> [6, 2]
  bigru_last       [6, 3] -> rnn: GRU(3, 5, bidirectional), h_n[0] ++ h_n[1]
                   -> out: Linear(10, 2) -> [2]
  bigru_seq        [6, 3] -> rnn: GRU(3, 4, bidirectional), every step
                   -> out: Linear(8, 2) per step -> [6, 2]
  tagger           [7] ids < 12 -> emb: Embedding(12, 5) -> norm: LayerNorm(5)
                   -> rnn: LSTM(5, 3, bidirectional), every step
                   -> out: Linear(6, 2) per step -> [7, 2]
"""

import torch
import torch.nn as nn
from safetensors.torch import save_file
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
PREFIX = "text_"
BATCH = 4


class Normed(nn.Module):
    def __init__(self, features, n_out, eps=1e-5):
        super().__init__()
        self.norm = nn.LayerNorm(features, eps=eps)
        self.out = nn.Linear(features, n_out)  # on [B, T, F]: every step

    def forward(self, x):
        return self.out(self.norm(x))


class Embedded(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4)
        self.out = nn.Linear(24, 2)

    def forward(self, ids):
        return self.out(self.emb(ids).flatten(1))


class BiLast(nn.Module):
    def __init__(self, cell, n_in, units, n_out):
        super().__init__()
        self.rnn = cell(n_in, units, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * units, n_out)

    def forward(self, x):
        _, state = self.rnn(x)
        h_n = state[0] if isinstance(state, tuple) else state
        # h_n[0]: the forward pass after the last step; h_n[1]: the backward
        # pass after reading back to the first step.
        return self.out(torch.cat([h_n[0], h_n[1]], dim=1))


class BiSeq(nn.Module):
    def __init__(self, cell, n_in, units, n_out):
        super().__init__()
        self.rnn = cell(n_in, units, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * units, n_out)

    def forward(self, x):
        seq, _ = self.rnn(x)  # [B, T, 2U], forward direction first
        return self.out(seq)


class Tagger(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(12, 5)
        self.norm = nn.LayerNorm(5)
        self.rnn = nn.LSTM(5, 3, batch_first=True, bidirectional=True)
        self.out = nn.Linear(6, 2)

    def forward(self, ids):
        seq, _ = self.rnn(self.norm(self.emb(ids)))
        return self.out(seq)


# name -> (ctor, sample shape, output shape, vocabulary (None: real inputs), seed)
ARCHS = {
    "layer_norm_flat": (lambda: Normed(6, 2), [6], [2], None, 5001),
    "layer_norm_seq": (lambda: Normed(4, 2, eps=1e-3), [5, 4], [5, 2], None, 5002),
    "embedding": (Embedded, [6], [2], 10, 5003),
    "bilstm_last": (lambda: BiLast(nn.LSTM, 3, 4, 2), [6, 3], [2], None, 5004),
    "bilstm_seq": (lambda: BiSeq(nn.LSTM, 3, 4, 2), [6, 3], [6, 2], None, 5005),
    "bigru_last": (lambda: BiLast(nn.GRU, 3, 5, 2), [6, 3], [2], None, 5006),
    "bigru_seq": (lambda: BiSeq(nn.GRU, 3, 4, 2), [6, 3], [6, 2], None, 5007),
    "tagger": (Tagger, [7], [7, 2], 12, 5008),
}


def redraw(model):
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.startswith("norm.weight"):
                p.uniform_(0.5, 1.5)
            else:
                p.uniform_(-0.5, 0.5)


def build(name):
    """Seeded construction; returns (model, x, t, ids)."""
    ctor, in_shape, out_shape, vocabulary, seed = ARCHS[name]
    torch.manual_seed(seed)
    model = ctor()
    redraw(model)
    if vocabulary is None:
        x, ids = torch.rand(BATCH, *in_shape) * 2 - 1, None
    else:
        ids = torch.randint(0, vocabulary, (BATCH, *in_shape))
        ids[0, 1] = ids[0, 0]  # a token repeated within a sample
        ids[1, 0] = ids[0, 0]  # and across samples
        x = ids.to(torch.float32)
    t = torch.rand(BATCH, *out_shape) * 2 - 1
    return model, x, t, ids


def contiguous(d):
    return {k: v.detach().contiguous().clone() for k, v in d.items()}


def generate(name):
    model, x, t, ids = build(name)
    save_file(contiguous(model.state_dict()), str(FIXTURES / f"{PREFIX}{name}.model.safetensors"))

    model.train()
    model.zero_grad()
    if ids is None:
        xg = x.clone().requires_grad_(True)
        y = model(xg)
    else:
        y = model(ids)
    assert list(y.shape) == list(t.shape), f"{name}: y {list(y.shape)} != expected {list(t.shape)}"
    loss = torch.mean((y - t) ** 2)
    loss.backward()

    io = {"x": x, "t": t, "y": y.detach(), "loss": loss.detach().reshape(1)}
    if ids is None:
        io["grad.x"] = xg.grad.detach()
    for pname, p in model.named_parameters():
        io[f"grad.{pname}"] = p.grad.detach()
    save_file(contiguous(io), str(FIXTURES / f"{PREFIX}{name}.io.safetensors"))
    return io


def main():
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name in ARCHS:
        io = generate(name)
        print(f"{name}: x {list(io['x'].shape)} -> y {list(io['y'].shape)}, "
              f"loss={io['loss'].item():.6f} -> tests/fixtures/{PREFIX}{name}.{{model,io}}.safetensors")


if __name__ == "__main__":
    main()
