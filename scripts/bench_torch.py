#!/usr/bin/env python3
"""PyTorch (CPU, one thread) and Tesseract 5 (--psm 7) on the crops of scripts/line_crops.py, for
scripts/bench-recognise. Also writes a randomly initialised model of the shipped architecture when
there are no trained weights yet (timing depends on the architecture, not on the weights).

    python3 scripts/bench_torch.py torch CROPS MODEL_DIR PRED_FILE --training-root ROOT
    python3 scripts/bench_torch.py tesseract CROPS PRED_FILE
    python3 scripts/bench_torch.py stand-in MODEL_DIR --training-root ROOT
    python3 scripts/bench_torch.py score CROPS PRED_FILE...
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

from PIL import Image


def index(crops: Path) -> list[list[str]]:
    return [l.split("\t") for l in (crops / "index.tsv").read_text(encoding="utf-8").splitlines() if l]


def bench_torch(args) -> None:
    sys.path.insert(0, str(args.training_root))
    import torch
    from training.charset import load_charset
    from training.export import load_model
    from training.model import greedy_decode
    from training.render import normalise
    torch.set_num_threads(1)
    model = load_model(args.model / "crnn.safetensors")
    charset = load_charset(args.model / "charset.txt")
    stride = model.config["horizontal_stride"]

    def recognise(img: Image.Image) -> str:
        x = normalise(img, stride)
        t = x.shape[1] // stride
        with torch.no_grad():
            logits = model(torch.from_numpy(x)[None, None], torch.tensor([t]))
        return greedy_decode(logits, [t], charset)[0][0]

    rows = index(args.crops)
    images = [Image.open(args.crops / r[0]) for r in rows]
    for im in images:
        im.load()
    fixed = [Image.open(p) for p in sorted((args.crops / "fixed").iterdir())]
    for im in fixed[:8]:
        recognise(im)
    start = time.perf_counter()
    texts = [recognise(im) for im in images]
    seconds = time.perf_counter() - start
    start = time.perf_counter()
    for im in fixed:
        recognise(im)
    fixed_seconds = time.perf_counter() - start
    args.pred.write_text("\n".join(texts) + "\n", encoding="utf-8")
    print(json.dumps({"engine": "pytorch", "lines": len(rows), "seconds": seconds,
                      "lines_per_s": len(rows) / seconds, "ms_per_32x320": fixed_seconds / len(fixed) * 1000}))


def run_tesseract(files: list[Path], lang: str, scratch: Path) -> tuple[list[str], float]:
    """One tesseract process per language over a file list, so its model loads once."""
    listing = scratch / f"list-{lang}.txt"
    listing.write_text("\n".join(str(f) for f in files) + "\n")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    start = time.perf_counter()
    subprocess.run(["tesseract", str(listing), str(scratch / f"out-{lang}"), "--psm", "7", "-l", lang],
                   check=True, env=env, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    pages = (scratch / f"out-{lang}.txt").read_text(encoding="utf-8").split("\f")
    return [p.strip().replace("\n", " ") for p in pages[:len(files)]], seconds


def bench_tesseract(args) -> None:
    rows = index(args.crops)
    texts = [""] * len(rows)
    seconds = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        for lang, pick in (("eng", lambda r: r[2] != "zh"), ("chi_sim+eng", lambda r: r[2] == "zh")):
            chosen = [i for i, r in enumerate(rows) if pick(r)]
            out, s = run_tesseract([args.crops / rows[i][0] for i in chosen], lang, Path(scratch))
            seconds += s
            for i, t in zip(chosen, out):
                texts[i] = t
        fixed = sorted((args.crops / "fixed").iterdir())
        _, fixed_seconds = run_tesseract(fixed, "eng", Path(scratch))
    args.pred.write_text("\n".join(texts) + "\n", encoding="utf-8")
    print(json.dumps({"engine": "tesseract", "lines": len(rows), "seconds": seconds,
                      "lines_per_s": len(rows) / seconds, "ms_per_32x320": fixed_seconds / len(fixed) * 1000}))


def stand_in(args) -> None:
    sys.path.insert(0, str(args.training_root))
    import torch
    from training.charset import CHARSET_PATH, charset_sha256, load_charset
    from training.export import export, round_to_fp16
    from training.model import CRNN, default_config
    torch.manual_seed(0)
    args.model.mkdir(parents=True, exist_ok=True)
    shutil.copy(CHARSET_PATH, args.model / "charset.txt")
    config = default_config(len(load_charset(CHARSET_PATH)) + 1, charset_sha256(CHARSET_PATH))
    export(round_to_fp16(CRNN(config).eval()), args.model / "crnn.safetensors")


def normalised(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text) if not c.isspace())


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def score(args) -> None:
    """CER per engine (whitespace ignored, NFKC, case-insensitive for upper-cased truth), by lang."""
    rows = index(args.crops)
    result = {}
    for pred in args.preds:
        texts = pred.read_text(encoding="utf-8").split("\n")[:len(rows)]
        errors, chars = {}, {}
        for r, t in zip(rows, texts):
            truth, hyp = normalised(r[6]), normalised(t)
            if r[1].startswith("sroie"):
                truth, hyp = truth.upper(), hyp.upper()
            for key in ("all", r[2]):
                errors[key] = errors.get(key, 0) + edit_distance(truth, hyp)
                chars[key] = chars.get(key, 0) + len(truth)
        result[pred.name] = {k: errors[k] / max(1, chars[k]) for k in errors}
    print(json.dumps(result))


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("torch")
    t.add_argument("crops", type=Path); t.add_argument("model", type=Path); t.add_argument("pred", type=Path)
    t.add_argument("--training-root", type=Path, default=Path(__file__).resolve().parent.parent)
    t.set_defaults(run=bench_torch)
    s = sub.add_parser("tesseract")
    s.add_argument("crops", type=Path); s.add_argument("pred", type=Path)
    s.set_defaults(run=bench_tesseract)
    m = sub.add_parser("stand-in")
    m.add_argument("model", type=Path)
    m.add_argument("--training-root", type=Path, default=Path(__file__).resolve().parent.parent)
    m.set_defaults(run=stand_in)
    c = sub.add_parser("score")
    c.add_argument("crops", type=Path); c.add_argument("preds", type=Path, nargs="+")
    c.set_defaults(run=score)
    args = ap.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
