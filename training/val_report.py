"""Where the synthetic validation CER comes from: the validation set of training.data (held-out faces,
fixed seed) recognised by a weights file, with the CER split by face, rendered height, script and
line length, and the most frequent confusions. Tells what the synthetic data makes hard, and whether
the errors are in legible lines at all.

    python -m training.val_report --weights weights/crnn.safetensors [--lines 1000] [--worst 20 --out DIR] [--clean]
                                  [--against OTHER.safetensors] [--tesseract [--tesseract-scale N]]

The overall CER comes with a 95 % bootstrap interval over the lines (what another draw of as many
lines could read). --against reads the same lines with other weights and prints the paired
difference with its interval: whether one candidate is better than another, or only noise.

--tesseract also reads every line with Tesseract 5 (`--psm 7`; chi_sim for all-hanzi lines,
chi_sim+eng for mixed ones, eng for the rest) as a peer yardstick of how hard the set is: it gets the
model's 32-px input scaled up (bicubic, `--tesseract-scale`, 2 by default) with a white margin, since
Tesseract reads 32-px lines poorly.
"""
from __future__ import annotations

import argparse
import collections
import difflib
import random
import tempfile
import unicodedata
from pathlib import Path
from typing import NamedTuple

import numpy as np
import torch
from PIL import Image

from training.charset import load_charset
from training.data import VALIDATION_SEED, collate, validation_draws
from training.eval_linecrops import recognise_tesseract
from training.export import load_model
from training.model import greedy_decode
from training.render import VAL_FACES, LineRenderer
from training.train import edit_distance


class RecordingRenderer(LineRenderer):
    """The validation renderer, remembering each line's face, rendered height and print."""

    def render(self, text, clean=False, wide=False):
        self.last = {}
        state = self.rng.getstate()
        img = super().render(text, clean, wide)
        if img is not None:  # the face is the renderer's first draw: replay it to name it
            replay = random.Random()
            replay.setstate(state)
            self.last["face"] = replay.choice(self.last["faces"]).name.split("|")[0]
            self.last.setdefault("height", img.height)  # a clean line skips _degrade: its height as drawn
        return img

    def _degrade(self, img, bg, min_h=12):
        out = super()._degrade(img, bg, min_h)
        self.last["height"] = out.height
        return out

    def _draw_dots(self, text, face, bg, ink):
        self.last["dots"] = True
        return super()._draw_dots(text, face, bg, ink)

    def _neighbour_glyphs(self, draw, font, text, ink_box, lh, shade):
        self.last.setdefault("crops", []).append("neighbour glyphs")
        return super()._neighbour_glyphs(draw, font, text, ink_box, lh, shade)

    def _cut_into(self, h, hanzi):
        cut = super()._cut_into(h, hanzi)
        if cut:
            self.last.setdefault("crops", []).append("box cuts ink")
        return cut

    def faces_for(self, text):
        faces = super().faces_for(text)
        self.last["faces"] = faces
        return faces


def validation_lines(n: int, clean: bool = False):
    """training.data's validation set, line for line, with what was drawn for each line."""
    rend = RecordingRenderer(VAL_FACES, seed=VALIDATION_SEED)
    return [(x, text, rend.last["face"], rend.last.get("height", 0), "dots" in rend.last,
             rend.last.get("crops", []))
            for x, text in validation_draws(n, rend, clean=clean)]


def bucket_height(h: int) -> str:
    return "≤15" if h <= 15 else "16-20" if h <= 20 else "21-28" if h <= 28 else ">28"


def script(text: str) -> str:
    han = sum("\u4e00" <= c <= "\u9fff" for c in text)
    return "zh" if han == len(text.replace(" ", "")) else "latin" if han == 0 else "mixed"


def plain(s: str) -> str:
    """The text as the evaluation corpus's scorer compares it for CER: NFKC (full-width forms are
    ASCII: "：" == ":"), whitespace removed. Spaces and width forms count in the synthetic CER."""
    return "".join(unicodedata.normalize("NFKC", s).split())


class Read(NamedTuple):
    """One validation line as read: edits and length, exactly and as scored, and what was drawn."""
    edits: int
    chars: int
    scored_edits: int
    scored_chars: int
    pred: str
    truth: str
    face: str
    height: int
    dots: bool
    x: np.ndarray
    crops: list
    tess_edits: int = 0
    tess_scored_edits: int = 0


def read_lines(model, charset, lines) -> list[str]:
    out = []
    for s in range(0, len(lines), 32):
        images, frames, _, _ = collate([(x, [1]) for x, *_ in lines[s:s + 32]])
        out += [pred for pred, _ in greedy_decode(model(images, frames).float(), frames.tolist(), charset)]
    return out


def tesseract_reads(lines, scale: int) -> list[str]:
    """Tesseract's reading of each validation line (see the module's docstring for what it is given)."""
    images = []
    for x, *_ in lines:
        img = Image.fromarray((255 - x * 255).astype(np.uint8))
        img = img.resize((img.width * scale, img.height * scale), Image.BICUBIC)
        framed = Image.new("L", (img.width + 32, img.height + 32), 255)
        framed.paste(img, (16, 16))
        images.append(framed)
    out = [""] * len(lines)
    with tempfile.TemporaryDirectory() as td:
        # The most favourable language per line: with chi_sim+eng, Tesseract reads short all-hanzi lines
        # as Latin garbage ('贰角' -> 'AVA').
        for kind, lang in (("zh", "chi_sim"), ("mixed", "chi_sim+eng"), ("latin", "eng")):
            idx = [i for i, (_, text, *_) in enumerate(lines) if script(text) == kind]
            for i, t in zip(idx, recognise_tesseract([images[i] for i in idx], lang, Path(td))[0]):
                out[i] = t
    return out


def confusions(pred: str, truth: str):
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, truth, pred, autojunk=False).get_opcodes():
        if op != "equal":
            yield truth[a0:a1] or "∅", pred[b0:b1] or "∅"


@torch.no_grad()
def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weights", type=Path, default=Path("weights/crnn.safetensors"))
    ap.add_argument("--lines", type=int, default=1000)
    ap.add_argument("--worst", type=int, default=0, help="also print (and with --out save) the worst lines")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--clean", action="store_true",
                    help="the validation texts drawn without degradations (held-out faces, ink on white, no "
                         "overlays or crop jitter): what the faces alone cost, apart from what scanning does")
    ap.add_argument("--tesseract", action="store_true", help="Tesseract 5 reads the same lines (a peer yardstick)")
    ap.add_argument("--tesseract-scale", type=int, default=2, help="how much Tesseract's input is scaled up")
    ap.add_argument("--against", type=Path, metavar="WEIGHTS",
                    help="also read the lines with these weights and print the paired difference with its interval")
    args = ap.parse_args()
    torch.set_num_threads(1)
    charset = load_charset()
    model = load_model(args.weights)
    lines = validation_lines(args.lines, args.clean)
    results = []
    for pred, (x, truth, face, height, dots, crops) in zip(read_lines(model, charset, lines), lines):
        scored = plain(truth)
        results.append(Read(edit_distance(pred, truth), len(truth), edit_distance(plain(pred), scored),
                            len(scored), pred, truth, face, height, dots, x, crops))
    if args.tesseract:
        results = [r._replace(tess_edits=edit_distance(t, r.truth), tess_scored_edits=edit_distance(plain(t), plain(r.truth)))
                   for r, t in zip(results, tesseract_reads(lines, args.tesseract_scale))]
    groups: dict[str, list[int]] = collections.defaultdict(lambda: [0] * 7)
    conf = collections.Counter()
    for r in results:
        n = r.chars
        for key in ("all", f"face={r.face}", f"print={'dot-matrix' if r.dots else 'type'}",
                    f"height={bucket_height(r.height)}", f"script={script(r.truth)}",
                    f"length={'≤8' if n <= 8 else '9-20' if n <= 20 else '>20'}", *(f"crop={c}" for c in r.crops)):
            g = groups[key]
            for i, v in enumerate((r.edits, n, 1, r.scored_edits, r.scored_chars, r.tess_edits, r.tess_scored_edits)):
                g[i] += v
        conf.update(confusions(r.pred, r.truth))
    tess_head = f" {'Tesseract':>10} {'as scored':>10}" if args.tesseract else ""
    print(f"{'group':28} {'lines':>6} {'chars':>7} {'CER':>7} {'share of errors':>16} {'CER as scored':>14}{tess_head}")
    total_e = groups["all"][0]
    for key in sorted(groups, key=lambda k: (k != "all", k)):
        e, n, k, pe, pn, te, tpe = groups[key]
        tess = f" {te / max(1, n):10.4f} {tpe / max(1, pn):10.4f}" if args.tesseract else ""
        print(f"{key:28} {k:6} {n:7} {e / max(1, n):7.4f} {e / max(1, total_e):16.2f} {pe / max(1, pn):14.4f}{tess}")
    print("(CER as scored: NFKC and whitespace removed, as the evaluation corpus's score.py compares text)")
    # How far the overall CER would move on another draw of as many lines: resample the lines (errors
    # cluster in a few badly read lines, so this is wider than a per-character binomial interval).
    per_line = np.array([(r.edits, r.chars) for r in results], dtype=np.float64)
    draws = np.random.default_rng(0).integers(0, len(results), (1000, len(results)))
    boot = per_line[draws, 0].sum(1) / per_line[draws, 1].sum(1)
    print(f"95 % bootstrap interval of the overall CER (lines resampled): {np.percentile(boot, 2.5):.4f}-"
          f"{np.percentile(boot, 97.5):.4f}")
    if args.against:
        # Paired: both models on the same resampled lines, so the lines' shared difficulty cancels out.
        other = np.array([edit_distance(p, r.truth) for p, r in zip(read_lines(load_model(args.against), charset, lines),
                                                                     results)], dtype=np.float64)
        diff = (per_line[draws, 0].sum(1) - other[draws].sum(1)) / per_line[draws, 1].sum(1)
        print(f"against {args.against}: its CER {other.sum() / per_line[:, 1].sum():.4f}; this minus it "
              f"{(per_line[:, 0].sum() - other.sum()) / per_line[:, 1].sum():+.4f}, 95 % interval "
              f"{np.percentile(diff, 2.5):+.4f} to {np.percentile(diff, 97.5):+.4f}")
    print("\nerrors by how badly their line was read (line CER):")
    for lo, hi in ((0, 0.1), (0.1, 0.25), (0.25, 0.5), (0.5, 1e9)):
        sel = [r for r in results if r.edits and lo <= r.edits / max(1, r.chars) < hi]
        print(f"  {lo:4.2f}-{min(hi, 1):4.2f}: {len(sel):5} lines, {sum(r.edits for r in sel) / max(1, total_e):5.2f} of the errors")
    print("\nmost frequent confusions (truth -> read):")
    for (t, p), k in conf.most_common(40):
        print(f"  {k:4}  {t!r} -> {p!r}")
    worst = sorted(results, key=lambda r: -r.edits / max(1, r.chars))[: args.worst]
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
    for i, r in enumerate(worst):
        print(f"{i:3} {r.edits}/{r.chars} h={r.height} {r.face}{' dot-matrix' if r.dots else ''}\n"
              f"    truth {r.truth!r}\n    read  {r.pred!r}")
        if args.out:
            Image.fromarray((255 - r.x * 255).astype(np.uint8)).save(args.out / f"worst-{i:03d}.png")


if __name__ == "__main__":
    main()
