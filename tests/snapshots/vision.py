"""PyTorch module of the typenet network `Vision`, written by typenet 0.1.0.

Inputs and outputs are laid out as typenet's: batch first, channels last
([N, H, W, C] maps, [N, T, F] sequences, [N, F] features). The state_dict
has the names and shapes of typenet's safetensors file:

    module.load_state_dict(safetensors.torch.load_file(path), strict=True)
    safetensors.torch.save_file(module.state_dict(), path)  # typenet loads it
"""

import torch
from torch import nn
import torch.nn.functional as F


class Unit(nn.Module):
    """typenet's `Unit(4, 3, padding = 1)`: input (None, 8, 8, 3)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1), bias=False)
        self.bn = nn.BatchNorm2d(4, eps=0.001, momentum=0.1)

    def forward(self, x):
        x = x.movedim(-1, 1)
        x = self.conv(x)
        x = self.bn(x)
        x = torch.relu(x)
        x = x.movedim(1, -1)
        return x


class Unit_2(nn.Module):
    """typenet's `Unit(3, 1)`: input (None, 8, 8, 4)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 3, kernel_size=(1, 1), stride=(1, 1), padding=(0, 0), dilation=(1, 1), bias=False)
        self.bn = nn.BatchNorm2d(3, eps=0.001, momentum=0.1)

    def forward(self, x):
        x = x.movedim(-1, 1)
        x = self.conv(x)
        x = self.bn(x)
        x = torch.relu(x)
        x = x.movedim(1, -1)
        return x


class Unit_3(nn.Module):
    """typenet's `Unit(2, 3, padding = 1)`: input (None, 8, 8, 4)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 2, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1), bias=False)
        self.bn = nn.BatchNorm2d(2, eps=0.001, momentum=0.1)

    def forward(self, x):
        x = x.movedim(-1, 1)
        x = self.conv(x)
        x = self.bn(x)
        x = torch.relu(x)
        x = x.movedim(1, -1)
        return x


class Inner(nn.Module):
    """typenet's `Inner`: input (None, 6)."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 8)
        self.bn = nn.BatchNorm1d(8, eps=0.001, momentum=0.01)

    def forward(self, x):
        x = F.gelu(self.fc(x))
        x = self.bn(x)
        return x


class Vision(nn.Module):
    """typenet's `Vision`: input (None, 8, 8, 3)."""

    def __init__(self):
        super().__init__()
        self.stem = Unit()
        self.a = Unit_2()
        self.b = Unit_3()
        self.p = nn.MaxPool2d((3, 3), stride=(1, 1), padding=(1, 1), dilation=(1, 1))
        self.c = nn.Conv2d(9, 9, kernel_size=(1, 1), stride=(1, 1), padding=(0, 0), dilation=(1, 1), bias=True)
        self.same = nn.Conv2d(9, 6, kernel_size=(2, 2), stride=(1, 1), padding=0, dilation=(1, 1), bias=True)
        self.pool = nn.AvgPool2d((2, 2), stride=(2, 2), padding=(0, 0), count_include_pad=True)
        self.drop = nn.Dropout2d(p=0.1)
        self.fc = nn.Linear(6, 6)
        self.head = Inner()
        self.add_module("0", nn.Linear(8, 3))

    def forward(self, x):
        x = self.stem(x)
        x1 = x
        x1 = self.a(x1)
        x2 = x
        x2 = self.b(x2)
        x3 = x
        x3 = x3.movedim(-1, 1)
        x3 = self.p(x3)
        x3 = x3.movedim(1, -1)
        x = torch.cat([x1, x2, x3], dim=-1)
        x4 = x
        x4 = x4.movedim(-1, 1)
        x4 = torch.tanh(self.c(x4))
        x4 = x4.movedim(1, -1)
        x5 = x
        x = x4 + x5
        x = x.movedim(-1, 1)
        x = F.pad(x, (0, 1, 0, 1))
        x = self.same(x)
        x = self.pool(x)
        x = self.drop(x)
        x = x.mean(dim=(2, 3,))
        x = F.leaky_relu(self.fc(x), 0.2)
        x = self.head(x)
        x = torch.softmax(getattr(self, "0")(x), dim=-1)
        return x
