"""Case 3: KV-cache greedy generation, 1 x 32-token prompt, 128 new tokens."""
import torch
from common import GPT2, report, setup, time_runs

setup()
model = GPT2().eval()
prompt = torch.randint(0, 50257, (1, 32))
NEW = 128


def generate():
    with torch.no_grad():
        logits, past = model(prompt)
        token = logits[:, -1].argmax(-1, keepdim=True)
        for _ in range(NEW - 1):
            logits, past = model(token, past)
            token = logits[:, -1].argmax(-1, keepdim=True)


times = time_runs(generate, runs=1)
report(case="generate", **times, tokens_per_s=NEW / times["ms"] * 1000)
