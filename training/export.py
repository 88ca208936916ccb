"""Writes the model file of weights/MODEL.md (safetensors layout, fp16) and reads it back.

    python -m training.export --checkpoint /work/train-runs/ckpt-latest.pt   # -> weights/crnn.safetensors
    python -m training.export --random-init --out DIR                        # small random model for parity tests
"""
from __future__ import annotations

import argparse
import json
import os
import random
import struct
from pathlib import Path

import numpy as np
import torch

from training.charset import CHARSET_PATH, charset_sha256, load_charset, write_charset
from training.model import CRNN, default_config

REPO = Path(__file__).resolve().parent.parent
WEIGHTS_PATH = REPO / "weights" / "crnn.safetensors"


def model_tensors(model: CRNN) -> dict[str, np.ndarray]:
    """State under MODEL.md's names (conv.{i}.weight, bn.{i}.*, lstm.*, proj.*, fc.*)."""
    out = {}
    for name, t in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        out[name] = t.detach().float().cpu().numpy()
    return out


def write_safetensors(path: Path, tensors: dict[str, np.ndarray], config: dict) -> None:
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name].astype("<f2")).tobytes()
        header[name] = {"dtype": "F16", "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    header["__metadata__"] = {"format": "docvault-crnn", "version": "1",
                              "config": json.dumps(config, separators=(",", ":"))}
    blob = json.dumps(header, separators=(",", ":")).encode("utf-8")
    blob += b" " * ((-len(blob)) % 8)  # keeps the data 8-byte aligned (spaces are valid JSON)
    tmp = path.with_suffix(".tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for c in chunks:
            f.write(c)
    os.replace(tmp, path)  # readers never see a half-written model


def read_safetensors(path: Path) -> tuple[dict[str, np.ndarray], dict]:
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__")
    data = raw[8 + n:]
    tensors = {}
    for name, info in header.items():
        if info["dtype"] != "F16":
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']}, expected F16")
        b, e = info["data_offsets"]
        tensors[name] = np.frombuffer(data[b:e], dtype="<f2").reshape(info["shape"]).astype(np.float32)
    return tensors, json.loads(meta["config"])


def model_from_tensors(tensors: dict[str, np.ndarray], config: dict, origin: str = "tensors") -> CRNN:
    """A CRNN of `config` holding `tensors` (every one must be there; BN's step counter may not)."""
    model = CRNN(config)
    state = {k: torch.from_numpy(v.astype(np.float32)) for k, v in tensors.items()}
    missing = model.load_state_dict(state, strict=False)
    if missing.missing_keys and any(not k.endswith("num_batches_tracked") for k in missing.missing_keys):
        raise ValueError(f"{origin}: missing tensors {missing.missing_keys}")
    return model


def load_model(path: Path) -> CRNN:
    tensors, config = read_safetensors(path)
    return model_from_tensors(tensors, config, str(path)).eval()


def round_to_fp16(model: CRNN) -> CRNN:
    """The same model with every parameter and BN statistic rounded through fp16, as the file holds."""
    with torch.no_grad():
        for t in list(model.parameters()) + [b for b in model.buffers() if b.is_floating_point()]:
            t.copy_(t.half().float())
    return model


def export(model: CRNN, path: Path = WEIGHTS_PATH) -> None:
    write_safetensors(path, model_tensors(model), model.config)


def random_small_model(out: Path, seed: int = 7) -> CRNN:
    """A tiny randomly initialised CRNN with its own ~100-class charset for exact-parity tests.
    BN statistics are randomised too so that the Swift loader's folding is exercised."""
    torch.manual_seed(seed)
    rng = random.Random(seed)
    full = load_charset()
    chars = full[:95] + [c for c in full if c in "，。：（）¥￥×【】"] + rng.sample(full[200:], 12)
    out.mkdir(parents=True, exist_ok=True)
    write_charset(chars, out / "charset.txt")
    config = {"input_height": 32,
              "conv": [{"out": 4, "kernel": 3, "pool": [2, 2]}, {"out": 8, "kernel": 3, "pool": [2, 2]},
                       {"out": 8, "kernel": 3, "pool": [2, 1]}, {"out": 12, "kernel": 3, "pool": [2, 1]},
                       {"out": 12, "kernel": 3, "pool": None}],
              "lstm_hidden": 16, "lstm_layers": 1, "bottleneck": 12, "num_classes": len(chars) + 1,
              "horizontal_stride": 4, "charset_sha256": charset_sha256(out / "charset.txt")}
    model = CRNN(config)
    with torch.no_grad():
        for bn in model.bn:
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.2, 0.2)
            bn.running_mean.uniform_(-0.3, 0.3)
            bn.running_var.uniform_(0.5, 2.0)
        for conv in model.conv:
            conv.weight.mul_(3.0)  # so activations stay lively through five small layers
        for name, p in model.lstm.named_parameters():
            p.mul_(4.0)
        model.proj.weight.mul_(3.0)
        model.fc.weight.mul_(12.0)  # peaky outputs: clear argmaxes and several decoded characters
        model.fc.bias.uniform_(-1.0, 1.0)
    model = round_to_fp16(model.eval())
    export(model, out / "crnn.safetensors")
    return model


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", type=Path)
    ap.add_argument("--random-init", action="store_true")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    if args.random_init:
        if not args.out:
            ap.error("--random-init needs --out DIR")
        random_small_model(args.out)
        print(f"wrote {args.out}/crnn.safetensors and {args.out}/charset.txt")
        return
    if not args.checkpoint:
        ap.error("give --checkpoint or --random-init")
    ckpt = torch.load(args.checkpoint, map_location="cpu")
    model = CRNN(ckpt["config"])
    model.load_state_dict(ckpt["model"])
    if ckpt["config"]["charset_sha256"] != charset_sha256(CHARSET_PATH):
        raise SystemExit(f"{args.checkpoint}: trained on another charset than {CHARSET_PATH}")
    dest = args.out or WEIGHTS_PATH
    export(model, dest)
    print(f"wrote {dest}")


if __name__ == "__main__":
    main()
