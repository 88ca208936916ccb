"""End-to-end timing for scripts/bench: DocVault and Tesseract 5 over the same documents, one and two
cores, wall clock, CPU time and peak RSS of every process (GNU time).

Per run and document set:
  docvault 1 core   `docvault ingest --jobs 1 --text-layer ocr` into a fresh archive: per document
                    the seconds ingest reports (read, rasterise, segment, recognise, store; model
                    already loaded), and the whole process (model load and start-up included)
  docvault 2 cores  the same with --jobs 2
  docvault per file `docvault ocr --text-layer ocr` once per file (start-up and model load each time,
                    as a shell loop over files would)
  tesseract per page  `pdftoppm -r 300 -gray` (PDF pages) then one `tesseract --psm 3` process per
                    page image or image file, one thread; the page time is the sum of both
  tesseract 1 core  one tesseract process per language over the list of all page images (the model
                    loads once) plus the rasterisation time
  tesseract 2 cores those lists split in two, two processes at a time
"""
from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import tesseract_reference as tref

ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_THREAD_LIMIT": "1", "OMP_NUM_THREADS": "1"}


def timed(cmd: list[str], stdout=subprocess.DEVNULL, env_extra: dict | None = None) -> dict:
    """Runs `cmd` under GNU time: wall (s, measured here), cpu (user + system s), rss_mb (peak)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        env = dict(os.environ, **ONE_THREAD, **(env_extra or {}))
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", report.name] + cmd,
                              stdout=stdout, stderr=subprocess.PIPE, env=env, text=True)
        wall = time.perf_counter() - start
        fields = report.read().split()[-3:]
    user, system, rss_kb = float(fields[0]), float(fields[1]), int(fields[2])
    # stderr only where the process failed: bench.json keeps every run, and Tesseract chats on stderr
    return {"wall": wall, "cpu": user + system, "rss_mb": rss_kb / 1024, "rc": done.returncode,
            "stderr": done.stderr[-2000:] if done.returncode else "",
            "stdout": done.stdout if isinstance(done.stdout, str) else None}


def page_count(path: Path) -> int:
    if tref.is_pdf(path):
        return tref.pdf_page_count(path)
    from PIL import Image
    with Image.open(path) as im:
        return getattr(im, "n_frames", 1)


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0...1)."""
    s = sorted(values)
    return s[max(0, min(len(s) - 1, math.ceil(q * len(s)) - 1))] if s else float("nan")


def docvault_ingest(binary: Path, files: list[Path], jobs: int, scratch: Path) -> dict:
    db = scratch / f"bench-jobs{jobs}.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    run = timed([str(binary), "ingest", "--jobs", str(jobs), "--text-layer", "ocr", "--json", "--db", str(db)]
                + [str(f) for f in files], stdout=subprocess.PIPE)
    per_doc = {}
    for line in (run["stdout"] or "").splitlines():
        record = json.loads(line)
        if record.get("seconds") is not None and record.get("pages"):
            per_doc[record["path"]] = {"seconds": record["seconds"], "pages": record["pages"]}
    run.pop("stdout")
    run["documents"] = per_doc
    return run


def docvault_per_file(binary: Path, files: list[Path]) -> dict:
    return {str(f): timed([str(binary), "ocr", "--text-layer", "ocr", "--json", str(f)]) for f in files}


def tesseract_per_page(files: list[Path], langs: dict[Path, str], scratch: Path) -> dict:
    """Every page through pdftoppm (PDFs) and its own tesseract process; keeps the page images for
    the batch runs. Returns {file: {"pages", "runs": [...], "images": [...]}}."""
    out = {}
    for k, f in enumerate(files):
        lang, entry = langs[f], {"runs": [], "images": []}
        if tref.is_pdf(f):
            for n in range(1, tref.pdf_page_count(f) + 1):
                prefix = scratch / f"doc{k}-p{n}"
                raster = timed(["pdftoppm", "-r", str(tref.DPI), "-gray", "-f", str(n), "-l", str(n), "-singlefile",
                                str(f), str(prefix)])
                image = prefix.with_suffix(".pgm")
                ocr = timed(["tesseract", str(image), "-", "--psm", tref.PSM, "-l", lang, "--dpi", str(tref.DPI), "tsv"])
                entry["runs"].append({"pages": 1, "raster": raster, "ocr": ocr})
                entry["images"].append(str(image))
        else:
            ocr = timed(["tesseract", str(f), "-", "--psm", tref.PSM, "-l", lang, "tsv"])
            entry["runs"].append({"pages": page_count(f), "raster": None, "ocr": ocr})
            entry["images"].append(str(f))
        out[str(f)] = entry
    return out


def tesseract_batches(per_page: dict, langs: dict[Path, str], scratch: Path, workers: int) -> dict:
    """Tesseract over list files (one model load per list), `workers` lists at a time; the lists are
    split so that each worker has its share of every language."""
    by_lang: dict[str, list[str]] = {}
    for f, entry in per_page.items():
        by_lang.setdefault(langs[Path(f)], []).extend(entry["images"])
    lists = []
    for lang, images in sorted(by_lang.items()):
        for w in range(workers):
            part = images[w::workers]
            if part:
                listing = scratch / f"list-{lang}-{w}-of-{workers}.txt"
                listing.write_text("\n".join(part) + "\n")
                lists.append((lang, listing))
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        runs = list(pool.map(lambda item: timed(["tesseract", str(item[1]), str(item[1].with_suffix("")),
                                                 "--psm", tref.PSM, "-l", item[0], "tsv"]), lists))
    return {"wall": time.perf_counter() - start, "cpu": sum(r["cpu"] for r in runs),
            "rss_mb": max((r["rss_mb"] for r in runs), default=0.0), "rc": max((r["rc"] for r in runs), default=0)}


def one_run(binary: Path, files: list[Path], langs: dict[Path, str], per_file: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="docvault-bench-") as tmp:
        scratch = Path(tmp)
        run = {"load_average": os.getloadavg()[0],
               "docvault_1": docvault_ingest(binary, files, 1, scratch),
               "docvault_2": docvault_ingest(binary, files, 2, scratch)}
        if per_file:
            run["docvault_file"] = docvault_per_file(binary, files)
        run["tesseract_page"] = tesseract_per_page(files, langs, scratch)
        run["tesseract_1"] = tesseract_batches(run["tesseract_page"], langs, scratch, 1)
        run["tesseract_2"] = tesseract_batches(run["tesseract_page"], langs, scratch, 2)
    return run


def _tesseract_pages(run: dict) -> list[dict]:
    return [r for _, e in sorted(run["tesseract_page"].items()) for r in e["runs"]]


def _page_seconds(r: dict, what: str) -> float:
    """One tesseract run's seconds (`what`: wall or cpu), rasterisation included."""
    return (r["raster"][what] if r["raster"] else 0.0) + r["ocr"][what]


def _per_page(values_per_run: list[list[float]]) -> dict:
    """The median over runs of each page's time, then the median and p90 over pages."""
    cols = [statistics.median(v) for v in zip(*values_per_run)]
    return {"s_per_page_median": statistics.median(cols), "s_per_page_p90": pct(cols, 0.9)} if cols else {}


def summarise(runs: list[dict], files: list[Path]) -> dict:
    """Medians over runs of each figure (peak RSS: the maximum over runs)."""
    pages = sum(page_count(f) for f in files)
    med = statistics.median
    out = {"files": len(files), "pages": pages, "runs": len(runs),
           "load_average_at_run_start": [round(r.get("load_average", float("nan")), 2) for r in runs]}
    for key in ("docvault_1", "docvault_2"):
        out[key] = {"pages_per_s": med(pages / r[key]["wall"] for r in runs),
                    "pages_per_cpu_s": med(pages / max(r[key]["cpu"], 1e-9) for r in runs),
                    "wall_s": med(r[key]["wall"] for r in runs), "cpu_s": med(r[key]["cpu"] for r in runs),
                    "peak_rss_mb": max(r[key]["rss_mb"] for r in runs),
                    "documents_stored": min(len(r[key]["documents"]) for r in runs),
                    "exit_codes": sorted({r[key]["rc"] for r in runs})}
    out["docvault_1"].update(_per_page([[d["seconds"] / d["pages"] for _, d in sorted(r["docvault_1"]["documents"].items())]
                                        for r in runs]))
    if "docvault_file" in runs[0]:
        out["docvault_file"] = _per_page([[t["wall"] / page_count(Path(f)) for f, t in sorted(r["docvault_file"].items())]
                                          for r in runs])
        out["docvault_file"]["cpu_s_per_page_median"] = _per_page(
            [[t["cpu"] / page_count(Path(f)) for f, t in sorted(r["docvault_file"].items())] for r in runs])["s_per_page_median"]
        out["docvault_file"].update({
            "pages_per_s": med(pages / sum(t["wall"] for t in r["docvault_file"].values()) for r in runs),
            "pages_per_cpu_s": med(pages / sum(t["cpu"] for t in r["docvault_file"].values()) for r in runs),
            "peak_rss_mb": max(t["rss_mb"] for r in runs for t in r["docvault_file"].values()),
            "exit_codes": sorted({t["rc"] for r in runs for t in r["docvault_file"].values()})})
    tess = out["tesseract_page"] = _per_page([[_page_seconds(p, "wall") / p["pages"] for p in _tesseract_pages(r)]
                                              for r in runs])
    tess.update({
        "cpu_s_per_page_median": _per_page([[_page_seconds(p, "cpu") / p["pages"] for p in _tesseract_pages(r)]
                                            for r in runs]).get("s_per_page_median"),
        "pages_per_s": med(pages / sum(_page_seconds(p, "wall") for p in _tesseract_pages(r)) for r in runs),
        "pages_per_cpu_s": med(pages / sum(_page_seconds(p, "cpu") for p in _tesseract_pages(r)) for r in runs),
        "peak_rss_mb": max(p["ocr"]["rss_mb"] for r in runs for p in _tesseract_pages(r)),
        "exit_codes": sorted({p["ocr"]["rc"] for r in runs for p in _tesseract_pages(r)})})
    for key, workers in (("tesseract_1", 1), ("tesseract_2", 2)):
        raster = [sum(p["raster"]["wall"] for p in _tesseract_pages(r) if p["raster"]) for r in runs]
        raster_cpu = [sum(p["raster"]["cpu"] for p in _tesseract_pages(r) if p["raster"]) for r in runs]
        out[key] = {"pages_per_s": med(pages / (r[key]["wall"] + raster[i] / workers) for i, r in enumerate(runs)),
                    "pages_per_cpu_s": med(pages / (r[key]["cpu"] + raster_cpu[i]) for i, r in enumerate(runs)),
                    "peak_rss_mb": max(r[key]["rss_mb"] for r in runs),
                    "exit_codes": sorted({r[key]["rc"] for r in runs})}
    dv1, t1 = out["docvault_1"], out["tesseract_1"]
    out["ratios"] = {
        "pages_per_s_1core": dv1["pages_per_s"] / t1["pages_per_s"],
        "pages_per_cpu_s_1core": dv1["pages_per_cpu_s"] / t1["pages_per_cpu_s"],
        "pages_per_s_2cores": out["docvault_2"]["pages_per_s"] / out["tesseract_2"]["pages_per_s"],
        "s_per_page_median": tess["s_per_page_median"] / dv1["s_per_page_median"],
        "peak_rss": dv1["peak_rss_mb"] / t1["peak_rss_mb"],
    }
    return out


def startup(binary: Path, scratch: Path, repeats: int = 5) -> dict:
    """Start-up cost of each engine on a blank 64x32 image (process start and model load, nothing to
    read): DocVault's CLI and Tesseract eng / chi_sim+eng."""
    from PIL import Image
    blank = scratch / "blank.png"
    Image.new("L", (64, 32), 255).save(blank)
    cmds = {"docvault": [str(binary), "ocr", "--json", str(blank)],
            "tesseract eng": ["tesseract", str(blank), "-", "--psm", tref.PSM, "-l", "eng"],
            "tesseract chi_sim+eng": ["tesseract", str(blank), "-", "--psm", tref.PSM, "-l", "chi_sim+eng"]}
    out = {}
    for name, cmd in cmds.items():
        runs = [timed(cmd) for _ in range(repeats)]
        out[name] = {"wall_s": statistics.median(r["wall"] for r in runs),
                     "cpu_s": statistics.median(r["cpu"] for r in runs),
                     "rss_mb": statistics.median(r["rss_mb"] for r in runs)}
    return out
