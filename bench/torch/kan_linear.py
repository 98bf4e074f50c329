"""Case 4a: efficient-kan's KANLinear (Blealtan/efficient-kan, src/efficient_kan/kan.py) reimplemented
in torch, 768 -> 3072 (grid 5, cubic splines, SiLU base path, standalone spline scaler), forward
and backward (input and every parameter) on 1024 rows. The spline weights start small and random
instead of least-squares fitted: initialisation does not change the timed computation."""
import math

import torch
import torch.nn.functional as F
from common import report, setup, time_runs

ROWS, IN, OUT, GRID, ORDER = 1024, 768, 3072, 5, 3


class KANLinear(torch.nn.Module):
    def __init__(self, in_features=IN, out_features=OUT):
        super().__init__()
        self.out_features = out_features
        h = 2 / GRID
        grid = torch.arange(-ORDER, GRID + ORDER + 1) * h - 1
        self.register_buffer("grid", grid.expand(in_features, -1).contiguous())
        self.base_weight = torch.nn.Parameter(torch.empty(out_features, in_features))
        self.spline_weight = torch.nn.Parameter(
            torch.randn(out_features, in_features, GRID + ORDER) * 0.01
        )
        self.spline_scaler = torch.nn.Parameter(torch.empty(out_features, in_features))
        torch.nn.init.kaiming_uniform_(self.base_weight, a=math.sqrt(5))
        torch.nn.init.kaiming_uniform_(self.spline_scaler, a=math.sqrt(5))

    def b_splines(self, x):
        grid = self.grid
        x = x.unsqueeze(-1)
        bases = ((x >= grid[:, :-1]) & (x < grid[:, 1:])).to(x.dtype)
        for k in range(1, ORDER + 1):
            left = (x - grid[:, : -(k + 1)]) / (grid[:, k:-1] - grid[:, : -(k + 1)])
            right = (grid[:, k + 1 :] - x) / (grid[:, k + 1 :] - grid[:, 1:(-k)])
            bases = left * bases[:, :, :-1] + right * bases[:, :, 1:]
        return bases.contiguous()

    def forward(self, x):
        base = F.linear(F.silu(x), self.base_weight)
        scaled = self.spline_weight * self.spline_scaler.unsqueeze(-1)
        spline = F.linear(
            self.b_splines(x).view(x.size(0), -1), scaled.view(self.out_features, -1)
        )
        return base + spline


if __name__ == "__main__":
    setup()
    layer = KANLinear()
    x = (torch.rand(ROWS, IN) * 2 - 1).requires_grad_(True)

    def step():
        layer.zero_grad(set_to_none=True)
        x.grad = None
        layer(x).sum().backward()

    report(case="kan-linear", **time_runs(step))
