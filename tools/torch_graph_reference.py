#!/usr/bin/env python3
"""PyTorch reference fixtures for typenet's graphs: one block of each kind
torchvision's InceptionV3 uses (InceptionA to InceptionE) and ResNet's
BasicBlock with and without a downsample, each in one training step.

Requirements:  pip install torch torchvision safetensors numpy

Usage (from the repository root):

    python3 tools/torch_graph_reference.py

torchvision's Inception blocks have fixed widths (up to 448 channels), too
many parameters for a committed fixture. So each block is written here
again, `Inception{A..E}Mirror`, with the same branches, kernels, strides,
paddings, pooling and concatenation order, and torchvision's own
`BasicConv2d` (a convolution without bias, `BatchNorm2d(eps=0.001)`,
ReLU), but with widths as arguments. Before any fixture is written, every
mirror is built with torchvision's widths, loads the `state_dict` of
torchvision's block with `strict=True` and must give the same output as
that block in training and in eval mode: the wiring is torchvision's.
ResNet's `BasicBlock` takes its widths already and is used as it is.

For each architecture NAME below it writes:

  tests/fixtures/graph_NAME.model.safetensors
      exactly `model.state_dict()` (int64 `num_batches_tracked` included),
      taken before the training forward. The block is the model's
      attribute `block`, so names read `block.branch1x1.conv.weight`.

  tests/fixtures/graph_NAME.io.safetensors
      x       [B, H, W, C] input, channels last, uniform in [-1, 1]
      t       target, the shape of y, uniform in [-1, 1]
      y       output of one train-mode forward, [B, H', W', C'] channels last
      loss    [1] MSE: mean((y - t)**2) over every value
      grad.x  d loss / d x, channels last
      grad.<state_dict name>   d loss / d parameter, in the parameter's layout
      after.<bn>.running_mean  each BatchNorm's running mean after the step

Every parameter is redrawn after construction: convolution kernels uniform
in [-0.5, 0.5], BatchNorm weights in [0.5, 1.5] and biases in [-0.5, 0.5],
running means N(0, 0.25) and variances in [0.5, 2]. Each architecture
re-seeds the RNG, so the files do not depend on the order they are built
in; they are deterministic for a given PyTorch version.

Architectures (input -> output, batch 3; widths are the mirrors' arguments):
  inception_a     [5, 6, 4]  -> [5, 6, 11]  1x1 3 | 1x1 2, 5x5 3 | 1x1 2, 3x3 3, 3x3 3 | avg 3 (pad 1), 1x1 2
  inception_b     [9, 8, 4]  -> [4, 3, 12]  3x3/2 5 | 1x1 2, 3x3 3, 3x3/2 3 | max 3/2
  inception_c     [7, 6, 4]  -> [7, 6, 16]  c7 = 3; 1x1 4 | 1x7, 7x1 to 4 | 7x1, 1x7, 7x1, 1x7 to 4 | avg, 1x1 4
  inception_d     [9, 8, 4]  -> [4, 3, 12]  1x1 3, 3x3/2 4 | 1x1 3, 1x7 3, 7x1 3, 3x3/2 4 | max 3/2
  inception_e     [5, 6, 4]  -> [5, 6, 13]  1x1 3 | 1x1 3, (1x3 2 | 3x1 2) | 1x1 3, 3x3 3, (1x3 2 | 3x1 2) | avg, 1x1 2
  basic_block     [6, 5, 4]  -> [6, 5, 4]   torchvision BasicBlock(4, 4), identity shortcut
  basic_block_down [9, 8, 4] -> [5, 4, 6]   torchvision BasicBlock(4, 6, stride=2) with
                                            downsample = Sequential(conv1x1/2 without bias, BatchNorm2d)
"""

from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file
from torchvision.models import inception
from torchvision.models.inception import BasicConv2d
from torchvision.models.resnet import BasicBlock

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
PREFIX = "graph_"
BATCH = 3


class InceptionAMirror(nn.Module):
    """torchvision's InceptionA with its widths as arguments."""

    def __init__(self, cin, pool_features, b1=64, b5=(48, 64), dbl=(64, 96, 96)):
        super().__init__()
        self.branch1x1 = BasicConv2d(cin, b1, kernel_size=1)
        self.branch5x5_1 = BasicConv2d(cin, b5[0], kernel_size=1)
        self.branch5x5_2 = BasicConv2d(b5[0], b5[1], kernel_size=5, padding=2)
        self.branch3x3dbl_1 = BasicConv2d(cin, dbl[0], kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(dbl[0], dbl[1], kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(dbl[1], dbl[2], kernel_size=3, padding=1)
        self.branch_pool = BasicConv2d(cin, pool_features, kernel_size=1)

    def forward(self, x):
        one = self.branch1x1(x)
        five = self.branch5x5_2(self.branch5x5_1(x))
        dbl = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        pool = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        return torch.cat([one, five, dbl, pool], 1)


class InceptionBMirror(nn.Module):
    """torchvision's InceptionB (a grid reduction) with its widths as arguments."""

    def __init__(self, cin, b3=384, dbl=(64, 96, 96)):
        super().__init__()
        self.branch3x3 = BasicConv2d(cin, b3, kernel_size=3, stride=2)
        self.branch3x3dbl_1 = BasicConv2d(cin, dbl[0], kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(dbl[0], dbl[1], kernel_size=3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(dbl[1], dbl[2], kernel_size=3, stride=2)

    def forward(self, x):
        three = self.branch3x3(x)
        dbl = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        pool = F.max_pool2d(x, kernel_size=3, stride=2)
        return torch.cat([three, dbl, pool], 1)


class InceptionCMirror(nn.Module):
    """torchvision's InceptionC (factorised 7x7) with its widths as arguments."""

    def __init__(self, cin, channels_7x7, out=192):
        super().__init__()
        c7 = channels_7x7
        self.branch1x1 = BasicConv2d(cin, out, kernel_size=1)
        self.branch7x7_1 = BasicConv2d(cin, c7, kernel_size=1)
        self.branch7x7_2 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7_3 = BasicConv2d(c7, out, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = BasicConv2d(cin, c7, kernel_size=1)
        self.branch7x7dbl_2 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = BasicConv2d(c7, c7, kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = BasicConv2d(c7, c7, kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = BasicConv2d(c7, out, kernel_size=(1, 7), padding=(0, 3))
        self.branch_pool = BasicConv2d(cin, out, kernel_size=1)

    def forward(self, x):
        one = self.branch1x1(x)
        seven = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        dbl = self.branch7x7dbl_1(x)
        for layer in (self.branch7x7dbl_2, self.branch7x7dbl_3, self.branch7x7dbl_4, self.branch7x7dbl_5):
            dbl = layer(dbl)
        pool = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        return torch.cat([one, seven, dbl, pool], 1)


class InceptionDMirror(nn.Module):
    """torchvision's InceptionD (a grid reduction) with its widths as arguments."""

    def __init__(self, cin, b3=(192, 320), b7=(192, 192, 192, 192)):
        super().__init__()
        self.branch3x3_1 = BasicConv2d(cin, b3[0], kernel_size=1)
        self.branch3x3_2 = BasicConv2d(b3[0], b3[1], kernel_size=3, stride=2)
        self.branch7x7x3_1 = BasicConv2d(cin, b7[0], kernel_size=1)
        self.branch7x7x3_2 = BasicConv2d(b7[0], b7[1], kernel_size=(1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BasicConv2d(b7[1], b7[2], kernel_size=(7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BasicConv2d(b7[2], b7[3], kernel_size=3, stride=2)

    def forward(self, x):
        three = self.branch3x3_2(self.branch3x3_1(x))
        seven = self.branch7x7x3_1(x)
        for layer in (self.branch7x7x3_2, self.branch7x7x3_3, self.branch7x7x3_4):
            seven = layer(seven)
        pool = F.max_pool2d(x, kernel_size=3, stride=2)
        return torch.cat([three, seven, pool], 1)


class InceptionEMirror(nn.Module):
    """torchvision's InceptionE (branches that split and join again inside)
    with its widths as arguments."""

    def __init__(self, cin, b1=320, b3=(384, 384), dbl=(448, 384, 384), pool=192):
        super().__init__()
        self.branch1x1 = BasicConv2d(cin, b1, kernel_size=1)
        self.branch3x3_1 = BasicConv2d(cin, b3[0], kernel_size=1)
        self.branch3x3_2a = BasicConv2d(b3[0], b3[1], kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3_2b = BasicConv2d(b3[0], b3[1], kernel_size=(3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BasicConv2d(cin, dbl[0], kernel_size=1)
        self.branch3x3dbl_2 = BasicConv2d(dbl[0], dbl[1], kernel_size=3, padding=1)
        self.branch3x3dbl_3a = BasicConv2d(dbl[1], dbl[2], kernel_size=(1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BasicConv2d(dbl[1], dbl[2], kernel_size=(3, 1), padding=(1, 0))
        self.branch_pool = BasicConv2d(cin, pool, kernel_size=1)

    def forward(self, x):
        one = self.branch1x1(x)
        three = self.branch3x3_1(x)
        three = torch.cat([self.branch3x3_2a(three), self.branch3x3_2b(three)], 1)
        dbl = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        dbl = torch.cat([self.branch3x3dbl_3a(dbl), self.branch3x3dbl_3b(dbl)], 1)
        pool = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
        return torch.cat([one, three, dbl, pool], 1)


def downsampled_block(cin, planes, stride):
    downsample = nn.Sequential(
        nn.Conv2d(cin, planes, kernel_size=1, stride=stride, bias=False),
        nn.BatchNorm2d(planes),
    )
    return BasicBlock(cin, planes, stride=stride, downsample=downsample)


class ChannelsLast(nn.Module):
    """Takes and gives channels-last maps, as typenet stores them; the
    block is the attribute `block`, which names its tensors."""

    def __init__(self, block):
        super().__init__()
        self.block = block

    def forward(self, x):
        return self.block(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)


# name -> (the block, its input [H, W, C], its output [H', W', C'], seed)
ARCHS = {
    "inception_a": (lambda: InceptionAMirror(4, 2, b1=3, b5=(2, 3), dbl=(2, 3, 3)), [5, 6, 4], [5, 6, 11], 3001),
    "inception_b": (lambda: InceptionBMirror(4, b3=5, dbl=(2, 3, 3)), [9, 8, 4], [4, 3, 12], 3002),
    "inception_c": (lambda: InceptionCMirror(4, 3, out=4), [7, 6, 4], [7, 6, 16], 3003),
    "inception_d": (lambda: InceptionDMirror(4, b3=(3, 4), b7=(3, 3, 3, 4)), [9, 8, 4], [4, 3, 12], 3004),
    "inception_e": (
        lambda: InceptionEMirror(4, b1=3, b3=(3, 2), dbl=(3, 3, 2), pool=2),
        [5, 6, 4],
        [5, 6, 13],
        3005,
    ),
    "basic_block": (lambda: BasicBlock(4, 4), [6, 5, 4], [6, 5, 4], 3006),
    "basic_block_down": (lambda: downsampled_block(4, 6, 2), [9, 8, 4], [5, 4, 6], 3007),
}


def randomise(model):
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Conv2d):
                module.weight.uniform_(-0.5, 0.5)
                if module.bias is not None:
                    module.bias.uniform_(-0.5, 0.5)
            elif isinstance(module, nn.BatchNorm2d):
                n = module.num_features
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.5, 0.5)
                module.running_mean.copy_(torch.randn(n) * 0.5)
                module.running_var.copy_(torch.empty(n).uniform_(0.5, 2.0))


def mirrors_are_torchvision_s_blocks():
    """Each mirror, at torchvision's widths, is torchvision's block: the
    same state_dict keys and shapes, and the same outputs."""
    cases = [
        (inception.InceptionA(5, pool_features=32), InceptionAMirror(5, 32), 5),
        (inception.InceptionB(5), InceptionBMirror(5), 9),
        (inception.InceptionC(5, channels_7x7=128), InceptionCMirror(5, 128), 7),
        (inception.InceptionD(5), InceptionDMirror(5), 9),
        (inception.InceptionE(5), InceptionEMirror(5), 5),
    ]
    torch.manual_seed(3000)
    for theirs, ours, size in cases:
        randomise(theirs)
        ours.load_state_dict(theirs.state_dict(), strict=True)
        x = torch.rand(2, 5, size, size + 1) * 2 - 1
        for train in (True, False):
            theirs.train(train)
            ours.train(train)
            with torch.no_grad():
                want, got = theirs(x), ours(x)
            assert want.shape == got.shape, f"{type(theirs).__name__}: {got.shape} != {want.shape}"
            assert torch.equal(want, got), f"{type(theirs).__name__} (train={train}) differs from its mirror"
        print(f"{type(theirs).__name__}: the mirror is torchvision's block ({tuple(want.shape)})")


def contiguous(d):
    return {k: v.detach().contiguous().clone() for k, v in d.items()}


def generate(name):
    ctor, in_shape, out_shape, seed = ARCHS[name]
    torch.manual_seed(seed)
    model = ChannelsLast(ctor())
    randomise(model)
    x = torch.rand(BATCH, *in_shape) * 2 - 1
    t = torch.rand(BATCH, *out_shape) * 2 - 1
    save_file(contiguous(model.state_dict()), str(FIXTURES / f"{PREFIX}{name}.model.safetensors"))

    model.train()
    model.zero_grad()
    xg = x.clone().requires_grad_(True)
    y = model(xg)
    assert list(y.shape) == [BATCH, *out_shape], f"{name}: y {list(y.shape)}"
    loss = torch.mean((y - t) ** 2)
    loss.backward()

    io = {"x": x, "t": t, "y": y.detach(), "loss": loss.detach().reshape(1), "grad.x": xg.grad}
    for pname, p in model.named_parameters():
        io[f"grad.{pname}"] = p.grad
    for mname, module in model.named_modules():
        if isinstance(module, nn.BatchNorm2d):
            io[f"after.{mname}.running_mean"] = module.running_mean
    save_file(contiguous(io), str(FIXTURES / f"{PREFIX}{name}.io.safetensors"))
    params = sum(p.numel() for p in model.parameters())
    print(f"{name}: x {list(x.shape)} -> y {list(y.shape)}, {params} parameters, loss {loss.item():.6f}")


def main():
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    mirrors_are_torchvision_s_blocks()
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name in ARCHS:
        generate(name)


if __name__ == "__main__":
    main()
