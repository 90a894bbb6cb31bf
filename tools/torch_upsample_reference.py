#!/usr/bin/env python3
"""PyTorch reference fixtures for typenet's upsampling layers:
`Conv2dTranspose` (nn.ConvTranspose2d) and `UpSampling2d` (nn.Upsample,
mode 'nearest').

Requirements:  pip install torch safetensors numpy

Usage (from the repository root):

    python3 tools/torch_upsample_reference.py
        Builds every architecture below with a fixed seed (float32, one
        thread) and writes, for each architecture NAME:

          tests/fixtures/upsample_NAME.model.safetensors
              exactly `model.state_dict()`, taken before the training
              forward. PyTorch's names and layouts: a transposed
              convolution's `weight` is [C_in, F, KH, KW] and its `bias` [F];
              a convolution's `weight` [F, C, KH, KW].

          tests/fixtures/upsample_NAME.io.safetensors
              x       [B, H, W, C] inputs, uniform in [-1, 1]
              t       targets, the shape of y
              y       output of one train-mode forward, [B, H', W', F]
              loss    [1] MSE: mean((y - t)**2) over all elements and the batch
              grad.x  d loss / d x, in x's layout
              grad.<state_dict name>  d loss / d param, in the param's layout

Layout: typenet keeps a sample channels-last and flat (an image [H, W, C],
last axis fastest), so x, y and grad.x are stored channels-last with the
batch first; every model permutes to NCHW and back internally. Parameters
stay exactly in PyTorch's state_dict layout; module attribute names are
typenet's field names.

All parameters are re-drawn uniform in [-0.5, 0.5] after construction, so
biases are non-zero. Each architecture re-seeds the RNG, so the files do not
depend on the order they are built in.

Architectures (sample shapes, batch 3):
  conv_transpose_geometry  [4, 5, 3] -> ConvTranspose2d(3, 2, (3, 2), stride=(2, 3),
                           padding=(1, 0), output_padding=(1, 2)) + tanh -> [8, 16, 2]
  conv_transpose_nobias    [4, 4, 2] -> ConvTranspose2d(2, 3, 3, stride=2, padding=1,
                           output_padding=1, bias=False) + relu -> [8, 8, 3]
                           -> ConvTranspose2d(3, 2, 1) -> [8, 8, 2]
  nearest                  [3, 4, 2] -> Conv2d(2, 3, 1) -> Upsample(scale_factor=2)
                           -> [6, 8, 3] -> Upsample(scale_factor=(3, 2)) -> [18, 16, 3]
  autoencoder              [6, 6, 1] -> Conv2d(1, 4, 3, padding=1) + relu
                           -> MaxPool2d(2) -> [3, 3, 4] -> Upsample(scale_factor=2)
                           -> ConvTranspose2d(4, 2, 3, stride=2, padding=2,
                           output_padding=1) + sigmoid -> [10, 10, 2]
"""

from pathlib import Path

import torch
import torch.nn as nn
from safetensors.torch import save_file

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
PREFIX = "upsample_"


def nhwc_to_nchw(x):
    return x.permute(0, 3, 1, 2)


def nchw_to_nhwc(x):
    return x.permute(0, 2, 3, 1)


def transposed_size(n, k, s=1, p=0, op=0):
    """PyTorch's output size of ConvTranspose2d: (n - 1)s - 2p + k + op."""
    return (n - 1) * s - 2 * p + k + op


class ConvTransposeGeometry(nn.Module):
    def __init__(self):
        super().__init__()
        self.up = nn.ConvTranspose2d(3, 2, (3, 2), stride=(2, 3), padding=(1, 0), output_padding=(1, 2))

    def forward(self, x):
        return nchw_to_nhwc(torch.tanh(self.up(nhwc_to_nchw(x))))


class ConvTransposeNoBias(nn.Module):
    def __init__(self):
        super().__init__()
        self.up1 = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1, bias=False)
        self.up2 = nn.ConvTranspose2d(3, 2, 1)

    def forward(self, x):
        return nchw_to_nhwc(self.up2(torch.relu(self.up1(nhwc_to_nchw(x)))))


class UpsampleNearest(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 1)
        self.up1 = nn.Upsample(scale_factor=2, mode="nearest")
        self.up2 = nn.Upsample(scale_factor=(3, 2), mode="nearest")

    def forward(self, x):
        return nchw_to_nhwc(self.up2(self.up1(self.conv(nhwc_to_nchw(x)))))


class Autoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.decode = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=2, output_padding=1)

    def forward(self, x):
        h = self.pool(torch.relu(self.conv(nhwc_to_nchw(x))))
        return nchw_to_nhwc(torch.sigmoid(self.decode(self.up(h))))


GEOMETRY_OUT = [transposed_size(4, 3, 2, 1, 1), transposed_size(5, 2, 3, 0, 2), 2]

# name -> (constructor, sample shape, output shape, batch, seed)
ARCHS = {
    "conv_transpose_geometry": (ConvTransposeGeometry, [4, 5, 3], GEOMETRY_OUT, 3, 3001),
    "conv_transpose_nobias": (ConvTransposeNoBias, [4, 4, 2], [8, 8, 2], 3, 3002),
    "nearest": (UpsampleNearest, [3, 4, 2], [18, 16, 3], 3, 3003),
    "autoencoder": (Autoencoder, [6, 6, 1], [transposed_size(6, 3, 2, 2, 1)] * 2 + [2], 3, 3004),
}


def generate(name):
    ctor, in_shape, out_shape, batch, seed = ARCHS[name]
    torch.manual_seed(seed)
    model = ctor()
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-0.5, 0.5)
    x = torch.rand(batch, *in_shape) * 2 - 1
    t = torch.rand(batch, *out_shape) * 2 - 1
    state = {k: v.detach().contiguous().clone() for k, v in model.state_dict().items()}
    save_file(state, str(FIXTURES / f"{PREFIX}{name}.model.safetensors"))

    model.train()
    xg = x.clone().requires_grad_(True)
    y = model(xg)
    assert list(y.shape[1:]) == out_shape, f"{name}: y {list(y.shape)} != {out_shape}"
    loss = torch.mean((y - t) ** 2)
    loss.backward()
    io = {"x": x, "t": t, "y": y.detach(), "loss": loss.detach().reshape(1), "grad.x": xg.grad.detach()}
    for pname, p in model.named_parameters():
        io[f"grad.{pname}"] = p.grad.detach()
    save_file({k: v.contiguous() for k, v in io.items()}, str(FIXTURES / f"{PREFIX}{name}.io.safetensors"))
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
