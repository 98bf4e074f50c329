"""Case 4b: learnable-gpt's GraphAttentionLayer as @lgpt/gat runs it (dense, causal token graph with
self loops, PyG GATConv math: 12 heads x 64, concatenated), then gat_projection and the fusion
Linear over [hidden, graph output], dropout 0.1 on the attention coefficients and after the
fusion; forward and backward (input and every parameter) on 8 x 128 x 768, train mode."""
import torch
import torch.nn.functional as F
from common import report, setup, time_runs

setup()
B, T, C, H = 8, 128, 768, 12
D = C // H


class GraphAttentionLayer(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(C, C, bias=False)
        self.att_src = torch.nn.Parameter(torch.randn(1, H, D) * 0.1)
        self.att_dst = torch.nn.Parameter(torch.randn(1, H, D) * 0.1)
        self.bias = torch.nn.Parameter(torch.zeros(C))
        self.gat_projection = torch.nn.Linear(C, C)
        self.fusion = torch.nn.Linear(2 * C, C)
        self.register_buffer("allowed", torch.ones(T, T, dtype=torch.bool).tril())

    def forward(self, x):
        h = self.lin(x).view(B, T, H, D)
        src = (h * self.att_src).sum(-1).transpose(1, 2)  # [B, H, T]
        dst = (h * self.att_dst).sum(-1).transpose(1, 2)
        scores = F.leaky_relu(dst.unsqueeze(3) + src.unsqueeze(2), 0.2)  # [B, H, target, source]
        alpha = torch.softmax(scores.masked_fill(~self.allowed, float("-inf")), dim=-1)
        alpha = F.dropout(alpha, 0.1, self.training)
        out = (alpha @ h.transpose(1, 2)).transpose(1, 2).reshape(B, T, C) + self.bias
        graph = self.gat_projection(out)
        return F.dropout(self.fusion(torch.cat([x, graph], -1)), 0.1, self.training)


layer = GraphAttentionLayer().train()
x = torch.randn(B, T, C).requires_grad_(True)


def step():
    layer.zero_grad(set_to_none=True)
    x.grad = None
    layer(x).sum().backward()


# A short case: more runs for a steadier median.
report(case="gat-fusion", **time_runs(step, runs=7))
