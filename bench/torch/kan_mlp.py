"""A KAN in place of GPT-2 small's MLP: efficient-kan's KANLinear 768 -> 3072 -> 768 (see
kan_linear.py), forward and backward (input and every parameter) on 8 x 128 tokens."""
import torch
from common import peak_rss_bytes, report, setup, time_runs
from kan_linear import KANLinear

setup()
TOKENS, HIDDEN, INNER = 8 * 128, 768, 3072
kan = torch.nn.Sequential(KANLinear(HIDDEN, INNER), KANLinear(INNER, HIDDEN))
x = (torch.rand(TOKENS, HIDDEN) * 2 - 1).requires_grad_(True)


def step():
    kan.zero_grad(set_to_none=True)
    x.grad = None
    kan(x).sum().backward()


report(case="kan-mlp", **time_runs(step), peak_rss=peak_rss_bytes())
