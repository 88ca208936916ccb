"""On-the-fly synthetic batches for training and a fixed, held-out-font validation set."""
from __future__ import annotations

import random
import sys
import time

import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info

from training.charset import load_charset
from training.render import TRAIN_FACES, VAL_FACES, LineRenderer, normalise
from training.textgen import TextGen

MAX_WIDTH = 1200        # normalised pixels; wider lines are redrawn rather than truncated
LINE_LENGTHS = [3, 6, 8, 10, 12, 15, 18, 22, 26, 32, 40, 60]   # caps drawn per line: most lines are short


def ctc_fits(labels: list[int], frames: int) -> bool:
    """CTC needs a frame per label plus one between equal neighbours."""
    repeats = sum(1 for a, b in zip(labels, labels[1:]) if a == b)
    return frames >= len(labels) + repeats


def collate(items: list[tuple[np.ndarray, list[int]]], stride: int = 4):
    width = max(x.shape[1] for x, _ in items)
    images = torch.zeros(len(items), 1, 32, width)
    for i, (x, _) in enumerate(items):
        images[i, 0, :, : x.shape[1]] = torch.from_numpy(x)
    frames = torch.tensor([x.shape[1] // stride for x, _ in items], dtype=torch.long)
    targets = torch.tensor([k for _, lab in items for k in lab], dtype=torch.long)
    target_lengths = torch.tensor([len(lab) for _, lab in items], dtype=torch.long)
    return images, frames, targets, target_lengths


class SyntheticBatches(IterableDataset):
    """Endless batches. Each worker draws 4 batches' worth of lines, sorts them by width and cuts
    them into batches, so little compute goes into padding. The first `warmup_samples` lines are
    short and mostly clean (CTC sits at CER 1.0 for a long time without this)."""

    def __init__(self, batch_size: int, warmup_samples: int = 0, seed: int | None = None):
        self.batch_size = batch_size
        self.warmup_samples = warmup_samples
        self.seed = seed

    def __iter__(self):
        info = get_worker_info()
        wid, nw = (info.id, info.num_workers) if info else (0, 1)
        torch.set_num_threads(1)
        seed = (self.seed if self.seed is not None else int(time.time() * 1000) % 2**31) * 101 + wid
        rng = random.Random(seed)
        charset = load_charset()
        index = {c: i + 1 for i, c in enumerate(charset)}
        gen = TextGen(charset, seed=seed)
        rend = LineRenderer(TRAIN_FACES, seed=seed)
        produced = failures = 0
        while True:
            pool = []
            while len(pool) < 4 * self.batch_size:
                warm = produced * nw < self.warmup_samples
                text = gen.line(rng.randint(1, 8) if warm else rng.choice(LINE_LENGTHS))
                wide = False
                u = rng.random()
                if u < 0.04:  # a lone character, as the side labels of Chinese invoices are cut
                    text = rng.choice(gen.hanzi) if rng.random() < 0.8 else rng.choice(charset[1:])
                elif u < 0.08:  # letter-spaced labels and table headers
                    text, wide = text[: rng.randint(2, 6)].strip() or text[:1], True
                try:
                    img = rend.render(text, clean=warm and rng.random() < 0.7, wide=wide)
                except Exception as error:  # one line's bad draw must not end an hours-long run
                    failures += 1
                    if failures <= 20:
                        print(f"render failed ({failures}): {text!r}: {error!r}", file=sys.stderr, flush=True)
                    continue
                if img is None:
                    continue
                x = normalise(img)
                labels = [index[c] for c in text]
                if x.shape[1] > MAX_WIDTH or not ctc_fits(labels, x.shape[1] // 4):
                    continue
                pool.append((x, labels))
                produced += 1
            pool.sort(key=lambda item: item[0].shape[1])
            batches = [pool[i:i + self.batch_size] for i in range(0, len(pool), self.batch_size)]
            rng.shuffle(batches)
            for b in batches:
                yield collate(b)


VALIDATION_SEED = 20261125


def validation_draws(n: int, renderer: LineRenderer, seed: int = VALIDATION_SEED, clean: bool = False):
    """The validation lines one at a time, drawn by `renderer` (made with the held-out faces and
    `seed`; a caller may pass a subclass that records what it drew); `clean` draws the same texts
    without degradations (what the held-out faces alone cost)."""
    gen = TextGen(load_charset(), seed=seed)
    rng = random.Random(seed)
    produced = 0
    while produced < n:
        text = gen.line(rng.choice(LINE_LENGTHS))
        img = renderer.render(text, clean)
        if img is None:
            continue
        x = normalise(img)
        if x.shape[1] <= MAX_WIDTH:
            produced += 1
            yield x, text


def validation_set(n: int = 1000, seed: int = VALIDATION_SEED) -> list[tuple[np.ndarray, str]]:
    """Lines rendered with the held-out faces only (fixed seed: the same set every run)."""
    return list(validation_draws(n, LineRenderer(VAL_FACES, seed=seed), seed))
