#!/usr/bin/env python3
"""PyTorch (CPU, float32) timings of typenet's benchmark workloads.

Requirements:  pip install torch safetensors numpy

Usage (from the repository root):

    python3 tools/bench_torch.py [--threads N] [--out FILE] [--quick] [--only W0,W3,CNN_DIGITS]

For each workload (W0..W4, CNN_DIGITS, CNN_MNIST, GRU_ROWS, LSTM_ROWS) it
measures, like the Rust benchmark does (warm-up, then many individually timed
repetitions, the MEDIAN reported in microseconds):

  train_us    one full step: train-mode forward (dropout active), loss,
              backward, optimizer.step(), optimizer.zero_grad()
  eval_us     eval-mode forward of the whole batch under torch.no_grad()
  predict_us  eval-mode forward of ONE sample [1, IN] (or [1, C, H, W] /
              [1, T, F]) under torch.no_grad()

and writes JSON (default target/bench_torch.json, relative to the repo root):

  {"torch_version": "...", "threads": 2, "cpu": "<model name>",
   "workloads": {"W0": {"train_us": .., "eval_us": .., "predict_us": ..}, ...}}

--threads defaults to all usable cores (torch.set_num_threads(N)).
--quick cuts the repetitions down to a smoke test; its numbers are rough.

Workloads:
  W0  1 -> Linear(1,1)+Sigmoid -> Dropout(.2) -> Linear(1,1)+Sigmoid -> Dropout(.2)
      BCE, SGD(lr=0.01, momentum=0.9, nesterov=True), batch 32
      (the output passes through Dropout, which can scale a probability above
      1, so the BCE is taken on the output clamped to [1e-7, 1-1e-7], as Keras
      does; torch's BCELoss would raise on it)
  W1  1 -> Linear(1,32)+ReLU -> Dropout(.5) -> Linear(32,1)
      MSE, Adam(1e-3), batch 32
  W2  10000 -> Linear(10000,16)+ReLU -> Linear(16,16)+ReLU -> Dropout(.5)
      -> Linear(16,1)+Sigmoid; inputs 0/1 with ~1.5 % ones
      BCE, RMSprop(1e-3), batch 512
  W3  784 -> Linear(784,256)+ReLU -> Dropout(.2) -> Linear(256,128)+ReLU
      -> Dropout(.2) -> Linear(128,10)
      CrossEntropyLoss (logits), Adam(1e-3), batch 128
  W4  37632 -> Linear(37632,512)+ReLU -> Linear(512,1024)+ReLU -> Dropout(.2)
      -> Linear(1024,1)+Sigmoid
      BCE, RMSprop(1e-3), batch 32

  Shaped workloads (PyTorch's NCHW / batch_first layouts, synthetic inputs
  uniform in [0, 1], random class labels):
  CNN_DIGITS  1x8x8 -> Conv2d(1,16,3)+ReLU -> Conv2d(16,32,3,padding='same')+ReLU
      -> MaxPool2d(2) -> Dropout2d(.2) -> Flatten -> Linear(288,10)
      CrossEntropyLoss (logits), Adam(1e-3), batch 64
  CNN_MNIST   (Keras' simple MNIST convnet, 34,826 parameters)
      1x28x28 -> Conv2d(1,32,3)+ReLU -> MaxPool2d(2) -> Conv2d(32,64,3)+ReLU
      -> MaxPool2d(2) -> Flatten -> Dropout(.5) -> Linear(1600,10)
      CrossEntropyLoss (logits), Adam(1e-3), batch 128
  GRU_ROWS    [8, 8] (8 steps of 8 features) -> GRU(8,32,batch_first), last
      step -> Dropout(.2) -> Linear(32,10)
      CrossEntropyLoss (logits), Adam(1e-3), batch 32
  LSTM_ROWS   the same with LSTM(8,32)

  Graph workloads (torchvision's models, random weights; only the operation
  the benchmark table compares is timed, fewer repetitions):
  INCEPTION_V3  inception_v3(weights=None, aux_logits=False, init_weights=False),
      eval_us only: Eval forward of a batch of 4 at 3x299x299
  RESNET18      resnet18(), train_us only: SGD(lr=0.01, momentum=0.9),
      CrossEntropyLoss over 1000 classes, batch 8 at 3x224x224
  SEED          InceptionV3 cut after Mixed_6e (7x7x768 at 150x150), frozen
      (requires_grad_(False)) and in eval(), then Flatten -> Linear(37632,512)
      +ReLU -> Linear(512,1024)+ReLU -> Dropout(.2) -> Linear(1024,1)+Sigmoid;
      train_us only: BCE, Adam(1e-3), batch 16 at 3x150x150
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn

REPO_ROOT = Path(__file__).resolve().parent.parent
EPS = 1e-7


def clamped_bce(y, t):
    return nn.functional.binary_cross_entropy(y.clamp(EPS, 1.0 - EPS), t)


class RowReader(nn.Module):
    """Recurrent layer over [B, T, F] (batch_first), its last step's output,
    Dropout, Linear."""

    def __init__(self, cell, n_in, units, n_out, rate):
        super().__init__()
        self.rnn = cell(n_in, units, batch_first=True)
        self.drop = nn.Dropout(rate)
        self.out = nn.Linear(units, n_out)

    def forward(self, x):
        seq, _ = self.rnn(x)
        return self.out(self.drop(seq[:, -1]))


def make_workload(name):
    """Returns (model, optimizer, loss_fn, x, t)."""
    torch.manual_seed(1234)
    L, S, R, D = nn.Linear, nn.Sigmoid, nn.ReLU, nn.Dropout
    if name == "W0":
        model = nn.Sequential(L(1, 1), S(), D(0.2), L(1, 1), S(), D(0.2))
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True)
        loss_fn = clamped_bce
        x = torch.randn(32, 1)
        t = torch.randint(0, 2, (32, 1)).float()
    elif name == "W1":
        model = nn.Sequential(L(1, 32), R(), D(0.5), L(32, 1))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.MSELoss()
        x = torch.randn(32, 1)
        t = torch.randn(32, 1)
    elif name == "W2":
        model = nn.Sequential(L(10000, 16), R(), L(16, 16), R(), D(0.5), L(16, 1), S())
        opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
        loss_fn = nn.BCELoss()
        x = (torch.rand(512, 10000) < 0.015).float()
        t = torch.randint(0, 2, (512, 1)).float()
    elif name == "W3":
        model = nn.Sequential(L(784, 256), R(), D(0.2), L(256, 128), R(), D(0.2), L(128, 10))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        x = torch.rand(128, 784)
        t = torch.randint(0, 10, (128,))
    elif name == "W4":
        model = nn.Sequential(L(37632, 512), R(), L(512, 1024), R(), D(0.2), L(1024, 1), S())
        opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
        loss_fn = nn.BCELoss()
        x = torch.rand(32, 37632)
        t = torch.randint(0, 2, (32, 1)).float()
    elif name == "CNN_DIGITS":
        model = nn.Sequential(nn.Conv2d(1, 16, 3), R(), nn.Conv2d(16, 32, 3, padding="same"), R(),
                              nn.MaxPool2d(2), nn.Dropout2d(0.2), nn.Flatten(), L(288, 10))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        x = torch.rand(64, 1, 8, 8)
        t = torch.randint(0, 10, (64,))
    elif name == "CNN_MNIST":
        model = nn.Sequential(nn.Conv2d(1, 32, 3), R(), nn.MaxPool2d(2),
                              nn.Conv2d(32, 64, 3), R(), nn.MaxPool2d(2),
                              nn.Flatten(), D(0.5), L(1600, 10))
        n_params = sum(p.numel() for p in model.parameters())
        assert n_params == 34826, n_params
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        x = torch.rand(128, 1, 28, 28)
        t = torch.randint(0, 10, (128,))
    elif name in ("GRU_ROWS", "LSTM_ROWS"):
        cell = nn.GRU if name == "GRU_ROWS" else nn.LSTM
        model = RowReader(cell, 8, 32, 10, 0.2)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        x = torch.rand(32, 8, 8)
        t = torch.randint(0, 10, (32,))
    elif name == "INCEPTION_V3":
        import torchvision
        model = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False)
        opt, loss_fn = None, None
        x = torch.rand(4, 3, 299, 299)
        t = None
    elif name == "RESNET18":
        import torchvision
        model = torchvision.models.resnet18()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()
        x = torch.rand(8, 3, 224, 224)
        t = torch.randint(0, 1000, (8,))
    elif name == "SEED":
        model = Seed()
        opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)
        loss_fn = nn.BCELoss()
        x = torch.rand(16, 3, 150, 150)
        t = torch.randint(0, 2, (16, 1)).float()
    else:
        raise ValueError(name)
    return model, opt, loss_fn, x, t


class Seed(nn.Module):
    """torchvision's InceptionV3 up to Mixed_6e, frozen and kept in eval()
    whatever mode the whole module is in, under the seed's head."""

    def __init__(self):
        super().__init__()
        import torchvision
        inception = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False)
        names = ["Conv2d_1a_3x3", "Conv2d_2a_3x3", "Conv2d_2b_3x3", "maxpool1", "Conv2d_3b_1x1",
                 "Conv2d_4a_3x3", "maxpool2", "Mixed_5b", "Mixed_5c", "Mixed_5d", "Mixed_6a",
                 "Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"]
        self.base = nn.Sequential(*[getattr(inception, n) for n in names])
        self.base.requires_grad_(False)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(7 * 7 * 768, 512), nn.ReLU(),
                                  nn.Linear(512, 1024), nn.ReLU(), nn.Dropout(0.2),
                                  nn.Linear(1024, 1), nn.Sigmoid())

    def train(self, mode=True):
        super().train(mode)
        self.base.eval()
        return self

    def forward(self, x):
        return self.head(self.base(x))


ALL = ["W0", "W1", "W2", "W3", "W4", "CNN_DIGITS", "CNN_MNIST", "GRU_ROWS", "LSTM_ROWS",
       "INCEPTION_V3", "RESNET18", "SEED"]
# What each graph workload times (the others time all three operations).
ONLY_OPS = {"INCEPTION_V3": ("eval_us",), "RESNET18": ("train_us",), "SEED": ("train_us",)}


def measure(fn, *, warmup_s, warmup_min, min_s, min_reps, max_s, floor_reps):
    """Median wall time of fn() in microseconds.

    Warm up for warmup_s (at least warmup_min calls), then time single calls
    until both min_reps calls and min_s seconds are done, or max_s seconds
    have passed and at least floor_reps calls were made.
    """
    start = time.perf_counter_ns()
    n = 0
    while n < warmup_min or time.perf_counter_ns() - start < warmup_s * 1e9:
        fn()
        n += 1
    samples = []
    start = time.perf_counter_ns()
    while True:
        t0 = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t0)
        elapsed = (time.perf_counter_ns() - start) / 1e9
        if len(samples) >= min_reps and elapsed >= min_s:
            break
        if elapsed >= max_s and len(samples) >= floor_reps:
            break
    return statistics.median(samples) / 1e3, len(samples)


def bench(name, quick):
    model, opt, loss_fn, x, t = make_workload(name)
    x1 = x[:1].clone()

    def train_step():
        model.train()
        out = model(x)
        loss = loss_fn(out, t)
        loss.backward()
        opt.step()
        opt.zero_grad()

    def eval_batch():
        model.eval()
        with torch.no_grad():
            model(x)

    def predict_one():
        model.eval()
        with torch.no_grad():
            model(x1)

    if quick:
        cfg = dict(warmup_s=0.05, warmup_min=2, min_s=0.2, min_reps=10, max_s=1.0, floor_reps=3)
    elif name in ONLY_OPS:
        cfg = dict(warmup_s=1.0, warmup_min=3, min_s=5.0, min_reps=21, max_s=30.0, floor_reps=11)
    else:
        cfg = dict(warmup_s=0.5, warmup_min=5, min_s=1.0, min_reps=200, max_s=15.0, floor_reps=30)

    res = {}
    for key, fn in (("train_us", train_step), ("eval_us", eval_batch), ("predict_us", predict_one)):
        if key not in ONLY_OPS.get(name, (key,)):
            continue
        med, reps = measure(fn, **cfg)
        res[key] = round(med, 3)
        print(f"  {name} {key:<10} {med:12.1f} us  ({reps} reps)", file=sys.stderr)
    return res


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform
    return platform.processor() or platform.machine()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    try:
        default_threads = len(os.sched_getaffinity(0))
    except AttributeError:
        default_threads = os.cpu_count() or 1
    ap.add_argument("--threads", type=int, default=default_threads)
    ap.add_argument("--out", default=None,
                    help="output JSON (default: target/bench_torch.json in the repo)")
    ap.add_argument("--quick", action="store_true", help="few repetitions (smoke test)")
    ap.add_argument("--only", default=None, help="comma-separated subset, e.g. W0,W3,CNN_MNIST")
    args = ap.parse_args()

    names = ALL
    if args.only:
        names = [n.strip().upper() for n in args.only.split(",") if n.strip()]
        bad = [n for n in names if n not in ALL]
        if bad:
            ap.error(f"unknown workload(s) {bad}; choose from {ALL}")

    torch.set_num_threads(args.threads)
    torch.set_default_dtype(torch.float32)
    out = Path(args.out) if args.out else REPO_ROOT / "target" / "bench_torch.json"

    print(f"torch {torch.__version__}, threads={torch.get_num_threads()}", file=sys.stderr)
    workloads = {}
    for name in names:
        workloads[name] = bench(name, args.quick)

    result = {
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "cpu": cpu_model(),
        "workloads": workloads,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
