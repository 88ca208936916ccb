"""Tesseract 5 as the reference engine for scripts/eval and scripts/bench: one document in, pages of
text lines out, in the evaluation corpus's truth format.

The set-up is the one issue 9 fixes for every comparison: `--psm 3` (automatic page segmentation),
`chi_sim+eng` for Chinese documents and `eng` otherwise, one thread (OMP_THREAD_LIMIT=1), PDF pages
rasterised with `pdftoppm -r 300 -gray` (the truth's pixel frame) and handed over one page per
process; images (multi-page TIFFs included) go to Tesseract as they are.

A line is Tesseract's level-4 textline: its box, its words joined by spaces, and the mean of its
word confidences scaled to 0...1.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

PSM = "3"
DPI = 300
CJK = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_pdf(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(5) == b"%PDF-"


def language(path: Path, corpus_lang: str | None) -> str:
    """chi_sim+eng for Chinese documents, eng otherwise. Without a manifest entry (examples/), a PDF
    whose text layer holds CJK characters counts as Chinese; an image without one counts as not."""
    if corpus_lang is not None:
        return "chi_sim+eng" if corpus_lang in ("zh", "mixed") else "eng"
    if is_pdf(path):
        text = subprocess.run(["pdftotext", "-l", "3", str(path), "-"], capture_output=True, text=True).stdout
        return "chi_sim+eng" if CJK.search(text) else "eng"
    return "eng"


@functools.lru_cache(maxsize=1)
def version() -> str:
    out = subprocess.run(["tesseract", "--version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).splitlines()[0].strip()


def pdf_page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def rasterise_page(pdf: Path, page: int, prefix: Path) -> Path:
    """One PDF page at 300 dpi gray via pdftoppm; returns the PGM written."""
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-f", str(page), "-l", str(page), "-singlefile",
                    str(pdf), str(prefix)], check=True)
    return prefix.with_suffix(".pgm")


def run_tesseract(image: Path, lang: str, dpi: int | None) -> str:
    """Tesseract's TSV for one image file (every page of it), one thread."""
    cmd = ["tesseract", str(image), "-", "--psm", PSM, "-l", lang]
    if dpi:
        cmd += ["--dpi", str(dpi)]
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    done = subprocess.run(cmd + ["tsv"], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{image}: tesseract exited {done.returncode}: {done.stderr.strip()[-300:]}")
    return done.stdout


def tsv_pages(tsv: str, page_offset: int = 0, dpi: float | None = None) -> list[dict]:
    """Truth-format pages from Tesseract's TSV: level 1 gives the page size, level 4 the line boxes,
    level 5 the words (and their confidences) of each line."""
    pages: dict[int, dict] = {}
    lines: dict[tuple, dict] = {}
    for row in tsv.splitlines()[1:]:
        f = row.split("\t")
        if len(f) < 12:
            continue
        level, page = int(f[0]), int(f[1]) + page_offset
        x, y, w, h = (int(v) for v in f[6:10])
        if level == 1:
            pages[page] = {"page": page, "width": w, "height": h, "lines": []}
            if dpi:
                pages[page]["dpi"] = dpi
        elif level == 4:
            lines[(page, f[2], f[3], f[4])] = {"words": [], "conf": [], "bbox": [x, y, x + w, y + h]}
        elif level == 5 and f[11].strip():
            line = lines.get((page, f[2], f[3], f[4]))
            if line is not None:
                line["words"].append(f[11].strip())
                line["conf"].append(max(0.0, float(f[10])) / 100)
    for (page, *_), line in lines.items():
        if line["words"] and page in pages:
            pages[page]["lines"].append({"text": " ".join(line["words"]),
                                         "confidence": round(sum(line["conf"]) / len(line["conf"]), 4),
                                         "bbox": line["bbox"]})
    return [pages[k] for k in sorted(pages)]


def recognise(path: Path, lang: str) -> tuple[dict, list[dict]]:
    """Tesseract's answer for one document and, per process run, its timing: [{"pages", "seconds",
    "rasterise_seconds"}] (one entry per PDF page, one for a whole image file)."""
    pages, timings = [], []
    if is_pdf(path):
        with tempfile.TemporaryDirectory() as scratch:
            for n in range(1, pdf_page_count(path) + 1):
                start = time.perf_counter()
                image = rasterise_page(path, n, Path(scratch) / "page")
                raster = time.perf_counter() - start
                start = time.perf_counter()
                tsv = run_tesseract(image, lang, DPI)
                timings.append({"pages": 1, "seconds": time.perf_counter() - start, "rasterise_seconds": raster})
                found = tsv_pages(tsv, page_offset=n - 1, dpi=DPI)
                pages += found or [{"page": n, "width": 0, "height": 0, "dpi": DPI, "lines": []}]
    else:
        start = time.perf_counter()
        tsv = run_tesseract(path, lang, None)
        pages = tsv_pages(tsv)
        timings.append({"pages": max(1, len(pages)), "seconds": time.perf_counter() - start, "rasterise_seconds": 0.0})
    return {"path": str(path), "pages": pages}, timings


def cached_recognise(path: Path, lang: str, cache: Path) -> dict:
    """recognise(), cached under `cache` by the file's content hash, the language, the page
    segmentation mode and the Tesseract version, so re-running an evaluation costs nothing."""
    key = hashlib.sha256(f"{file_sha256(path)}|{lang}|psm{PSM}|{DPI}|{version()}".encode()).hexdigest()[:24]
    entry = cache / f"{key}.json"
    if entry.exists():
        answer = json.loads(entry.read_text(encoding="utf-8"))
        answer["path"] = str(path)
        return answer
    answer, _ = recognise(path, lang)
    cache.mkdir(parents=True, exist_ok=True)
    tmp = entry.with_suffix(".tmp")
    tmp.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
    tmp.replace(entry)
    return answer
