"""Recognises every ground-truth line crop of the evaluation corpus with our CRNN and with Tesseract 5
in the same run, and prints CER per language and per category for both, plus lines/s on one thread.
Measuring only: nothing here may feed training.

    python -m training.eval_linecrops [--corpus ../shared/eval-dev] [--weights weights/crnn.safetensors]
                                      [--checkpoint /work/train-runs/ckpt-latest.pt] [--no-tesseract]
                                      [--upright-only]

PDF pages are rendered with `pdftoppm -r 300 -gray` (the truth's pixel frame), images are used as
they are. Text is compared after the corpus scorer's normalisation (NFKC, whitespace removed,
casefolded where the truth is upper-cased), so the figures are comparable with score.py's CER.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch
from PIL import Image

from training.charset import load_charset
from training.export import WEIGHTS_PATH, load_model
from training.model import CRNN, greedy_decode
from training.render import normalise
from training.train import edit_distance

REPO = Path(__file__).resolve().parent.parent


def default_corpus() -> Path:
    for p in (REPO.parent / "shared" / "eval-dev", REPO.parent.parent / "shared" / "eval-dev"):
        if p.exists():
            return p
    return REPO.parent / "shared" / "eval-dev"


def page_images(corpus: Path, doc: dict, tmp: Path) -> list[Image.Image]:
    path = corpus / doc["file"]
    if doc["kind"] != "pdf":
        return [Image.open(path).convert("L")]
    prefix = tmp / doc["id"]
    subprocess.run(["pdftoppm", "-r", "300", "-gray", str(path), str(prefix)], check=True)
    return [Image.open(p).convert("L") for p in sorted(tmp.glob(f"{doc['id']}-*.pgm"))]


def crops(corpus: Path, tmp: Path, only: set[str] | None = None):
    """Yields (doc, truth text, crop) for every ground-truth line with a non-empty box."""
    for line in (corpus / "manifest.jsonl").read_text().splitlines():
        doc = json.loads(line)
        if only and doc["id"] not in only:
            continue
        truth = json.loads((corpus / "truth" / f"{doc['id']}.json").read_text())
        images = page_images(corpus, doc, tmp)
        for page, img in zip(truth["pages"], images):
            if img.size != (page["width"], page["height"]):
                raise SystemExit(f"{doc['file']}: page {page['page']} rendered {img.size}, "
                                 f"truth frame {page['width']}x{page['height']}")
            for tl in page["lines"]:
                x0, y0, x1, y1 = (int(round(v)) for v in tl["bbox"])
                x0, y0, x1, y1 = max(0, x0), max(0, y0), min(img.width, x1), min(img.height, y1)
                if x1 - x0 < 2 or y1 - y0 < 2 or not tl["text"].strip():
                    continue
                yield doc, tl["text"], img.crop((x0, y0, x1, y1))


MIN_TURNED_CHARS = 3  # Swift's RecognitionSession.minimumTurnedCharacters


def read_line(model: CRNN, charset: list[str], img: Image.Image) -> tuple[str, float, int]:
    """Greedy text, line confidence (mean of the characters'), character count."""
    stride = model.config["horizontal_stride"]
    x = normalise(img, stride)
    T = x.shape[1] // stride
    logits = model(torch.from_numpy(x)[None, None], torch.tensor([T]))
    text, chars = greedy_decode(logits, [T], charset)[0]
    return text, (sum(p for _, p, _ in chars) / len(chars) if chars else 0.0), len(chars)


def read_oriented(model: CRNN, charset: list[str], img: Image.Image) -> str:
    """The product's rule for vertical lines (Swift `recogniseOriented`, MODEL.md): a crop at least
    twice as tall as wide is also read turned a quarter counter-clockwise and clockwise; the more
    confident turned reading wins when it has at least 3 characters and a higher confidence."""
    text, conf, _ = read_line(model, charset, img)
    if not (img.width > 0 and img.height >= 2 * img.width):
        return text
    ccw = read_line(model, charset, img.rotate(90, expand=True))
    cw = read_line(model, charset, img.rotate(-90, expand=True))
    best = cw if cw[1] > ccw[1] else ccw
    return best[0] if best[2] >= MIN_TURNED_CHARS and best[1] > conf else text


def recognise_ours(model: CRNN, charset: list[str], images: list[Image.Image],
                   upright_only: bool = False) -> tuple[list[str], float]:
    out = []
    start = time.perf_counter()
    with torch.no_grad():
        for img in images:
            out.append(read_line(model, charset, img)[0] if upright_only else read_oriented(model, charset, img))
    return out, time.perf_counter() - start


def recognise_tesseract(images: list[Image.Image], lang: str, tmp: Path) -> tuple[list[str], float]:
    """One tesseract process over a list of crops (pages separated by form feeds); the time
    excludes loading the language model, measured on a one-image run."""
    if not images:
        return [], 0.0
    d = tmp / f"tess-{lang}"
    d.mkdir(exist_ok=True)
    paths = []
    for i, img in enumerate(images):
        p = d / f"{i:05d}.png"
        img.save(p)
        paths.append(str(p))
    (d / "list.txt").write_text("\n".join(paths) + "\n")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    def run(inp: str) -> tuple[str, float]:
        t = time.perf_counter()
        res = subprocess.run(["tesseract", inp, "stdout", "--psm", "7", "-l", lang], env=env,
                             capture_output=True, text=True, check=True)
        return res.stdout, time.perf_counter() - t

    _, load = run(paths[0])
    text, total = run(str(d / "list.txt"))
    pages = text.split("\f")
    if len(pages) < len(images):
        raise SystemExit(f"tesseract returned {len(pages)} pages for {len(images)} crops")
    return [p.strip() for p in pages[: len(images)]], max(1e-9, total - load)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=default_corpus())
    ap.add_argument("--weights", type=Path, default=WEIGHTS_PATH)
    ap.add_argument("--checkpoint", type=Path)
    ap.add_argument("--no-tesseract", action="store_true")
    ap.add_argument("--docs", nargs="*", help="only these document ids (quick checks)")
    ap.add_argument("--worst", type=int, default=15, help="print the N worst lines of ours")
    ap.add_argument("--upright-only", action="store_true",
                    help="read every crop as it lies (no turned reading of vertical lines; before 2026-11-26's seventh session)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    sys.path.insert(0, str(args.corpus))
    import score  # the corpus's own normalisation, read at run time
    charset = load_charset()
    if args.checkpoint:
        ckpt = torch.load(args.checkpoint, map_location="cpu")
        model = CRNN(ckpt["config"])
        model.load_state_dict(ckpt["model"])
        model.eval()
        source = f"checkpoint {args.checkpoint} ({ckpt['progress']['samples']} samples)"
    else:
        model = load_model(args.weights)
        source = f"weights {args.weights}"
    with tempfile.TemporaryDirectory() as td:
        tmp = Path(td)
        items = list(crops(args.corpus, tmp, set(args.docs or [])))
        images = [im for _, _, im in items]
        ours, t_ours = recognise_ours(model, charset, images, args.upright_only)
        tess = [""] * len(items)
        t_tess = 0.0
        if not args.no_tesseract:
            for lang in ("chi_sim+eng", "eng"):
                idx = [i for i, (d, _, _) in enumerate(items) if (d["lang"] in ("zh", "mixed")) == (lang != "eng")]
                texts, t = recognise_tesseract([images[i] for i in idx], lang, tmp)
                t_tess += t
                for i, s in zip(idx, texts):
                    tess[i] = s
    stats = collections.defaultdict(lambda: [0, 0, 0, 0])  # group -> [edits ours, edits tess, chars, lines]
    worst = []
    for (doc, truth, crop), o, t in zip(items, ours, tess):
        fold = doc.get("truth_case") == "upper"
        g = score.nows(truth)
        o_n, t_n = score.nows(o), score.nows(t)
        if fold:
            g, o_n, t_n = g.casefold(), o_n.casefold(), t_n.casefold()
        e_o, e_t = edit_distance(o_n, g), edit_distance(t_n, g)
        worst.append((e_o / max(1, len(g)), doc["id"], truth, o))
        # A crop without ink (its page renders the line's text invisibly: e.g. the Federal Register
        # page's hidden margin lines) cannot be read by anyone; "all with ink" leaves those out.
        lo, hi = crop.getextrema()
        keys = ["all", f"lang={doc['lang']}", f"category={doc['category']}"] + (["all with ink"] if hi - lo >= 16 else [])
        for key in keys:
            s = stats[key]
            s[0] += e_o
            s[1] += e_t
            s[2] += len(g)
            s[3] += 1
    print(f"model: {source}; {len(items)} line crops from {args.corpus}"
          + ("; read as they lie" if args.upright_only else "; vertical lines read turned (MODEL.md)"))
    print(f"{'group':<30} {'lines':>6} {'chars':>7} {'CER ours':>9} {'CER tess':>9}")
    for key in sorted(stats, key=lambda k: (not k.startswith("all"), k)):
        e_o, e_t, n, lines = stats[key]
        tess_cer = f"{e_t / max(1, n):9.4f}" if not args.no_tesseract else "        -"
        print(f"{key:<30} {lines:6d} {n:7d} {e_o / max(1, n):9.4f} {tess_cer}")
    print(f"speed, one thread: ours {len(items) / t_ours:.1f} lines/s"
          + ("" if args.no_tesseract else f", tesseract {len(items) / t_tess:.1f} lines/s (model load excluded)"))
    worst.sort(reverse=True)
    for cer, doc_id, truth, o in worst[: args.worst]:
        print(f"  {cer:5.2f} {doc_id}: truth {truth!r} ours {o!r}")


if __name__ == "__main__":
    main()
