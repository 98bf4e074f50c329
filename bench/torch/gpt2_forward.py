"""Case 1: GPT-2 small forward, batch 8 x 128 tokens, eval mode, no autograd."""
import torch
from common import GPT2, report, setup, time_runs

setup()
B, T = 8, 128
model = GPT2().eval()
ids = torch.randint(0, 50257, (B, T))
with torch.no_grad():
    times = time_runs(lambda: model(ids))
report(case="gpt2-forward", **times, tokens_per_s=B * T / times["ms"] * 1000)
