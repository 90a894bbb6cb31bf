#!/usr/bin/env python3
"""PyTorch reference fixtures for typenet's interop / numerics tests.

Requirements:  pip install torch safetensors numpy

Usage (from the repository root):

    python3 tools/torch_reference.py
        Builds every reference architecture below with a fixed seed (float32,
        one thread) and writes, for each architecture NAME:

          tests/fixtures/NAME.model.safetensors
              exactly `model.state_dict()` as a PyTorch user would save it
              (BatchNorm1d includes its int64 `num_batches_tracked`).

          tests/fixtures/NAME.io.safetensors
              x     [B, IN]   inputs (float32)
              t     [B, OUT]  targets
              y     [B, OUT]  forward output (train mode)
              loss  [1]       mean loss of that forward
              grad.<param>    d loss / d param for every named parameter
            and for `batchnorm` additionally
              running_mean_after        [F] after the one train forward
              running_var_after         [F] PyTorch's update (UNBIASED batch var)
              running_var_after_biased  [F] Keras-style update (biased batch var)
              y_eval                    [B, OUT] eval-mode output after the train
                                        forward, using the Keras-style (biased)
                                        running var -- what typenet must produce
              y_eval_unbiased           [B, OUT] same with PyTorch's running var

    python3 tools/torch_reference.py --check-typenet FILE --arch NAME [--no-strict]
        Builds architecture NAME, loads FILE (a safetensors file written by
        typenet) with `load_state_dict(..., strict=True)`, runs the fixture's
        `x` (tests/fixtures/NAME.io.safetensors) through it in eval mode and
        prints the output as JSON, together with the max abs difference to the
        fixture's `y` (and `y_eval`, when present) for a quick comparison.

    python3 tools/torch_reference.py --adam-steps
        Reads each committed NAME.model.safetensors and NAME.io.safetensors
        (nothing else is rewritten), takes two training steps on the
        fixture's x and t with torch.optim.Adam at lr 0.05 and writes the
        parameters after each step to tests/fixtures/NAME.adam.safetensors
        (`step1.<param>`, `step2.<param>`). typenet's Adam is Keras' form,
        `lr * sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps)`;
        PyTorch's adds its eps after the bias correction of v, so step t
        uses eps = 1e-7 / sqrt(1 - beta2^t) to take the same step.

Architectures: dense_bce, tanh_softmax_ce, gelu_logits_ce, batchnorm, nested.
The output is deterministic for a given PyTorch version (each architecture
re-seeds the RNG, so the files do not depend on the order they are built in).
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
EPS = 1e-7  # Keras backend epsilon

BATCH = 6


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------


class DenseBce(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(5, 8)
        self.fc2 = nn.Linear(8, 4)
        self.out = nn.Linear(4, 1)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return torch.sigmoid(self.out(x))


class TanhSoftmax(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 10)
        self.out = nn.Linear(10, 4)

    def forward(self, x):
        return torch.softmax(self.out(torch.tanh(self.fc1(x))), dim=1)


class GeluLogits(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 10)
        self.act1 = nn.GELU()  # exact (erf) GELU
        self.fc2 = nn.Linear(10, 8)
        self.act2 = nn.LeakyReLU(0.2)
        self.out = nn.Linear(8, 4)

    def forward(self, x):
        return self.out(self.act2(self.fc2(self.act1(self.fc1(x)))))


class BatchNormNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(5, 8)
        # PyTorch momentum 0.01 == Keras momentum 0.99:
        #   running = 0.99 * running + 0.01 * batch_stat
        self.bn = nn.BatchNorm1d(8, eps=1e-3, momentum=0.01)
        self.out = nn.Linear(8, 3)

    def forward(self, x):
        return self.out(F.relu(self.bn(self.fc1(x))))


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 8)
        self.fc2 = nn.Linear(8, 5)

    def forward(self, x):
        return F.relu(self.fc2(F.relu(self.fc1(x))))


class Nested(nn.Module):
    def __init__(self):
        super().__init__()
        self.base = Backbone()
        self.head = nn.Linear(5, 2)

    def forward(self, x):
        return self.head(self.base(x))


# --------------------------------------------------------------------------
# Losses (all return a scalar mean loss)
# --------------------------------------------------------------------------


def keras_bce(y, t):
    """Keras binary_crossentropy on probabilities, mean over batch and outputs."""
    p = torch.clamp(y, EPS, 1.0 - EPS)
    return -torch.mean(t * torch.log(p + EPS) + (1.0 - t) * torch.log(1.0 - p + EPS))


def keras_cce(y, t):
    """Keras categorical_crossentropy on probabilities, mean over batch."""
    p = y / y.sum(dim=1, keepdim=True)
    p = torch.clamp(p, EPS, 1.0 - EPS)
    return torch.mean(-torch.sum(t * torch.log(p), dim=1))


def logits_ce(y, t):
    """nn.CrossEntropyLoss on logits with class indices taken from one-hot t."""
    return nn.CrossEntropyLoss()(y, t.argmax(dim=1))


def mse(y, t):
    return nn.MSELoss()(y, t)


# --------------------------------------------------------------------------
# Architecture table: name -> (model ctor, in, out, target kind, loss, seed)
# --------------------------------------------------------------------------


ARCHS = {
    "dense_bce": (DenseBce, 5, 1, "binary", keras_bce, 1010),
    "tanh_softmax_ce": (TanhSoftmax, 6, 4, "onehot", keras_cce, 1002),
    "gelu_logits_ce": (GeluLogits, 6, 4, "onehot", logits_ce, 1003),
    "batchnorm": (BatchNormNet, 5, 3, "normal", mse, 1004),
    "nested": (Nested, 6, 2, "normal", mse, 1001),
}


def make_targets(kind, b, n_out):
    if kind == "binary":
        return torch.randint(0, 2, (b, n_out)).to(torch.float32)
    if kind == "onehot":
        # every class appears at least once when b >= n_out
        idx = torch.randperm(b) % n_out
        return F.one_hot(idx, n_out).to(torch.float32)
    if kind == "normal":
        return torch.randn(b, n_out)
    raise ValueError(kind)


def build(name):
    """Seeded construction; returns (model, x, t, loss_fn)."""
    ctor, n_in, n_out, tkind, loss_fn, seed = ARCHS[name]
    torch.manual_seed(seed)
    model = ctor()
    if name == "batchnorm":
        # Non-trivial BN state so that the eval path is really exercised.
        with torch.no_grad():
            model.bn.weight.copy_(torch.empty(8).uniform_(0.5, 1.5))
            model.bn.bias.copy_(torch.randn(8) * 0.3)
            model.bn.running_mean.copy_(torch.randn(8) * 0.5)
            model.bn.running_var.copy_(torch.empty(8).uniform_(0.5, 2.0))
    x = torch.randn(BATCH, n_in)
    t = make_targets(tkind, BATCH, n_out)
    return model, x, t, loss_fn


def contiguous(d):
    return {k: v.detach().contiguous().clone() for k, v in d.items()}


def generate(name):
    model, x, t, loss_fn = build(name)
    state_before = contiguous(model.state_dict())
    save_file(state_before, str(FIXTURES / f"{name}.model.safetensors"))

    model.train()
    model.zero_grad()
    y = model(x)
    loss = loss_fn(y, t)
    loss.backward()

    io = {
        "x": x,
        "t": t,
        "y": y.detach(),
        "loss": loss.detach().reshape(1),
    }
    for pname, p in model.named_parameters():
        io[f"grad.{pname}"] = p.grad.detach()

    if name == "batchnorm":
        bn = model.bn
        h = model.fc1(x).detach()  # BN input of the train forward
        batch_mean = h.mean(dim=0)
        batch_var_biased = h.var(dim=0, unbiased=False)
        old_mean = state_before["bn.running_mean"]
        old_var = state_before["bn.running_var"]
        rm_after = bn.running_mean.detach().clone()
        rv_after_torch = bn.running_var.detach().clone()  # uses UNBIASED var
        # sanity: our reconstruction of PyTorch's update matches
        exp_rm = 0.99 * old_mean + 0.01 * batch_mean
        assert torch.allclose(rm_after, exp_rm, atol=1e-6), "running_mean mismatch"
        rv_after_biased = 0.99 * old_var + 0.01 * batch_var_biased
        io["running_mean_after"] = rm_after
        io["running_var_after"] = rv_after_torch
        io["running_var_after_biased"] = rv_after_biased

        model.eval()
        with torch.no_grad():
            io["y_eval_unbiased"] = model(x).detach().clone()
            # typenet follows Keras: running var is updated with the BIASED
            # batch variance, so `y_eval` is the eval output using that one.
            bn.running_var.copy_(rv_after_biased)
            io["y_eval"] = model(x).detach().clone()

    save_file(contiguous(io), str(FIXTURES / f"{name}.io.safetensors"))
    return io


ADAM_LR, ADAM_BETAS, KERAS_EPSILON = 0.05, (0.9, 0.999), 1e-7


def adam_steps(name):
    """Two Adam steps from the committed fixture; returns the tensors written."""
    model, _, _, loss_fn = build(name)
    model.load_state_dict(load_file(str(FIXTURES / f"{name}.model.safetensors")))
    io = load_file(str(FIXTURES / f"{name}.io.safetensors"))
    x, t = io["x"], io["t"]
    opt = torch.optim.Adam(model.parameters(), lr=ADAM_LR, betas=ADAM_BETAS)
    out = {}
    model.train()
    for step in (1, 2):
        opt.param_groups[0]["eps"] = KERAS_EPSILON / (1.0 - ADAM_BETAS[1] ** step) ** 0.5
        opt.zero_grad()
        loss_fn(model(x), t).backward()
        opt.step()
        for pname, p in model.named_parameters():
            out[f"step{step}.{pname}"] = p.detach().clone()
    save_file(contiguous(out), str(FIXTURES / f"{name}.adam.safetensors"))
    return out


def check_typenet(path, arch, strict):
    if arch not in ARCHS:
        sys.exit(f"unknown --arch {arch!r}; one of {', '.join(ARCHS)}")
    model, _, _, _ = build(arch)
    sd = load_file(path)
    try:
        result = model.load_state_dict(sd, strict=strict)
    except RuntimeError as e:
        print(json.dumps({"arch": arch, "error": str(e),
                          "file_keys": {k: list(v.shape) for k, v in sd.items()}},
                         indent=1))
        sys.exit(1)
    fixture = load_file(str(FIXTURES / f"{arch}.io.safetensors"))
    x = fixture["x"]
    model.eval()
    with torch.no_grad():
        y = model(x)
    report = {"arch": arch, "y": y.tolist()}
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
    ap.add_argument("--adam-steps", action="store_true",
                    help="write only NAME.adam.safetensors from the committed fixtures")
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)

    if args.check_typenet:
        if not args.arch:
            ap.error("--check-typenet needs --arch NAME")
        check_typenet(args.check_typenet, args.arch, not args.no_strict)
        return

    if args.adam_steps:
        for name in ARCHS:
            adam_steps(name)
            print(f"{name}: two Adam steps -> tests/fixtures/{name}.adam.safetensors")
        return

    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name in ARCHS:
        io = generate(name)
        print(f"{name}: loss={io['loss'].item():.6f} "
              f"-> tests/fixtures/{name}.model.safetensors, {name}.io.safetensors")


if __name__ == "__main__":
    main()
