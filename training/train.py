"""Trains the CRNN on synthetic lines, on CPU (bf16 autocast) or a GPU, resuming where it stopped.

    python -m training.train                      # from scratch, or resume from --runs / weights/
    python -m training.train --runs /work/train-runs --threads 2 --workers 1

Checkpoints go to RUNS/ckpt-latest.pt every few minutes; every --val-minutes the model is measured
(greedy CER on lines rendered with held-out fonts) and weights/crnn.safetensors is re-exported when
the CER improves. Without a checkpoint it starts from weights/crnn.safetensors (or --init-weights)
when that file matches the charset (optimizer state restarts), or grows it to the charset when the
charset only appended classes (training/grow.py: new classifier rows start from their base letters),
else from scratch with a warm-up curriculum.
"""
from __future__ import annotations

import argparse
import copy
import json
import math
import os
import time
from pathlib import Path

# Two cores shared with other work: spinning OpenMP threads waste the slices they get.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402  (after the OpenMP setting, which is read when torch loads)
from torch.utils.data import DataLoader  # noqa: E402

from training.charset import CHARSET_PATH, LATIN_EXTENSION, charset_sha256, load_charset
from training.data import SyntheticBatches, collate, validation_set
from training.export import WEIGHTS_PATH, export, model_from_tensors, read_safetensors
from training.grow import can_grow, grow_tensors
from training.model import CRNN, default_config, greedy_decode
from training.prune import narrowed_config, prune_model_tensors, pruned_widths
from training.shrink import can_shrink, lstm_second_moment, shrink_tensors

# Synthetic lines whose BiLSTM outputs weight the narrowing of a wider bottleneck (training/shrink.py).
SHRINK_MOMENT_LINES = 2000
# Synthetic lines whose conv activations rank the channels of a narrower layer (training/prune.py).
PRUNE_MOMENT_LINES = 500


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


@torch.no_grad()
def evaluate(model: CRNN, val, charset, batch: int = 32, device: torch.device | None = None):
    """(CER over all lines, CER over the lines holding a character of the Latin extension)."""
    model.eval()
    errors = total = 0
    ext_errors = ext_total = 0
    extension = set(LATIN_EXTENSION)
    order = sorted(range(len(val)), key=lambda i: val[i][0].shape[1])
    for s in range(0, len(order), batch):
        items = [val[i] for i in order[s:s + batch]]
        images, frames, _, _ = collate([(x, [1]) for x, _ in items])
        logits = model(images.to(device) if device else images, frames.to(device) if device else frames)
        logits = logits.float().cpu()
        for (text, _), (_, truth) in zip(greedy_decode(logits, frames.tolist(), charset), items):
            e = edit_distance(text, truth)
            errors += e
            total += len(truth)
            if extension.intersection(truth):
                ext_errors += e
                ext_total += len(truth)
    model.train()
    return errors / max(1, total), ext_errors / max(1, ext_total)


def adapted_weights(init: Path, config: dict):
    """(tensors for `config`, how they were made) from a weights file: as they are, grown to an
    extended charset, with narrower conv layers (training/prune.py) and/or a narrower bottleneck
    (training/shrink.py); None when `config` cannot be reached from the file's."""
    tensors, file_config = read_safetensors(init)
    origin = f"weights {init}"
    if file_config != config and can_grow(file_config, config, load_charset()):
        tensors, _ = grow_tensors(tensors, file_config, config, load_charset())
        origin += f" grown from {file_config['num_classes']} to {config['num_classes']} classes"
        file_config = config
    widths = pruned_widths(file_config, config)
    if widths:
        tensors = prune_model_tensors(tensors, file_config, widths, PRUNE_MOMENT_LINES)
        file_config = narrowed_config(file_config, widths)
        origin += f" with conv layers narrowed to {widths}"
    if file_config != config and can_shrink(file_config, config):
        sigma = lstm_second_moment(model_from_tensors(tensors, file_config), SHRINK_MOMENT_LINES)
        tensors = shrink_tensors(tensors, sigma, config["bottleneck"])
        origin += f" narrowed from bottleneck {file_config['bottleneck']} to {config['bottleneck']}"
        file_config = config
    return (tensors, origin) if file_config == config else None


def initial_state(runs: Path, init: Path, scratch: bool, config: dict):
    """(model, optimizer state or None, progress dict, origin, EMA state or None) from the
    checkpoint, the shipped weights, or nothing."""
    ckpt_path = runs / "ckpt-latest.pt"
    if ckpt_path.exists():
        ckpt = torch.load(ckpt_path, map_location="cpu")
        if ckpt["config"] != config:
            raise SystemExit(f"{ckpt_path}: config differs from this code's; move it away to start over")
        model = CRNN(config)
        model.load_state_dict(ckpt["model"])
        return model, ckpt["optimizer"], ckpt["progress"], f"checkpoint {ckpt_path}", ckpt.get("ema")
    adapted = adapted_weights(init, config) if init.exists() and not scratch else None
    if adapted:
        tensors, origin = adapted
        return model_from_tensors(tensors, config), None, {"samples": 0, "steps": 0, "seconds": 0.0, "best_cer": 1.0,
                                                   "warm": True}, origin, None
    return CRNN(config), None, {"samples": 0, "steps": 0, "seconds": 0.0, "best_cer": math.inf,
                                "warm": False}, "scratch", None


class Learner:
    """One model in training: the shipped architecture, or a narrower twin (--twin) that learns from
    the same batches (rendering, not the GPU, bounds a run's speed, so a twin costs little there)."""

    def __init__(self, name: str, config: dict, runs: Path, export_to: Path, args, dev: torch.device):
        self.name, self.config, self.runs, self.export_to = name, config, runs, export_to
        runs.mkdir(parents=True, exist_ok=True)
        model, opt_state, self.progress, origin, ema_state = initial_state(runs, args.init_weights, args.scratch, config)
        # On the CPU channels-last convolutions and pools run ~10 % faster (same results; the export
        # writes row-major tensors whatever the memory format).
        fmt = torch.channels_last if dev.type == "cpu" else torch.preserve_format
        self.model = model.to(dev, memory_format=fmt).train()
        # An exponential moving average of the weights (and BN statistics) smooths the step noise of
        # small batches; validation measures it beside the trained weights and exports the better.
        self.ema_decay = args.ema
        self.ema = None
        if self.ema_decay > 0:
            self.ema = copy.deepcopy(self.model).eval()
            if ema_state is not None:
                self.ema.load_state_dict(ema_state)  # copies in place: the pairs below stay valid
            for q in self.ema.parameters():
                q.requires_grad_(False)
            # The float tensors of both state dicts, paired once: steps update them in place.
            pairs = [(e, m) for e, m in zip(self.ema.state_dict().values(), self.model.state_dict().values())
                     if e.is_floating_point()]
            self.ema_tensors, self.model_tensors = [e for e, _ in pairs], [m for _, m in pairs]
        fc_params = list(model.fc.parameters())
        rest = [p for p in model.parameters() if all(p is not q for q in fc_params)]
        self.scales = (1.0, args.fc_lr_scale)
        self.optimizer = torch.optim.Adam([{"params": rest, "scale": self.scales[0]},
                                           {"params": fc_params, "scale": self.scales[1]}], lr=args.lr)
        if opt_state:
            self.optimizer.load_state_dict(opt_state)
            for g, scale in zip(self.optimizer.param_groups, self.scales):  # this run's choice
                g["scale"] = scale
        if args.reset_best:  # the validation set changed with the recipe: the old best is another set's
            self.progress["best_cer"] = math.inf
        self.seconds0 = self.progress["seconds"]
        self.samples_at_log = self.progress["samples"]
        self.loss_sum = self.n_sum = 0.0
        print(f"{self.name}: start from {origin}: {sum(p.numel() for p in model.parameters())} params, "
              f"{self.progress['samples']} samples seen, best CER {self.progress['best_cer']}", flush=True)

    def step(self, batch, args, ctc, dev: torch.device, elapsed: float) -> float:
        images, frames, targets, target_lengths = batch
        p = self.progress
        lr = args.lr * min(1.0, (p["steps"] + 1) / args.warmup_steps) * max(0.1, 0.5 ** (p["samples"] / args.lr_halflife))
        for g in self.optimizer.param_groups:
            g["lr"] = lr * g["scale"]
        # bf16 autocast is 1.7x faster on this CPU; on a GPU fp32/TF32 is safe and fast enough.
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dev.type == "cpu"):
            logits = self.model(images, frames)
        loss = ctc(logits.float().log_softmax(2), targets, frames, target_lengths)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 5.0)
        self.optimizer.step()
        if self.ema is not None:
            self.update_ema()
        p["steps"] += 1
        p["samples"] += images.shape[0]
        p["seconds"] = self.seconds0 + elapsed
        self.loss_sum += loss.item() * images.shape[0]
        self.n_sum += images.shape[0]
        self.lr = lr
        return loss.item()

    @torch.no_grad()
    def update_ema(self) -> None:
        # The first steps of a run (or of EMA) average over fewer steps, so the start does not linger.
        decay = min(self.ema_decay, (1 + self.progress["steps"]) / (10 + self.progress["steps"]))
        torch._foreach_lerp_(self.ema_tensors, self.model_tensors, 1.0 - decay)

    def log_progress(self, seconds: float) -> None:
        p = self.progress
        rate = (p["samples"] - self.samples_at_log) / seconds
        print(f"{time.strftime('%H:%M:%S')} {self.tag()}step {p['steps']} samples {p['samples']} "
              f"loss {self.loss_sum / max(1, self.n_sum):.3f} lr {self.lr:.2e} {rate:.1f} lines/s", flush=True)
        self.samples_at_log, self.loss_sum, self.n_sum = p["samples"], 0.0, 0.0

    def validate(self, val, charset, dev: torch.device, final: bool = False) -> None:
        raw_cer, ext_cer = evaluate(self.model, val, charset, device=dev)
        best_model, cer, note = self.model, raw_cer, ""
        ema_cer = ema_ext = math.nan
        if self.ema is not None:
            ema_cer, ema_ext = evaluate(self.ema, val, charset, device=dev)
            note = f" ema {ema_cer:.4f}"
            if ema_cer < raw_cer:
                best_model, cer, ext_cer, note = self.ema, ema_cer, ema_ext, note + " (ema better)"
        p = self.progress
        improved = cer < p["best_cer"]
        if improved:
            p["best_cer"] = cer
            self.export_to.parent.mkdir(parents=True, exist_ok=True)
            export(best_model, self.export_to)
        hours = p["seconds"] / 3600
        print(f"{time.strftime('%H:%M:%S')} {self.tag()}{'END' if final else 'VAL'} cer {raw_cer:.4f}{note} "
              f"best {p['best_cer']:.4f} latin-ext lines {ext_cer:.4f} after {p['samples']} samples "
              f"{hours:.2f} h{' -> exported' if improved else ''}", flush=True)
        with open(self.runs / "val.tsv", "a") as f:
            f.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')}\t{p['samples']}\t{hours:.3f}\t{raw_cer:.5f}\t{ext_cer:.5f}"
                    f"\t{ema_cer:.5f}\n")

    def checkpoint(self) -> None:
        path = self.runs / "ckpt-latest.pt"
        tmp = path.with_suffix(".tmp")
        torch.save({"model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
                    "config": self.config, "progress": self.progress,
                    "ema": self.ema.state_dict() if self.ema is not None else None}, tmp)
        os.replace(tmp, path)

    def tag(self) -> str:
        return "" if self.name == "main" else f"[{self.name}] "


def twin_config(config: dict, spec: str) -> tuple[str, dict]:
    """'3=96,4=192,b=48' -> ('c3-96-c4-192-b48', config with conv.3 96 wide, conv.4 192, bottleneck 48)."""
    widths, bottleneck = {}, config["bottleneck"]
    for part in spec.split(","):
        key, value = part.split("=")
        if key == "b":
            bottleneck = int(value)
        else:
            widths[int(key)] = int(value)
    name = "-".join([f"c{i}-{w}" for i, w in sorted(widths.items())] + [f"b{bottleneck}"])
    return name, dict(narrowed_config(config, widths), bottleneck=bottleneck)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=Path, default=Path("/work/train-runs"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--warmup-samples", type=int, default=30000)
    ap.add_argument("--warmup-steps", type=int, default=300, help="linear lr warm-up (Adam state restarts)")
    ap.add_argument("--val-lines", type=int, default=1000)
    ap.add_argument("--val-minutes", type=float, default=10)
    ap.add_argument("--ckpt-minutes", type=float, default=5)
    ap.add_argument("--max-hours", type=float, default=1e9)
    ap.add_argument("--lr-halflife", type=float, default=3e6, help="samples over which the lr halves")
    ap.add_argument("--export-to", type=Path, default=WEIGHTS_PATH, help="where improved weights go")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--scratch", action="store_true", help="ignore weights/crnn.safetensors")
    ap.add_argument("--init-weights", type=Path, default=WEIGHTS_PATH,
                    help="weights to start from without a checkpoint (grown when the charset was extended)")
    ap.add_argument("--fc-lr-scale", type=float, default=1.0,
                    help="lr multiplier of the classifier (new classes after a charset extension learn faster)")
    ap.add_argument("--twin", action="append", default=[], metavar="I=WIDTH,...,b=B",
                    help="also train a narrower model on the same batches: conv layer I narrowed to WIDTH "
                         "channels, bottleneck B (repeatable; RUNS/twin-NAME, exported beside --export-to)")
    ap.add_argument("--ema", type=float, default=0.999,
                    help="decay per step of the weights' moving average that validation also measures (0: none)")
    ap.add_argument("--val-first", action="store_true", help="measure the starting point before training")
    ap.add_argument("--reset-best", action="store_true",
                    help="forget the checkpoint's best validation CER (after a data recipe change redrew the set)")
    ap.add_argument("--sharing", choices=["file_descriptor", "file_system"], default=None,
                    help="how loader workers hand batches over (file_system where /dev/shm is small)")
    args = ap.parse_args()
    if args.sharing:
        torch.multiprocessing.set_sharing_strategy(args.sharing)
    torch.set_num_threads(args.threads)
    charset = load_charset()
    config = default_config(len(charset) + 1, charset_sha256(CHARSET_PATH))
    dev = torch.device(args.device)
    if dev.type == "cuda":  # TF32 matmuls; the model is small, so plain fp32 beats autocast's casts
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    learners = [Learner("main", config, args.runs, args.export_to, args, dev)]
    for spec in args.twin:
        name, cfg = twin_config(config, spec)
        learners.append(Learner(f"twin-{name}", cfg, args.runs / f"twin-{name}",
                                args.export_to.parent / f"twin-{name}" / args.export_to.name, args, dev))
    main_progress = learners[0].progress
    val = validation_set(args.val_lines)
    # The curriculum runs over the first samples of a run from scratch, also across a resume.
    warmup = 0 if main_progress["warm"] else max(0, args.warmup_samples - main_progress["samples"])
    loader = DataLoader(SyntheticBatches(args.batch, warmup), batch_size=None, num_workers=args.workers,
                        persistent_workers=args.workers > 0, prefetch_factor=4 if args.workers else None,
                        pin_memory=dev.type == "cuda")
    ctc = torch.nn.CTCLoss(blank=0, zero_infinity=True)
    t_start = time.time()
    last_log = last_ckpt = last_val = time.time()
    if args.val_first:
        for learner in learners:
            learner.validate(val, charset, dev)
    for images, frames, targets, target_lengths in loader:
        batch = (images.to(dev, non_blocking=True), frames.to(dev), targets.to(dev), target_lengths.to(dev))
        for learner in learners:
            learner.step(batch, args, ctc, dev, time.time() - t_start)
        now = time.time()
        if now - last_log >= 60:
            for learner in learners:
                learner.log_progress(now - last_log)
            last_log = now
        if now - last_val >= args.val_minutes * 60:
            for learner in learners:
                learner.validate(val, charset, dev)
            last_val = time.time()
        if now - last_ckpt >= args.ckpt_minutes * 60:
            for learner in learners:
                learner.checkpoint()
            last_ckpt = now
        if now - t_start > args.max_hours * 3600:
            break
    for learner in learners:  # the steps since the last validation count too
        learner.validate(val, charset, dev, final=True)
        learner.checkpoint()


if __name__ == "__main__":
    main()
