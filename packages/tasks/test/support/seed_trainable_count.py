"""Counts the trainable parameters the original Learnable-GPT code builds, by running its own
constructors (GPT2SentimentClassifier, ParaphraseGPT, SonnetGPT) at a given GPT-2 size.

    python3 seed_trainable_count.py SEED_DIR '{"vocab": V, "positions": P, "width": C,
        "layers": L, "heads": H, "num_labels": K}'

prints one JSON object: {"<task>.<variant>": trainable scalars, ...} for the sentiment task's
default fine-tune mode and the other tasks' (they have one). Only construction runs, so the
KAN-only branch's crash (at its first forward) does not matter: its layers have the same sizes
either way round.

The libraries the seed imports but that are not installed here are stood in for, as the seed
fixtures' generator does (fixtures/README.md, seed/): `transformers.GPT2Model.from_pretrained`
returns embeddings of the requested size (the seed copies only their values), `peft.LoraConfig`
keeps its keyword arguments over PEFT's defaults, and PyG's `GATConv` is a module holding the
parameters PyG 2.5 creates for the seed's arguments (`lin` without bias, `att_src`, `att_dst`,
`bias`). Everything else, including which parameters train, is the seed's code.
"""

import contextlib
import json
import sys
import types
from types import SimpleNamespace

import torch
from torch import nn

SEED_DIR, SIZES = sys.argv[1], json.loads(sys.argv[2])


def stub(name, **attrs):
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module


class HubGPT2(nn.Module):
    """What models/gpt2.py reads from Hugging Face's GPT2Model: wte, wpe and a state dict."""

    @classmethod
    def from_pretrained(cls, _name):
        model, c = cls(), SIZES["width"]
        model.wte = nn.Embedding(SIZES["vocab"], c)
        model.wpe = nn.Embedding(SIZES["positions"], c)
        shapes = {
            "attn.c_attn.weight": (c, 3 * c), "attn.c_attn.bias": (3 * c,),
            "attn.c_proj.weight": (c, c), "attn.c_proj.bias": (c,),
            "ln_1.weight": (c,), "ln_1.bias": (c,), "ln_2.weight": (c,), "ln_2.bias": (c,),
            "mlp.c_fc.weight": (c, 4 * c), "mlp.c_fc.bias": (4 * c,),
            "mlp.c_proj.weight": (4 * c, c), "mlp.c_proj.bias": (c,),
        }
        model.blocks = {f"h.{i}.{key}": torch.zeros(shape)
                        for i in range(SIZES["layers"]) for key, shape in shapes.items()}
        model.blocks.update({"ln_f.weight": torch.zeros(c), "ln_f.bias": torch.zeros(c)})
        return model

    def state_dict(self, *args, **kwargs):
        return {**super().state_dict(*args, **kwargs), **self.blocks}


class LoraConfig(SimpleNamespace):
    """PEFT's LoraConfig defaults (r 8, lora_alpha 8, lora_dropout 0) under the given keywords."""

    def __init__(self, **kwargs):
        super().__init__(**{"r": 8, "lora_alpha": 8, "lora_dropout": 0.0, **kwargs})


class GATConv(nn.Module):
    """The parameters PyG 2.5's GATConv creates for int in_channels, concat, no edge_dim."""

    def __init__(self, in_channels, out_channels, heads=1, concat=True, dropout=0.0, **_):
        super().__init__()
        self.lin = nn.Linear(in_channels, heads * out_channels, bias=False)
        self.att_src = nn.Parameter(torch.empty(1, heads, out_channels))
        self.att_dst = nn.Parameter(torch.empty(1, heads, out_channels))
        self.bias = nn.Parameter(torch.empty(heads * out_channels if concat else out_channels))
        self.dropout = dropout


stub("transformers", GPT2Model=HubGPT2, GPT2Tokenizer=SimpleNamespace(
    from_pretrained=lambda _name: SimpleNamespace(eos_token="<eos>")))
stub("peft", LoraConfig=LoraConfig)
stub("torch_geometric")
stub("torch_geometric.nn", GATConv=GATConv)
stub("torch_geometric.data", Data=object)
stub("einops", rearrange=None)
stub("wandb")
stub("sklearn")
stub("sklearn.metrics", f1_score=None, accuracy_score=None)
stub("tqdm", tqdm=None)
stub("tqdm.auto", tqdm=None)
stub("requests")
stub("filelock", FileLock=None)
stub("importlib_metadata", version=lambda _name: torch.__version__)
stub("sacrebleu")
stub("sacrebleu.metrics", CHRF=None)
sys.path.insert(0, SEED_DIR)

import models.gpt2  # noqa: E402  (after the stand-ins)

# The seed builds GPT-2 small's sizes unless told otherwise (config.py's vocabulary and positions,
# classifier.py passes no width or depth): build the requested size, as the fixtures' generator does.
class SizedConfig(models.gpt2.GPT2Config):
    def __init__(self, **kwargs):
        super().__init__(vocab_size=SIZES["vocab"], max_position_embeddings=SIZES["positions"],
                         **kwargs)


models.gpt2.GPT2Config = SizedConfig
_from_pretrained = models.gpt2.GPT2Model.from_pretrained.__func__


def sized_from_pretrained(cls, model="gpt2", d=None, l=None, num_heads=None, **flags):
    return _from_pretrained(cls, model, SIZES["width"], SIZES["layers"], SIZES["heads"], **flags)


models.gpt2.GPT2Model.from_pretrained = classmethod(sized_from_pretrained)

import classifier  # noqa: E402
import paraphrase_detection  # noqa: E402
import sonnet_generation  # noqa: E402

VARIANTS = {
    "base": {},
    "lora": {"use_lora": True},
    "kan": {"use_kan": True},
    "lorakan": {"use_lora": True, "use_kan": True},
    "graph": {"use_graph": True},
}


def trainable(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def build(task, flags):
    switches = {"use_lora": False, "use_kan": False, "use_graph": False, **flags}
    if task == "sentiment":
        # classifier.py train()'s config, with the script's own default fine-tune mode.
        config = SimpleNamespace(
            hidden_dropout_prob=0.3, num_labels=SIZES["num_labels"], hidden_size=SIZES["width"],
            data_dir="cfimdb", fine_tune_mode="last-linear-layer", **switches)
        return classifier.GPT2SentimentClassifier(config)
    args = SimpleNamespace(model_size="gpt2", d=SIZES["width"], l=SIZES["layers"],
                           num_heads=SIZES["heads"], **switches)
    module = paraphrase_detection.ParaphraseGPT if task == "paraphrase" else sonnet_generation.SonnetGPT
    return module(args)


counts = {}
with contextlib.redirect_stdout(sys.stderr):  # the seed prints what it builds
    for task in ["sentiment", "paraphrase", "sonnet"]:
        for variant, flags in VARIANTS.items():
            counts[f"{task}.{variant}"] = trainable(build(task, flags))
print(json.dumps(counts))
