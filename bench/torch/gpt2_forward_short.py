"""Case 1b: GPT-2 small forward on a short input, batch 1 x 32 tokens (a prompt being read),
eval mode, no autograd, logits for every position."""
import torch
from common import GPT2, quick, report, setup, time_runs

setup()
B, T = 1, 32
model = GPT2().eval()
ids = torch.randint(0, 50257, (B, T))
with torch.no_grad():
    times = time_runs(lambda: model(ids), runs=3 if quick() else 7)
report(case="gpt2-forward-1x32", **times, tokens_per_s=B * T / times["ms"] * 1000)
