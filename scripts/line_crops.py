#!/usr/bin/env python3
"""Crops every ground-truth line of an evaluation corpus (default ../shared/eval-dev) into a folder,
for the recogniser benchmark. PDF pages are rendered with `pdftoppm -r 300 -gray`, images are used
as they are (converted to gray); boxes come from truth/<id>.json. Nothing is written into the repo.

    python3 scripts/line_crops.py OUT_DIR [--corpus ../shared/eval-dev] [--fixed 100]

Writes OUT_DIR/index.tsv (file, doc, lang, category, width, height, text), the crops as binary PGM
("P5\\n<w> <h>\\n255\\n" + pixels) and OUT_DIR/fixed/: the first --fixed crops scaled to exactly
320x32, for timing a 32x320 line.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent


def write_pgm(path: Path, img: Image.Image) -> None:
    img = img.convert("L")
    path.write_bytes(f"P5\n{img.width} {img.height}\n255\n".encode() + img.tobytes())


def pages(doc: dict, corpus: Path, scratch: Path) -> dict[int, Image.Image]:
    path = corpus / doc["file"]
    if doc["kind"] != "pdf":
        return {1: Image.open(path).convert("L")}
    truth = json.loads((corpus / "truth" / f"{doc['id']}.json").read_text())
    out = {}
    for page in truth["pages"]:
        n = page["page"]
        prefix = scratch / f"{doc['id']}-{n}"
        subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-f", str(n), "-l", str(n), "-singlefile",
                        str(path), str(prefix)], check=True)
        out[n] = Image.open(f"{prefix}.png").convert("L")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path)
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "eval-dev")
    ap.add_argument("--fixed", type=int, default=100)
    args = ap.parse_args()
    out: Path = args.out
    (out / "fixed").mkdir(parents=True, exist_ok=True)
    docs = [json.loads(l) for l in (args.corpus / "manifest.jsonl").read_text().splitlines() if l.strip()]
    rows, fixed = [], 0
    with tempfile.TemporaryDirectory() as scratch:
        for doc in docs:
            truth = json.loads((args.corpus / "truth" / f"{doc['id']}.json").read_text())
            images = pages(doc, args.corpus, Path(scratch))
            for page in truth["pages"]:
                img = images[page["page"]]
                for line in page["lines"]:
                    x0, y0, x1, y1 = (int(round(v)) for v in line["bbox"])
                    x0, y0 = max(0, x0), max(0, y0)
                    x1, y1 = min(img.width, x1), min(img.height, y1)
                    if x1 - x0 < 2 or y1 - y0 < 2:
                        continue
                    crop = img.crop((x0, y0, x1, y1))
                    name = f"{len(rows):05d}.pgm"
                    write_pgm(out / name, crop)
                    if fixed < args.fixed:
                        write_pgm(out / "fixed" / name, crop.resize((320, 32), Image.BILINEAR))
                        fixed += 1
                    text = line["text"].replace("\t", " ").replace("\n", " ")
                    rows.append("\t".join([name, doc["id"], doc["lang"], doc["category"],
                                           str(crop.width), str(crop.height), text]))
    (out / "index.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"{out}: {len(rows)} line crops from {len(docs)} documents, {fixed} fixed 32x320 crops")


if __name__ == "__main__":
    main()
