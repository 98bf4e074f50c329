"""The GEMM alone: [1024, 768] @ [768, 3072] (GPT-2's c_fc on 8 x 128 tokens), fp32."""
import torch
from common import report, setup, time_runs

setup()
x = torch.randn(1024, 768)
w = torch.randn(768, 3072)
times = time_runs(lambda: x @ w, runs=9)
report(case="gemm", **times)
