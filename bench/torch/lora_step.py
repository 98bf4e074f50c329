"""Case 2: one LoRA fine-tuning step of GPT-2 small (r=16, alpha=32, dropout 0.1 on c_attn,
c_proj, c_fc: attention and MLP), AdamW, causal LM loss, batch 8 x 128, train mode."""
import torch
import torch.nn.functional as F
from common import GPT2, add_lora, peak_rss_bytes, report, setup, time_runs

setup()
B, T = 8, 128
model = GPT2().train()
trainable = add_lora(model, {"c_attn", "c_proj", "c_fc"})
optimizer = torch.optim.AdamW(trainable, lr=1e-3, weight_decay=0.0, eps=1e-6)
ids = torch.randint(0, 50257, (B, T))


def step():
    optimizer.zero_grad(set_to_none=True)
    logits, _ = model(ids)
    loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
    loss.backward()
    optimizer.step()


times = time_runs(step)
report(case="lora-step", **times, tokens_per_s=B * T / times["ms"] * 1000, peak_rss=peak_rss_bytes(),
       trainable_params=sum(p.numel() for p in trainable))
