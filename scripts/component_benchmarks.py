"""The component figures of scripts/bench, taken from the existing component scripts (run as they
are; their printed report is kept verbatim beside the figures parsed out of it):

  rasterisation   scripts/bench-render CORPUS: DocVault vs pdftoppm, ms per PDF page at 300 dpi
  segmentation    scripts/eval-lines CORPUS --no-tesseract: segmenter ms/page (CPU time of its
                  thread) and its line-box F1 (tolerant)
  recognition     scripts/bench-recognise --corpus CORPUS: lines/s of DocVault, the training code's
                  PyTorch model and Tesseract --psm 7 on the ground-truth line crops; model load time
  search          scripts/bench-search --lines N: p50/p95 per query kind on an N-line archive

A script that fails, times out or prints something these patterns do not recognise gives an entry
with "error" and its output, never a made-up figure.
"""
from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path

NUM = r"([-\d.]+)"


def run_script(args: list[str], cwd: Path, timeout: int, log: Path) -> dict:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_THREAD_LIMIT="1")
    start = time.perf_counter()
    try:
        done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
        out, rc = done.stdout, done.returncode
        err = done.stderr
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err, rc = f"timed out after {timeout} s", None
    log.write_text(f"$ {' '.join(args)}\n{out}\n--- stderr ---\n{err}", encoding="utf-8")
    return {"command": " ".join(args), "rc": rc, "seconds": time.perf_counter() - start,
            "report": out.strip(), "stderr_tail": err[-1500:]}


def _failed(entry: dict, what: str) -> dict:
    entry["error"] = what if entry["rc"] == 0 else f"exit status {entry['rc']}: {entry['stderr_tail'][-300:]}"
    return entry


def rasterisation(repo: Path, corpus: Path, timeout: int, logs: Path) -> dict:
    e = run_script(["scripts/bench-render", str(corpus)], repo, timeout, logs / "bench-render.log")
    for kind in ("wall", "cpu"):
        m = re.search(rf"^{kind}\s+median\s+docvault\s+{NUM} ms\s+pdftoppm\s+{NUM} ms\s+ratio {NUM}x", e["report"], re.M)
        if not m:
            return _failed(e, "no median line in bench-render's report")
        e[kind] = {"docvault_ms": float(m[1]), "pdftoppm_ms": float(m[2]), "ratio": float(m[3])}
    pages = re.search(r"^pages: (\d+)", e["report"], re.M)
    e["pages"] = int(pages[1]) if pages else None
    return e


def segmentation(repo: Path, corpus: Path, timeout: int, logs: Path) -> dict:
    e = run_script(["scripts/eval-lines", str(corpus), "--no-tesseract"], repo, timeout, logs / "eval-lines.log")
    row = re.search(r"^ALL\s+ours\s+(\d+)\s+(\d+)\s+" + r"\s+".join([NUM] * 6) + r"\s+" + NUM + r"\s*$", e["report"], re.M)
    if not row:
        return _failed(e, "no 'ALL ours' row in eval-lines' report")
    e.update({"truth_lines": int(row[1]), "boxes": int(row[2]), "strict_f1": float(row[5]),
              "tolerant_f1": float(row[8]), "ms_per_page": float(row[9])})
    rss = re.search(r"segmenter's own peak per page \(crops included\): max ([\d.]+) MB", e["report"])
    e["segmenter_peak_mb_per_page"] = float(rss[1]) if rss else None
    return e


def recognition(repo: Path, corpus: Path, timeout: int, logs: Path) -> dict:
    e = run_script(["scripts/bench-recognise", "--corpus", str(corpus)], repo, timeout, logs / "bench-recognise.log")
    engines = {}
    for m in re.finditer(r"^(docvault|pytorch|tesseract)\s+" + r"\s+".join([NUM] * 5), e["report"], re.M):
        engines[m[1]] = {"lines_per_s": float(m[2]), "lines_per_cpu_s": float(m[3]), "ms_per_32x320": float(m[4]),
                         "cpu_ms_per_32x320": float(m[5]), "cer": float(m[6])}
    model = re.search(r"model: file ([\d.]+) MB.*?RSS of one more loaded model ([\d.]+) MB.*?load (\d+) ms",
                      e["report"], re.S)
    lines = re.search(r"^(\d+) ground-truth line crops", e["report"], re.M)
    if "docvault" not in engines or "tesseract" not in engines or not model:
        return _failed(e, "engine rows or the model line missing from bench-recognise's report")
    e.update({"engines": engines, "lines": int(lines[1]) if lines else None,
              "model_file_mb": float(model[1]), "model_rss_mb": float(model[2]), "model_load_ms": float(model[3]),
              "ratio_lines_per_s_vs_tesseract": engines["docvault"]["lines_per_s"] / engines["tesseract"]["lines_per_s"],
              "ratio_lines_per_cpu_s_vs_tesseract":
                  engines["docvault"]["lines_per_cpu_s"] / engines["tesseract"]["lines_per_cpu_s"]})
    return e


def search(repo: Path, lines: int, timeout: int, logs: Path) -> dict:
    e = run_script(["scripts/bench-search", "--lines", str(lines)], repo, timeout, logs / "bench-search.log")
    kinds = {}
    for m in re.finditer(r"^(\S.*?)\s+(\d+)\s+" + r"\s+".join([NUM] * 6) + r"\s+(\d+)\s*$", e["report"], re.M):
        kinds[m[1]] = {"queries": int(m[2]), "p50_ms": float(m[3]), "p95_ms": float(m[4]), "max_ms": float(m[5]),
                       "cpu_p50_ms": float(m[6]), "cpu_p95_ms": float(m[7])}
    archive = re.search(r"^archive: (\d+) lines, (\d+) documents, (\d+) bytes per line", e["report"], re.M)
    if not kinds or not archive:
        return _failed(e, "no query rows in bench-search's report")
    e.update({"kinds": kinds, "archive_lines": int(archive[1]), "bytes_per_line": int(archive[3]),
              "p50_ms_worst_kind": max(k["p50_ms"] for k in kinds.values()),
              "p95_ms_worst_kind": max(k["p95_ms"] for k in kinds.values())})
    return e
