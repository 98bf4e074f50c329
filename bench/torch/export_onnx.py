"""The ONNX Runtime peers' model: the random GPT-2 that gpt2_forward.py times (common.GPT2, same
seed, so the same weights), exported with torch.onnx.export. Input `input_ids` [batch, sequence]
int64, output `logits` [batch, sequence, vocab] for every position; both axes dynamic, so one file
serves every shape. torch 1.13 writes the file itself (the `onnx` package is not needed).
Usage: python3 export_onnx.py OUT.onnx"""
import os
import sys
import time

import torch
from common import GPT2, report, setup


class Logits(torch.nn.Module):
    """The forward's logits alone (GPT2.forward also returns the key/value cache)."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, ids):
        return self.model(ids)[0]


out = sys.argv[1]
setup()
model = GPT2().eval()
start = time.perf_counter()
# Traced on [2, 16] (not 1 x anything, which tracing could fold into a broadcast).
example = torch.zeros(2, 16, dtype=torch.int64)
with torch.no_grad():
    torch.onnx.export(
        Logits(model),
        (example,),
        out,
        input_names=["input_ids"],
        output_names=["logits"],
        dynamic_axes={"input_ids": {0: "batch", 1: "sequence"}, "logits": {0: "batch", 1: "sequence"}},
        opset_version=17,
    )
report(case="export-onnx", path=out, bytes=os.path.getsize(out), export_ms=(time.perf_counter() - start) * 1000)
