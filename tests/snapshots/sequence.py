"""PyTorch module of the typenet network `Sequence`, written by typenet 0.1.0.

Inputs and outputs are laid out as typenet's: batch first, channels last
([N, H, W, C] maps, [N, T, F] sequences, [N, F] features). The state_dict
has the names and shapes of typenet's safetensors file:

    module.load_state_dict(safetensors.torch.load_file(path), strict=True)
    safetensors.torch.save_file(module.state_dict(), path)  # typenet loads it
"""

import torch
from torch import nn
import torch.nn.functional as F


class Sequence(nn.Module):
    """typenet's `Sequence`: input (None, 10, 4)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(4, 6, kernel_size=3, stride=1, padding=0, dilation=2, bias=True)
        self.lstm = nn.LSTM(6, 8, batch_first=True)
        self.td = nn.Linear(8, 5)
        self.drop = nn.Dropout(p=0.25)
        self.gru = nn.GRU(5, 6, batch_first=True)
        self.out = nn.Linear(6, 2)

    def forward(self, x):
        x = x.movedim(-1, 1)
        x = F.pad(x, (4, 0))
        x = torch.tanh(self.conv(x))
        x = x.movedim(1, -1)
        x, _ = self.lstm(x)
        x = x.reshape(-1, 8)
        x = torch.sigmoid(self.td(x))
        x = x.reshape(-1, 10, 5)
        x = self.drop(x)
        x, _ = self.gru(x)
        x = x[:, -1]
        x = self.out(x)
        return x
