"""Shared pieces of the PyTorch baselines: thread setup, timing, and a GPT-2 with Hugging Face's
math (nanoGPT-style, tied lm_head, gelu_new) so no `transformers` install is needed."""
import json
import math
import os
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def setup():
    """Same thread count as our side (LGPT_BENCH_THREADS, default 1), fp32, fixed seed."""
    threads = int(os.environ.get("LGPT_BENCH_THREADS", "1"))
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    return threads


def quick():
    """`bench/run.mjs --quick`: fewer runs."""
    return os.environ.get("LGPT_BENCH_QUICK") == "1"


def time_runs(fn, warmup=1, runs=3):
    """Median wall-clock and CPU milliseconds of `runs` calls after `warmup` calls (CPU time is the
    steadier number on a shared machine)."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(1 if quick() else runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    wall.sort()
    cpu.sort()
    return {"ms": wall[len(wall) // 2], "cpu_ms": cpu[len(cpu) // 2]}


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def report(**fields):
    fields["torch"] = torch.__version__
    fields["threads"] = torch.get_num_threads()
    print(json.dumps(fields))
    sys.stdout.flush()


class Config:
    vocab_size = 50257
    n_positions = 1024
    n_embd = 768
    n_layer = 12
    n_head = 12
    dropout = 0.1


class Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_attn = nn.Linear(c.n_embd, 3 * c.n_embd)
        self.c_proj = nn.Linear(c.n_embd, c.n_embd)
        self.n_head = c.n_head
        self.attn_dropout = nn.Dropout(c.dropout)
        self.resid_dropout = nn.Dropout(c.dropout)

    def forward(self, x, past=None):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        shape = (B, T, self.n_head, C // self.n_head)
        q, k, v = (t.view(shape).transpose(1, 2) for t in (q, k, v))
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        S = k.shape[2]
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // self.n_head)
        causal = torch.ones(T, S, dtype=torch.bool).tril(S - T)
        att = att.masked_fill(~causal, torch.finfo(att.dtype).min)
        att = self.attn_dropout(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.resid_dropout(self.c_proj(y)), (k, v)


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c.n_embd, 4 * c.n_embd)
        self.c_proj = nn.Linear(4 * c.n_embd, c.n_embd)
        self.dropout = nn.Dropout(c.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x), approximate="tanh")))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c.n_embd)
        self.attn = Attention(c)
        self.ln_2 = nn.LayerNorm(c.n_embd)
        self.mlp = Mlp(c)

    def forward(self, x, past=None):
        a, present = self.attn(self.ln_1(x), past)
        x = x + a
        return x + self.mlp(self.ln_2(x)), present


class GPT2(nn.Module):
    def __init__(self, c=Config()):
        super().__init__()
        self.wte = nn.Embedding(c.vocab_size, c.n_embd)
        self.wpe = nn.Embedding(c.n_positions, c.n_embd)
        self.drop = nn.Dropout(c.dropout)
        self.h = nn.ModuleList([Block(c) for _ in range(c.n_layer)])
        self.ln_f = nn.LayerNorm(c.n_embd)
        for p in self.parameters():
            nn.init.normal_(p, 0, 0.02) if p.dim() > 1 else None

    def hidden(self, ids, past=None):
        start = 0 if past is None else past[0][0].shape[2]
        pos = torch.arange(start, start + ids.shape[1])
        x = self.drop(self.wte(ids) + self.wpe(pos))
        presents = []
        for i, block in enumerate(self.h):
            x, present = block(x, None if past is None else past[i])
            presents.append(present)
        return self.ln_f(x), presents

    def forward(self, ids, past=None):
        h, presents = self.hidden(ids, past)
        return h @ self.wte.weight.t(), presents


class LoraLinear(nn.Module):
    """PEFT's LoRA on an nn.Linear: y = base(x) + (alpha/r) * B(A(dropout(x)))."""

    def __init__(self, base, r, alpha, dropout):
        super().__init__()
        self.base = base
        self.lora_A = nn.Linear(base.in_features, r, bias=False)
        self.lora_B = nn.Linear(r, base.out_features, bias=False)
        nn.init.kaiming_uniform_(self.lora_A.weight, a=math.sqrt(5))
        nn.init.zeros_(self.lora_B.weight)
        self.scaling = alpha / r
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.base(x) + self.lora_B(self.lora_A(self.dropout(x))) * self.scaling


def add_lora(model, targets, r=16, alpha=32, dropout=0.1):
    model.requires_grad_(False)
    for name, module in list(model.named_modules()):
        for child_name, child in list(module.named_children()):
            if child_name in targets and isinstance(child, nn.Linear):
                setattr(module, child_name, LoraLinear(child, r, alpha, dropout))
    return [p for p in model.parameters() if p.requires_grad]
