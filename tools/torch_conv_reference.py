#!/usr/bin/env python3
"""PyTorch reference fixtures for typenet's convolution and pooling layers.

Requirements:  pip install torch safetensors numpy

Usage (from the repository root):

    python3 tools/torch_conv_reference.py
        Builds every architecture below with a fixed seed (float32, one
        thread) and writes, for each architecture NAME:

          tests/fixtures/conv_NAME.model.safetensors
              exactly `model.state_dict()` as a PyTorch user would save it,
              taken BEFORE the training forward (BatchNorm2d includes its
              int64 `num_batches_tracked`). PyTorch's names and layouts:
              `conv.weight` [F, C, KH, KW] (Conv1d: [F, C, K]), `conv.bias`
              [F], `fc.weight` [OUT, IN], `bn.weight`/`bn.bias`/
              `bn.running_mean`/`bn.running_var` [F].

          tests/fixtures/conv_NAME.io.safetensors
              x       [B, H, W, C] (images) or [B, T, C] (1-D maps) inputs,
                      uniform in [-1, 1]
              t       targets, the shape of y
              y       forward output of ONE train-mode forward:
                      [B, H', W', F] / [B, T', F] for conv/pool outputs,
                      [B, F] after a global pooling or a Linear
              loss    [1] MSE: mean((y - t)**2) over all elements and the batch
              grad.x  d loss / d x, in x's layout
              grad.<state_dict name>  d loss / d param, in the param's layout
            and for `bn2d` additionally
              running_mean_after        [F] after the one train forward
              running_var_after         [F] PyTorch's update (UNBIASED batch var)
              running_var_after_biased  [F] Keras-style update (biased batch var,
                                        n = B*H*W): 0.9 * old + 0.1 * var_biased
              y_eval                    eval-mode output after the train forward,
                                        using the biased running var -- what
                                        typenet must produce
              y_eval_unbiased           same with PyTorch's own running var

    python3 tools/torch_conv_reference.py --only NAME [--only NAME ...]
        Writes only those architectures, leaving the committed fixtures of
        the others byte for byte as they are.

    python3 tools/torch_conv_reference.py --check-typenet FILE --arch NAME [--no-strict]
        Builds architecture NAME, loads FILE (a safetensors file written by
        typenet) with `load_state_dict`, runs the fixture's `x` through it in
        eval mode and prints the output as JSON with the max abs difference
        to the fixture's `y` / `y_eval`.

Layout: typenet keeps one sample channels-last and flat, last axis fastest
(an image [H, W, C], a 1-D map [T, C]), so x, y and grad.x are stored
channels-last with the batch first. PyTorch computes in NCHW / NCL: every
model below takes and returns the channels-last tensors and permutes
internally. Parameters stay exactly in PyTorch's state_dict layout. The
module attribute names are typenet's field names.

All parameters are re-drawn uniform in [-0.5, 0.5] after construction, so
biases are non-zero. Each architecture re-seeds the RNG, so the files do not
depend on the order they are built in; they are deterministic for a given
PyTorch version.

Architectures (sample shapes, batch 4 unless noted):
  conv2d_geometry     [7, 9, 3] -> Conv2d(3, 4, (3, 2), stride=(2, 1), padding=1,
                      dilation=2) + tanh -> [3, 9, 4]
  conv2d_same_nobias  [6, 5, 2] -> Conv2d(2, 3, 3, 'same') + relu
                      -> Conv2d(3, 2, 3, 'same', bias=False) -> [6, 5, 2]
  conv1d_causal       [10, 3] -> left zero-pad 4 -> Conv1d(3, 4, 3, dilation=2)
                      + tanh -> [10, 4]
  conv2d_same_even    [7, 6, 2] -> Conv2d(2, 3, (2, 4), 'same', dilation=(3, 1)) + tanh
                      -> [7, 6, 3]: even kernels, an odd number of zeros on
                      each axis (3), PyTorch's one extra zero AFTER the input
  conv1d_same_even    [9, 3] -> Conv1d(3, 4, 2, 'same', dilation=3) -> [9, 4]
  pool_max2d          [6, 7, 3] -> Conv2d(3, 4, 1) -> MaxPool2d(2) -> [3, 3, 4]
  pool_avg2d          [7, 7, 3] -> Conv2d(3, 4, 1) -> AvgPool2d(3, stride=2) -> [3, 3, 4]
  pool_max1d          [9, 4] -> Conv1d(4, 5, 2) -> MaxPool1d(2) -> [4, 5]
  pool_avg1d          [9, 4] -> Conv1d(4, 5, 2) -> AvgPool1d(3, stride=2) -> [3, 5]
  pool_max2d_padded   [7, 6, 3] -> Conv2d(3, 4, 1) -> MaxPool2d(3, stride=2, padding=1) -> [4, 3, 4]
  pool_avg2d_padded   [7, 6, 3] -> Conv2d(3, 4, 1) -> AvgPool2d((3, 2), stride=(2, 1), padding=1)
                      (count_include_pad=True, PyTorch's default) -> [4, 7, 4]
  pool_max1d_padded   [9, 4] -> Conv1d(4, 5, 2) -> MaxPool1d(3, stride=2, padding=1) -> [4, 5]
  pool_avg1d_padded   [9, 4] -> Conv1d(4, 5, 2) -> AvgPool1d(3, stride=1, padding=1) -> [8, 5]
  pool_avg2d_same     [6, 5, 3] -> Conv2d(3, 4, 1) -> Keras' AveragePooling2D(2, strides=1,
                      padding="same"): one zero after each axis, not counted -> [6, 5, 4]
  pool_avg1d_same     [9, 4] -> Conv1d(4, 5, 2) -> Keras' AveragePooling1D(4, strides=1,
                      padding="same"): one zero before, two after, not counted -> [8, 5]
  pool_global_avg     [5, 6, 3] -> Conv2d(3, 4, 3, 'same') -> mean over H, W -> [4]
  pool_global_max     [5, 6, 3] -> Conv2d(3, 4, 3, 'same') -> max over H, W -> [4]
  bn2d                [5, 5, 3], batch 6 -> Conv2d(3, 4, 3, padding=1, bias=False)
                      -> BatchNorm2d(4, eps=1e-5, momentum=0.1) -> relu
                      -> Conv2d(4, 2, 1) -> [5, 5, 2]
  cnn_classifier      [8, 8, 1], batch 5 -> Conv2d(1, 6, 3) + relu -> MaxPool2d(2)
                      -> Conv2d(6, 8, 2) + relu -> Flatten (NCHW, channels first)
                      -> Linear(32, 10) -> [10]
"""

import argparse
import json
import sys
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
PREFIX = "conv_"


def nhwc_to_nchw(x):
    return x.permute(0, 3, 1, 2)


def nchw_to_nhwc(x):
    return x.permute(0, 2, 3, 1)


def ntc_to_nct(x):
    return x.permute(0, 2, 1)


nct_to_ntc = ntc_to_nct


def conv_out(n, k, s=1, p=0, d=1):
    """PyTorch's output size: floor((n + 2p - d(k-1) - 1) / s) + 1."""
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


# --------------------------------------------------------------------------
# Models: take channels-last x, return channels-last (or flat) y
# --------------------------------------------------------------------------


class Conv2dGeometry(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=1, dilation=2)

    def forward(self, x):
        return nchw_to_nhwc(torch.tanh(self.conv(nhwc_to_nchw(x))))


class Conv2dSameNoBias(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(2, 3, 3, padding="same")
        self.conv2 = nn.Conv2d(3, 2, 3, padding="same", bias=False)

    def forward(self, x):
        return nchw_to_nhwc(self.conv2(F.relu(self.conv1(nhwc_to_nchw(x)))))


class Conv1dCausal(nn.Module):
    K, DILATION = 3, 2

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 4, self.K, dilation=self.DILATION)

    def forward(self, x):
        h = F.pad(ntc_to_nct(x), (self.DILATION * (self.K - 1), 0))  # left of the time axis
        return nct_to_ntc(torch.tanh(self.conv(h)))


class Conv2dSameEven(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, (2, 4), padding="same", dilation=(3, 1))

    def forward(self, x):
        return nchw_to_nhwc(torch.tanh(self.conv(nhwc_to_nchw(x))))


class Conv1dSameEven(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 4, 2, padding="same", dilation=3)

    def forward(self, x):
        return nct_to_ntc(self.conv(ntc_to_nct(x)))


class Pool2d(nn.Module):
    def __init__(self, pool):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 1)
        self.pool = pool

    def forward(self, x):
        return nchw_to_nhwc(self.pool(self.conv(nhwc_to_nchw(x))))


class Pool1d(nn.Module):
    def __init__(self, pool):
        super().__init__()
        self.conv = nn.Conv1d(4, 5, 2)
        self.pool = pool

    def forward(self, x):
        return nct_to_ntc(self.pool(self.conv(ntc_to_nct(x))))


class KerasSameAvgPool(nn.Module):
    """Keras' `AveragePooling(pool_size=k, strides=1, padding="same")`: the
    zeros Keras adds (half before, the rest after) are not counted, so each
    window's sum is divided by the number of real inputs in it. Agrees with
    Keras 3 on its JAX backend (TensorFlow's rule) to 6e-8 for windows 2 to 5;
    Keras 3.15 on its torch backend averages even windows of 4 otherwise."""

    def __init__(self, k, rank):
        super().__init__()
        self.k, self.rank = k, rank

    def forward(self, h):
        before = (self.k - 1) // 2
        pads = (before, self.k - 1 - before) * self.rank
        pool = F.avg_pool2d if self.rank == 2 else F.avg_pool1d
        # Both means divide by the whole window: their ratio is the sum over
        # the real inputs divided by their number.
        ones = torch.ones_like(h[:1, :1])
        return pool(F.pad(h, pads), self.k, stride=1) / pool(F.pad(ones, pads), self.k, stride=1)


class GlobalPool(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding="same")
        self.kind = kind

    def forward(self, x):
        h = self.conv(nhwc_to_nchw(x))
        if self.kind == "avg":
            return h.mean(dim=(2, 3))
        return h.amax(dim=(2, 3))


class Bn2d(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, padding=1, bias=False)
        # PyTorch momentum 0.1 == Keras/typenet momentum 0.9:
        #   running = 0.9 * running + 0.1 * batch_stat
        self.bn = nn.BatchNorm2d(4, eps=1e-5, momentum=0.1)
        self.out = nn.Conv2d(4, 2, 1)

    def forward(self, x):
        return nchw_to_nhwc(self.out(F.relu(self.bn(self.conv(nhwc_to_nchw(x))))))


class CnnClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 3)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(6, 8, 2)
        self.flat = nn.Flatten()  # on NCHW: channels first, as PyTorch classifiers do
        self.fc = nn.Linear(32, 10)

    def forward(self, x):
        h = F.relu(self.conv1(nhwc_to_nchw(x)))
        h = F.relu(self.conv2(self.pool(h)))
        return self.fc(self.flat(h))


# --------------------------------------------------------------------------
# Architecture table: name -> (ctor, sample shape, output shape, batch, seed)
# --------------------------------------------------------------------------

GEOM_OUT = [conv_out(7, 3, s=2, p=1, d=2), conv_out(9, 2, s=1, p=1, d=2), 4]

ARCHS = {
    "conv2d_geometry": (Conv2dGeometry, [7, 9, 3], GEOM_OUT, 4, 2001),
    "conv2d_same_nobias": (Conv2dSameNoBias, [6, 5, 2], [6, 5, 2], 4, 2002),
    "conv1d_causal": (Conv1dCausal, [10, 3], [10, 4], 4, 2003),
    "conv2d_same_even": (Conv2dSameEven, [7, 6, 2], [7, 6, 3], 4, 2018),
    "conv1d_same_even": (Conv1dSameEven, [9, 3], [9, 4], 4, 2019),
    "pool_max2d": (lambda: Pool2d(nn.MaxPool2d(2)), [6, 7, 3], [3, 3, 4], 4, 2004),
    "pool_avg2d": (lambda: Pool2d(nn.AvgPool2d(3, stride=2)), [7, 7, 3], [3, 3, 4], 4, 2005),
    "pool_max1d": (lambda: Pool1d(nn.MaxPool1d(2)), [9, 4], [4, 5], 4, 2006),
    "pool_avg1d": (lambda: Pool1d(nn.AvgPool1d(3, stride=2)), [9, 4], [3, 5], 4, 2007),
    "pool_max2d_padded": (lambda: Pool2d(nn.MaxPool2d(3, stride=2, padding=1)), [7, 6, 3], [4, 3, 4], 4, 2012),
    "pool_avg2d_padded": (lambda: Pool2d(nn.AvgPool2d((3, 2), stride=(2, 1), padding=1)),
                          [7, 6, 3], [4, 7, 4], 4, 2013),
    "pool_max1d_padded": (lambda: Pool1d(nn.MaxPool1d(3, stride=2, padding=1)), [9, 4], [4, 5], 4, 2014),
    "pool_avg1d_padded": (lambda: Pool1d(nn.AvgPool1d(3, stride=1, padding=1)), [9, 4], [8, 5], 4, 2015),
    "pool_avg2d_same": (lambda: Pool2d(KerasSameAvgPool(2, 2)), [6, 5, 3], [6, 5, 4], 4, 2016),
    "pool_avg1d_same": (lambda: Pool1d(KerasSameAvgPool(4, 1)), [9, 4], [8, 5], 4, 2017),
    "pool_global_avg": (lambda: GlobalPool("avg"), [5, 6, 3], [4], 4, 2008),
    "pool_global_max": (lambda: GlobalPool("max"), [5, 6, 3], [4], 4, 2009),
    "bn2d": (Bn2d, [5, 5, 3], [5, 5, 2], 6, 2010),
    "cnn_classifier": (CnnClassifier, [8, 8, 1], [10], 5, 2011),
}


def build(name):
    """Seeded construction; returns (model, x, t)."""
    ctor, in_shape, out_shape, batch, seed = ARCHS[name]
    torch.manual_seed(seed)
    model = ctor()
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-0.5, 0.5)
        if name == "bn2d":
            bn = model.bn
            n = bn.num_features
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.5, 0.5)
            bn.running_mean.copy_(torch.randn(n) * 0.5)
            bn.running_var.copy_(torch.empty(n).uniform_(0.5, 2.0))
    x = torch.rand(batch, *in_shape) * 2 - 1
    t = torch.rand(batch, *out_shape) * 2 - 1
    return model, x, t


def contiguous(d):
    return {k: v.detach().contiguous().clone() for k, v in d.items()}


def generate(name):
    model, x, t = build(name)
    state_before = contiguous(model.state_dict())
    save_file(state_before, str(FIXTURES / f"{PREFIX}{name}.model.safetensors"))

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

    if name == "bn2d":
        bn = model.bn
        with torch.no_grad():
            h = model.conv(nhwc_to_nchw(x))  # BN input of the train forward
        n = h.numel() // h.shape[1]  # N * H * W
        batch_mean = h.mean(dim=(0, 2, 3))
        var_biased = h.var(dim=(0, 2, 3), unbiased=False)
        old_mean = state_before["bn.running_mean"]
        old_var = state_before["bn.running_var"]
        rm_after = bn.running_mean.detach().clone()
        rv_after_torch = bn.running_var.detach().clone()  # uses UNBIASED var
        assert torch.allclose(rm_after, 0.9 * old_mean + 0.1 * batch_mean, atol=1e-6)
        assert torch.allclose(rv_after_torch, 0.9 * old_var + 0.1 * var_biased * n / (n - 1),
                              atol=1e-5)
        assert int(bn.num_batches_tracked) == 1
        rv_after_biased = 0.9 * old_var + 0.1 * var_biased
        io["running_mean_after"] = rm_after
        io["running_var_after"] = rv_after_torch
        io["running_var_after_biased"] = rv_after_biased

        model.eval()
        with torch.no_grad():
            io["y_eval_unbiased"] = model(x).detach().clone()
            bn.running_var.copy_(rv_after_biased)
            io["y_eval"] = model(x).detach().clone()

    save_file(contiguous(io), str(FIXTURES / f"{PREFIX}{name}.io.safetensors"))
    return io


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
    report = {"arch": arch, "shape": list(y.shape), "y": y.flatten().tolist()}
    if not strict:
        report["missing_keys"] = list(result.missing_keys)
        report["unexpected_keys"] = list(result.unexpected_keys)
    for key in ("y", "y_eval"):
        if key in fixture:
            report[f"max_abs_diff_vs_fixture_{key}"] = float((y - fixture[key]).abs().max())
    print(json.dumps(report, indent=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check-typenet", metavar="FILE",
                    help="load a typenet-saved safetensors file and print its eval output")
    ap.add_argument("--arch", help="architecture name for --check-typenet")
    ap.add_argument("--no-strict", action="store_true",
                    help="load_state_dict(strict=False) for --check-typenet")
    ap.add_argument("--only", metavar="NAME", action="append",
                    help="write only these architectures (repeatable); the other "
                         "fixtures stay as committed")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)

    if args.check_typenet:
        if not args.arch:
            ap.error("--check-typenet needs --arch NAME")
        check_typenet(args.check_typenet, args.arch, not args.no_strict)
        return

    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name in args.only or ARCHS:
        if name not in ARCHS:
            sys.exit(f"unknown --only {name!r}; one of {', '.join(ARCHS)}")
        io = generate(name)
        print(f"{name}: x {list(io['x'].shape)} -> y {list(io['y'].shape)}, "
              f"loss={io['loss'].item():.6f} -> tests/fixtures/{PREFIX}{name}.{{model,io}}.safetensors")


if __name__ == "__main__":
    main()
