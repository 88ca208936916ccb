"""Narrows conv layers of trained weights (fewer output channels) so that a smaller, faster model
continues from one that already reads instead of from scratch (the CNN and the BiLSTM input are ~60 %
of the recogniser's multiply-adds; weights/MODEL.md has the cost table).

A channel's worth is what it feeds forward: Var(a_c) · ‖w_c‖², its activation's variance on synthetic
training lines (never the evaluation corpus) times the squared norm of the weights that read it in the
next layer (the next conv's, scaled by that layer's batch-norm, or the BiLSTM input columns of its
feature rows). The least worthy channels go; their mean output is folded into what reads them (the next
batch-norm's running mean, or the BiLSTM input bias), so the narrowed model starts close to the old.

    python -m training.prune OLD.safetensors OUT.safetensors --conv 3=96 --conv 4=192 [--lines 1000]
"""
from __future__ import annotations

import argparse
import copy
from pathlib import Path

import numpy as np
import torch

BN_EPS = 1e-5


class PruneError(ValueError):
    pass


def narrowed_config(config: dict, widths: dict[int, int]) -> dict:
    """`config` with conv layer i's output channels set to widths[i] (each a narrowing)."""
    out = copy.deepcopy(config)
    for i, width in widths.items():
        if not 0 <= i < len(out["conv"]):
            raise PruneError(f"no conv layer {i}")
        if not 0 < width <= out["conv"][i]["out"]:
            raise PruneError(f"conv.{i}: {out['conv'][i]['out']} -> {width} is not a narrowing")
        out["conv"][i]["out"] = width
    return out


def pruned_widths(old_config: dict, new_config: dict) -> dict[int, int] | None:
    """The per-layer narrowing that turns old into new, or None when they differ otherwise."""
    if len(old_config["conv"]) != len(new_config["conv"]):
        return None
    widths = {}
    for i, (a, b) in enumerate(zip(old_config["conv"], new_config["conv"])):
        if {**a, "out": 0} != {**b, "out": 0} or b["out"] > a["out"]:
            return None
        if b["out"] < a["out"]:
            widths[i] = b["out"]
    rest = lambda c: {k: v for k, v in c.items() if k not in ("conv", "bottleneck")}  # noqa: E731
    return widths if widths and rest(old_config) == rest(new_config) else None


@torch.no_grad()
def activation_moments(model, lines: int, seed: int = 5151) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per conv layer, (mean, mean square) of each channel's output (after ReLU and pool) over the
    line's own columns of `lines` synthetic training lines."""
    from training.data import SyntheticBatches
    model.eval()
    batches = iter(SyntheticBatches(batch_size=32, seed=seed))
    sums = [None] * len(model.conv)
    count = 0
    while count < lines:
        images, frames, _, _ = next(batches)
        for n in range(images.shape[0]):
            line = images[n:n + 1, :, :, : int(frames[n]) * model.config["horizontal_stride"]]
            for i, x in enumerate(model.conv_outputs(line)):
                flat = x[0].reshape(x.shape[1], -1).double()
                s = torch.stack([flat.sum(1), (flat * flat).sum(1), torch.full_like(flat[:, 0], flat.shape[1])])
                sums[i] = s if sums[i] is None else sums[i] + s
        count += images.shape[0]
    model.train()
    return [((s[0] / s[2]).numpy(), (s[1] / s[2]).numpy()) for s in sums]


def prune_tensors(t: dict[str, np.ndarray], config: dict, widths: dict[int, int],
                  moments: list[tuple[np.ndarray, np.ndarray]]) -> dict[str, np.ndarray]:
    """Tensors of `narrowed_config(config, widths)`, keeping each layer's worthiest channels."""
    out = {k: v.astype(np.float64) for k, v in t.items()}
    dtype = t["conv.0.weight"].dtype
    last = len(config["conv"]) - 1
    rows = config["input_height"]
    for layer in config["conv"]:
        rows //= layer["pool"][0] if layer["pool"] else 1
    # Deepest first: a layer's worth is read from the next layer's weights as they will be kept.
    for i in sorted(widths, reverse=True):
        mean, meansq = moments[i]
        var = np.clip(meansq - mean * mean, 0, None)
        if i == last:
            reads = [out[f"lstm.weight_ih_l0{s}"] for s in ("", "_reverse")]
            cols = lambda c: slice(c * rows, (c + 1) * rows)  # noqa: E731  (feature c·H' + h)
            norms = np.array([sum(float((w[:, cols(c)] ** 2).sum()) for w in reads) for c in range(len(mean))])
        else:
            scale = out[f"bn.{i + 1}.weight"] / np.sqrt(out[f"bn.{i + 1}.running_var"] + BN_EPS)
            w = out[f"conv.{i + 1}.weight"] * scale[:, None, None, None]
            norms = (w ** 2).sum(axis=(0, 2, 3))
        order = np.argsort(-(var * norms), kind="stable")
        keep, drop = np.sort(order[: widths[i]]), order[widths[i]:]
        for name in (f"conv.{i}.weight", f"bn.{i}.weight", f"bn.{i}.bias", f"bn.{i}.running_mean",
                     f"bn.{i}.running_var"):
            out[name] = out[name][keep]
        if i == last:
            kept_cols = np.concatenate([np.arange(c * rows, (c + 1) * rows) for c in keep])
            drop_cols = np.concatenate([np.arange(c * rows, (c + 1) * rows) for c in drop])
            for s in ("", "_reverse"):
                w = out[f"lstm.weight_ih_l0{s}"]
                # Each dropped feature row's mean (its per-row mean ≈ the channel's) joins the bias.
                out[f"lstm.bias_ih_l0{s}"] = out[f"lstm.bias_ih_l0{s}"] + w[:, drop_cols] @ np.repeat(mean[drop], rows)
                out[f"lstm.weight_ih_l0{s}"] = w[:, kept_cols]
        else:
            w = out[f"conv.{i + 1}.weight"]
            # The dropped channels' constant part leaves the next conv's output; BN's mean follows it.
            out[f"bn.{i + 1}.running_mean"] = out[f"bn.{i + 1}.running_mean"] - (w[:, drop].sum(axis=(2, 3)) @ mean[drop])
            out[f"conv.{i + 1}.weight"] = w[:, keep]
    return {k: v.astype(dtype) for k, v in out.items()}


def prune_model_tensors(tensors: dict[str, np.ndarray], config: dict, widths: dict[int, int],
                        lines: int) -> dict[str, np.ndarray]:
    from training.export import model_from_tensors
    return prune_tensors(tensors, config, widths, activation_moments(model_from_tensors(tensors, config), lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--conv", action="append", required=True, metavar="I=WIDTH",
                    help="narrow conv layer I to WIDTH output channels (repeatable)")
    ap.add_argument("--lines", type=int, default=1000, help="synthetic lines for the activation moments")
    args = ap.parse_args()
    from training.export import read_safetensors, write_safetensors
    tensors, old_config = read_safetensors(args.old)
    widths = {int(a): int(b) for a, b in (s.split("=") for s in args.conv)}
    new_config = narrowed_config(old_config, widths)
    write_safetensors(args.out, prune_model_tensors(tensors, old_config, widths, args.lines), new_config)
    print(f"{args.out}: conv widths {[c['out'] for c in old_config['conv']]} -> "
          f"{[c['out'] for c in new_config['conv']]} (moments from {args.lines} synthetic lines)")


if __name__ == "__main__":
    main()
