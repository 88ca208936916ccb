"""Grows shipped weights to a charset that appends classes after the old ones (weights/MODEL.md:
charset.txt line k is class k + 1, so the old classes keep their indices and only new rows appear).

Every tensor is copied; the classifier's rows of a new class start as the row of the character it is
closest to (é from e, ß from s, – from -, • from ·; `charset.base_character`), with the bias a little
lower, so the grown model decodes exactly as the old one did and training only has to learn what
tells é from e.

    python -m training.grow OLD.safetensors OUT.safetensors   # for the charset in weights/charset.txt
"""
from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np

from training.charset import CHARSET_PATH, base_character, charset_sha256, load_charset

# How much lower a new class's bias starts than its base character's: the old argmax is kept (the
# logits of the old classes do not change at all), and the new class is one CTC push away.
NEW_CLASS_BIAS_MARGIN = 1.0
# Config keys that may differ between the old and the grown model; everything else must match.
CHARSET_KEYS = ("num_classes", "charset_sha256")


class GrowError(ValueError):
    pass


def prefix_sha256(chars: list[str]) -> str:
    return hashlib.sha256(("\n".join(chars) + "\n").encode("utf-8")).hexdigest()


def can_grow(old_config: dict, new_config: dict, charset: list[str]) -> bool:
    try:
        check_growable(old_config, new_config, charset)
        return True
    except GrowError:
        return False


def check_growable(old_config: dict, new_config: dict, charset: list[str]) -> None:
    strip = lambda c: {k: v for k, v in c.items() if k not in CHARSET_KEYS}  # noqa: E731
    if strip(old_config) != strip(new_config):
        raise GrowError("the architectures differ (only the charset may change)")
    old_n = old_config["num_classes"] - 1
    if new_config["num_classes"] != len(charset) + 1 or old_n > len(charset):
        raise GrowError(f"{old_n} old characters do not fit a charset of {len(charset)}")
    if prefix_sha256(charset[:old_n]) != old_config["charset_sha256"]:
        raise GrowError(f"the first {old_n} lines of the charset are not the old charset "
                        f"(sha256 {old_config['charset_sha256'][:12]}...): classes were not only appended")


def grow_tensors(tensors: dict[str, np.ndarray], old_config: dict, new_config: dict,
                 charset: list[str]) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """(grown tensors, {new character: the character it started from}). Any tensor whose first
    dimension is the old class count (fc.weight, fc.bias) gets the new rows."""
    check_growable(old_config, new_config, charset)
    old_classes, new_classes = old_config["num_classes"], new_config["num_classes"]
    index = {c: i + 1 for i, c in enumerate(charset[: old_classes - 1])}
    sources: dict[str, str] = {}
    rows = []
    for k in range(old_classes, new_classes):
        ch = charset[k - 1]
        base = base_character(ch)
        rows.append(index.get(base) if base else None)
        sources[ch] = base if base in index else ""
    out = {}
    for name, t in tensors.items():
        if t.ndim == 0 or t.shape[0] != old_classes:
            out[name] = t.copy()
            continue
        grown = np.empty((new_classes,) + t.shape[1:], dtype=t.dtype)
        grown[:old_classes] = t
        for k, src in zip(range(old_classes, new_classes), rows):
            if src is not None:
                grown[k] = t[src]
            else:  # no similar old class: a silent row (zero weights, the lowest old bias)
                grown[k] = 0 if t.ndim > 1 else t.min()
            if t.ndim == 1:
                grown[k] -= NEW_CLASS_BIAS_MARGIN
        out[name] = grown
    return out, sources


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old", type=Path)
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    from training.export import read_safetensors, write_safetensors
    tensors, old_config = read_safetensors(args.old)
    charset = load_charset()
    new_config = dict(old_config, num_classes=len(charset) + 1, charset_sha256=charset_sha256(CHARSET_PATH))
    grown, sources = grow_tensors(tensors, old_config, new_config, charset)
    write_safetensors(args.out, grown, new_config)
    print(f"{args.out}: {old_config['num_classes']} -> {new_config['num_classes']} classes; "
          + " ".join(f"{c}<{b or '∅'}" for c, b in sources.items()))


if __name__ == "__main__":
    main()
