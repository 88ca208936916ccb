"""Uniform weight average of several states of one training run (a "model soup" along one trajectory):
exported weight files and/or checkpoints (a checkpoint gives its running average, `--ema`, where it
has one, else its trained weights). Averaging states some tens of minutes apart reaches further back
than the run's own `--ema` horizon, which at a constant learning rate takes out more of the noise of
the last steps. Only states of one run and architecture make sense: the script checks the configs.

    python -m training.average A.safetensors B.pt C.pt ... --out OUT.safetensors
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

from training.export import export, model_from_tensors, read_safetensors


def state_of(path: Path) -> tuple[dict[str, np.ndarray], dict]:
    if path.suffix == ".safetensors":
        return read_safetensors(path)
    ckpt = torch.load(path, map_location="cpu")
    state = ckpt.get("ema") or ckpt["model"]
    return {k: v.float().numpy() for k, v in state.items() if not k.endswith("num_batches_tracked")}, ckpt["config"]


def average(paths: list[Path]) -> tuple[dict[str, np.ndarray], dict]:
    sums, config = None, None
    for p in paths:
        tensors, cfg = state_of(p)
        if config is None:
            sums, config = {k: v.astype(np.float64) for k, v in tensors.items()}, cfg
            continue
        if cfg != config or tensors.keys() != sums.keys():
            raise SystemExit(f"{p}: another architecture or charset than {paths[0]}")
        for k, v in tensors.items():
            sums[k] += v
    return {k: (v / len(paths)).astype(np.float32) for k, v in sums.items()}, config


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("states", type=Path, nargs="+")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    tensors, config = average(args.states)
    export(model_from_tensors(tensors, config, "the average"), args.out)  # checks every tensor is there
    print(f"wrote {args.out}: the average of {len(args.states)} states")


if __name__ == "__main__":
    main()
