"""Narrows the classifier's bottleneck of trained weights (weights/MODEL.md: proj 256→b, fc b→classes)
so that training continues from a model that already reads, instead of from scratch.

The two linear layers compose to one affine map of the BiLSTM output h: logits = M h + c with
M = fc.weight · proj.weight and c = fc.weight · proj.bias + fc.bias. The narrower pair is the rank-r
map closest to M *on the h the model actually produces*: with Σ = E[h hᵀ] over synthetic training
lines (never the evaluation corpus), the best rank-r M_r minimises E‖(M − M_r) h‖², which is the SVD of
M Σ^½ truncated to r (then multiplied back by Σ^-½). A plain SVD of M would spend rank on directions
h never takes.

    python -m training.shrink OLD.safetensors OUT.safetensors --bottleneck 64 [--lines 4000]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

# Config keys that may differ between the old and the narrowed model; everything else must match.
SHRINK_KEYS = ("bottleneck",)


class ShrinkError(ValueError):
    pass


def check_shrinkable(old_config: dict, new_config: dict) -> None:
    strip = lambda c: {k: v for k, v in c.items() if k not in SHRINK_KEYS}  # noqa: E731
    if strip(old_config) != strip(new_config):
        raise ShrinkError("the architectures differ in more than the bottleneck")
    old_b, new_b = old_config["bottleneck"], new_config["bottleneck"]
    if not new_b or (old_b and new_b >= old_b):
        raise ShrinkError(f"bottleneck {old_b} -> {new_b} is not a narrowing")


def can_shrink(old_config: dict, new_config: dict) -> bool:
    try:
        check_shrinkable(old_config, new_config)
        return True
    except ShrinkError:
        return False


def composed_classifier(t: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """(M, c) of logits = M h + c, in float64."""
    fw, fb = t["fc.weight"].astype(np.float64), t["fc.bias"].astype(np.float64)
    if "proj.weight" not in t:
        return fw, fb
    pw, pb = t["proj.weight"].astype(np.float64), t["proj.bias"].astype(np.float64)
    return fw @ pw, fw @ pb + fb


def shrink_tensors(t: dict[str, np.ndarray], second_moment: np.ndarray, rank: int) -> dict[str, np.ndarray]:
    """Tensors with proj (rank×H) and fc (classes×rank) replaced by the Σ-weighted rank-r factors."""
    m, c = composed_classifier(t)
    evals, evecs = np.linalg.eigh(second_moment)
    evals = np.clip(evals, evals.max() * 1e-8, None)  # Σ is singular along dead LSTM units
    root, inv_root = (evecs * np.sqrt(evals)) @ evecs.T, (evecs / np.sqrt(evals)) @ evecs.T
    u, s, vt = np.linalg.svd(m @ root, full_matrices=False)
    scale = np.sqrt(s[:rank])
    out = {k: v.copy() for k, v in t.items() if not k.startswith(("proj.", "fc."))}
    dtype = t["fc.weight"].dtype
    out["proj.weight"] = ((scale[:, None] * vt[:rank]) @ inv_root).astype(dtype)
    out["proj.bias"] = np.zeros(rank, dtype=dtype)
    out["fc.weight"] = (u[:, :rank] * scale).astype(dtype)
    out["fc.bias"] = c.astype(dtype)
    return out


@torch.no_grad()
def lstm_second_moment(model, lines: int, seed: int = 4242) -> np.ndarray:
    """E[h hᵀ] of the BiLSTM outputs over `lines` synthetic training lines (training faces)."""
    from training.data import SyntheticBatches
    model.eval()
    batches = iter(SyntheticBatches(batch_size=32, seed=seed))
    total, count, n_rows = None, 0, 0
    while count < lines:
        images, frames, _, _ = next(batches)
        feats = model.features(images)                       # [T, N, F]
        packed = torch.nn.utils.rnn.pack_padded_sequence(feats, frames, enforce_sorted=False)
        out, _ = model.lstm(packed)
        h, lengths = torch.nn.utils.rnn.pad_packed_sequence(out)
        rows = torch.cat([h[: int(n), i] for i, n in enumerate(lengths)]).double()
        moment = rows.T @ rows
        total = moment if total is None else total + moment
        count += images.shape[0]
        n_rows += rows.shape[0]
    return (total / n_rows).numpy()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--bottleneck", type=int, required=True)
    ap.add_argument("--lines", type=int, default=4000, help="synthetic lines for E[h hᵀ]")
    args = ap.parse_args()
    from training.export import load_model, read_safetensors, write_safetensors
    tensors, old_config = read_safetensors(args.old)
    new_config = dict(old_config, bottleneck=args.bottleneck)
    check_shrinkable(old_config, new_config)
    sigma = lstm_second_moment(load_model(args.old), args.lines)
    write_safetensors(args.out, shrink_tensors(tensors, sigma, args.bottleneck), new_config)
    print(f"{args.out}: bottleneck {old_config['bottleneck']} -> {args.bottleneck} "
          f"(E[hhT] from {args.lines} synthetic lines)")


if __name__ == "__main__":
    main()
