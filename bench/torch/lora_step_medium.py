"""Case 2b: the LoRA step of lora_step.py on GPT-2 medium (24 layers, 16 heads, 1024 wide),
batch 8 x 128, train mode; one warm-up and one timed step (a step takes about a minute)."""
import torch
import torch.nn.functional as F
from common import GPT2, Config, add_lora, peak_rss_bytes, report, setup, time_runs


class Medium(Config):
    n_embd = 1024
    n_layer = 24
    n_head = 16


setup()
B, T = 8, 128
model = GPT2(Medium()).train()
trainable = add_lora(model, {"c_attn", "c_proj", "c_fc"})
optimizer = torch.optim.AdamW(trainable, lr=1e-3, weight_decay=0.0, eps=1e-6)
ids = torch.randint(0, 50257, (B, T))


def step():
    optimizer.zero_grad(set_to_none=True)
    logits, _ = model(ids)
    loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
    loss.backward()
    optimizer.step()


times = time_runs(step, runs=1)
report(case="lora-step-gpt2-medium", **times, tokens_per_s=B * T / times["ms"] * 1000,
       peak_rss=peak_rss_bytes())
