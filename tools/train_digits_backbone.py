#!/usr/bin/env python3
"""Trains a small PyTorch conv backbone on the handwritten digits 0-4 and
saves it as a fixture for typenet's transfer-learning tests.

Requirements:  pip install torch safetensors numpy

Usage (from the repository root):

    python3 tools/train_digits_backbone.py [--epochs 30] [--lr 1e-2]

Data: net-core/data/digits.csv.gz (gzipped CSV, no header; per row 64 pixel
values 0..16, row-major over the 8x8 image, then the label 0..9). Pixels are
scaled by 1/16. Only the digits 0-4 are used, split 80/20 per class
(stratified) with a fixed seed.

Model (module names are typenet's field names):

    conv1 = nn.Conv2d(1, 8, 3)  + relu    8x8x1  -> 6x6x8
    conv2 = nn.Conv2d(8, 16, 3) + relu           -> 4x4x16
    pool  = nn.MaxPool2d(2)                      -> 2x2x16
    head  = nn.Linear(64, 5) on nn.Flatten()     (temporary, not saved)

trained with Adam and cross-entropy for --epochs epochs (batch 32, fixed
seeds, float32, one thread). It prints the head's test accuracy and writes

    tests/fixtures/digits_backbone.safetensors
        ONLY the backbone: conv1.weight [8, 1, 3, 3], conv1.bias [8],
        conv2.weight [16, 8, 3, 3], conv2.bias [16] (PyTorch's state_dict
        names and layouts).

Layout notes for typenet: an image is kept channels-last, [H, W, C]. With
C = 1 the 8x8x1 image as [H, W, C] has the same memory order as PyTorch's
[C, H, W], so the 64 CSV pixels feed either side unchanged. The 2x2x16 map
after the pool, however, is flattened by PyTorch channels first ([C, H, W]
order, nn.Flatten on NCHW): a head put on typenet's [2, 2, 16] map must use
`Flatten(channels_first)` to take PyTorch's `head.weight` as is (the head is
not saved here; typenet trains its own).
"""

import argparse
import gzip
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA = REPO_ROOT / "net-core" / "data" / "digits.csv.gz"
OUT = REPO_ROOT / "tests" / "fixtures" / "digits_backbone.safetensors"
CLASSES = 5
SEED = 4242
BACKBONE = ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias")


class DigitsNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3)
        self.conv2 = nn.Conv2d(8, 16, 3)
        self.pool = nn.MaxPool2d(2)
        self.flat = nn.Flatten()  # NCHW: channels first
        self.head = nn.Linear(64, CLASSES)

    def forward(self, x):  # x: [B, 1, 8, 8]
        h = F.relu(self.conv1(x))
        h = F.relu(self.conv2(h))
        return self.head(self.flat(self.pool(h)))


def load_digits():
    with gzip.open(DATA, "rt") as f:
        rows = np.loadtxt(f, delimiter=",", dtype=np.float32)
    x, y = rows[:, :64] / 16.0, rows[:, 64].astype(np.int64)
    keep = y < CLASSES
    return x[keep], y[keep]


def stratified_split(y, test_fraction, seed):
    rng = np.random.RandomState(seed)
    train, test = [], []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        n_test = int(round(len(idx) * test_fraction))
        test.extend(idx[:n_test])
        train.extend(idx[n_test:])
    return np.sort(np.array(train)), np.sort(np.array(test))


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--lr", type=float, default=1e-2)
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    torch.manual_seed(SEED)

    x_np, y_np = load_digits()
    tr, te = stratified_split(y_np, 0.2, SEED)
    # 64 pixels row-major = [H, W, C] with C = 1 = [C, H, W]
    x = torch.from_numpy(x_np).reshape(-1, 1, 8, 8)
    y = torch.from_numpy(y_np)
    x_tr, y_tr, x_te, y_te = x[tr], y[tr], x[te], y[te]
    print(f"digits 0-{CLASSES - 1}: {len(tr)} train, {len(te)} test")

    model = DigitsNet()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    shuffle = torch.Generator().manual_seed(SEED)
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(x_tr), generator=shuffle)
        total = 0.0
        for i in range(0, len(order), args.batch):
            b = order[i:i + args.batch]
            loss = F.cross_entropy(model(x_tr[b]), y_tr[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
        if epoch % 5 == 0 or epoch == args.epochs:
            print(f"epoch {epoch:3d}: train loss {total / len(x_tr):.4f}, "
                  f"train acc {accuracy(model, x_tr, y_tr):.4f}, "
                  f"test acc {accuracy(model, x_te, y_te):.4f}")

    test_acc = accuracy(model, x_te, y_te)
    print(f"head test accuracy: {test_acc:.4f} ({round(test_acc * len(te))}/{len(te)})")

    sd = model.state_dict()
    backbone = {k: sd[k].detach().contiguous().clone() for k in BACKBONE}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    save_file(backbone, str(OUT))
    print(f"wrote tests/fixtures/{OUT.name}: "
          + ", ".join(f"{k} {list(v.shape)}" for k, v in backbone.items()))


if __name__ == "__main__":
    main()
