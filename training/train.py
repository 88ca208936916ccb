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
from training.export import WEIGHTS_PATH, export, load_model, read_safetensors
from training.grow import can_grow, grow_tensors
from training.model import CRNN, default_config, greedy_decode
from training.shrink import can_shrink, lstm_second_moment, shrink_tensors

# Synthetic lines whose BiLSTM outputs weight the narrowing of a wider bottleneck (training/shrink.py).
SHRINK_MOMENT_LINES = 2000


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


def initial_state(args, config):
    """(model, optimizer state or None, progress dict) from the checkpoint, the shipped weights, or nothing."""
    model = CRNN(config)
    ckpt_path = args.runs / "ckpt-latest.pt"
    if ckpt_path.exists():
        ckpt = torch.load(ckpt_path, map_location="cpu")
        if ckpt["config"] != config:
            raise SystemExit(f"{ckpt_path}: config differs from this code's; move it away to start over")
        model.load_state_dict(ckpt["model"])
        return model, ckpt["optimizer"], ckpt["progress"], f"checkpoint {ckpt_path}"
    init = args.init_weights
    if init.exists() and not args.scratch:
        tensors, file_config = read_safetensors(init)
        origin = f"weights {init}"
        if file_config != config and can_grow(file_config, config, load_charset()):
            tensors, _ = grow_tensors(tensors, file_config, config, load_charset())
            origin += f" grown from {file_config['num_classes']} to {config['num_classes']} classes"
            file_config = config
        if file_config != config and can_shrink(file_config, config):
            sigma = lstm_second_moment(load_model(init), SHRINK_MOMENT_LINES)
            tensors = shrink_tensors(tensors, sigma, config["bottleneck"])
            origin += f" narrowed from bottleneck {file_config['bottleneck']} to {config['bottleneck']}"
            file_config = config
        if file_config == config:
            model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in tensors.items()}, strict=False)
            return model, None, {"samples": 0, "steps": 0, "seconds": 0.0, "best_cer": 1.0,
                                 "warm": True}, origin
    return model, None, {"samples": 0, "steps": 0, "seconds": 0.0, "best_cer": math.inf,
                         "warm": False}, "scratch"


def log_validation(args, progress, cer: float, ext_cer: float, exported: bool) -> None:
    hours = progress["seconds"] / 3600
    print(f"{time.strftime('%H:%M:%S')} VAL cer {cer:.4f} best {progress['best_cer']:.4f} "
          f"latin-ext lines {ext_cer:.4f} after {progress['samples']} samples {hours:.2f} h"
          f"{' -> exported' if exported else ''}", flush=True)
    with open(args.runs / "val.tsv", "a") as f:
        f.write(f"{time.strftime('%Y-%m-%dT%H:%M:%S')}\t{progress['samples']}\t{hours:.3f}\t{cer:.5f}\t{ext_cer:.5f}\n")


def save_checkpoint(path: Path, model, optimizer, config, progress) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "config": config,
                "progress": progress}, tmp)
    os.replace(tmp, path)


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
    ap.add_argument("--val-first", action="store_true", help="measure the starting point before training")
    ap.add_argument("--sharing", choices=["file_descriptor", "file_system"], default=None,
                    help="how loader workers hand batches over (file_system where /dev/shm is small)")
    args = ap.parse_args()
    if args.sharing:
        torch.multiprocessing.set_sharing_strategy(args.sharing)
    torch.set_num_threads(args.threads)
    args.runs.mkdir(parents=True, exist_ok=True)
    charset = load_charset()
    config = default_config(len(charset) + 1, charset_sha256(CHARSET_PATH))
    model, opt_state, progress, origin = initial_state(args, config)
    dev = torch.device(args.device)
    model.to(dev).train()
    if dev.type == "cuda":  # TF32 matmuls; the model is small, so plain fp32 beats autocast's casts
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    fc_params = list(model.fc.parameters())
    rest = [p for p in model.parameters() if all(p is not q for q in fc_params)]
    optimizer = torch.optim.Adam([{"params": rest, "scale": 1.0},
                                  {"params": fc_params, "scale": args.fc_lr_scale}], lr=args.lr)
    if opt_state:
        optimizer.load_state_dict(opt_state)
        for g, scale in zip(optimizer.param_groups, (1.0, args.fc_lr_scale)):  # this run's choice
            g["scale"] = scale
    print(f"start from {origin}: {sum(p.numel() for p in model.parameters())} params, "
          f"{progress['samples']} samples seen, best CER {progress['best_cer']}", flush=True)
    val = validation_set(args.val_lines)
    # The curriculum runs over the first samples of a run from scratch, also across a resume.
    warmup = 0 if progress["warm"] else max(0, args.warmup_samples - progress["samples"])
    loader = DataLoader(SyntheticBatches(args.batch, warmup), batch_size=None, num_workers=args.workers,
                        persistent_workers=args.workers > 0, prefetch_factor=4 if args.workers else None,
                        pin_memory=dev.type == "cuda")
    ctc = torch.nn.CTCLoss(blank=0, zero_infinity=True)
    # bf16 autocast is 1.7x faster on this CPU; on a GPU fp32/TF32 is safe and fast enough.
    use_amp = dev.type == "cpu"
    t_start = time.time()
    seconds0 = progress["seconds"]
    last_log = last_ckpt = last_val = time.time()
    if args.val_first:
        log_validation(args, progress, *evaluate(model, val, charset, device=dev), exported=False)
    loss_sum = n_sum = 0.0
    samples_at_log = progress["samples"]
    for images, frames, targets, target_lengths in loader:
        step = progress["steps"]
        lr = args.lr * min(1.0, (step + 1) / args.warmup_steps) * max(0.1, 0.5 ** (progress["samples"] / args.lr_halflife))
        for g in optimizer.param_groups:
            g["lr"] = lr * g["scale"]
        images = images.to(dev, non_blocking=True)
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=use_amp):
            logits = model(images, frames.to(dev))
        log_probs = logits.float().log_softmax(2)
        loss = ctc(log_probs, targets.to(dev), frames.to(dev), target_lengths.to(dev))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        progress["steps"] += 1
        progress["samples"] += images.shape[0]
        loss_sum += loss.item() * images.shape[0]
        n_sum += images.shape[0]
        now = time.time()
        progress["seconds"] = seconds0 + (now - t_start)
        if now - last_log >= 60:
            rate = (progress["samples"] - samples_at_log) / (now - last_log)
            print(f"{time.strftime('%H:%M:%S')} step {progress['steps']} samples {progress['samples']} "
                  f"loss {loss_sum / n_sum:.3f} lr {lr:.2e} {rate:.1f} lines/s", flush=True)
            last_log, samples_at_log, loss_sum, n_sum = now, progress["samples"], 0.0, 0.0
        if now - last_val >= args.val_minutes * 60:
            cer, ext_cer = evaluate(model, val, charset, device=dev)
            improved = cer < progress["best_cer"]
            if improved:
                progress["best_cer"] = cer
                export(model, args.export_to)
            log_validation(args, progress, cer, ext_cer, improved)
            last_val = time.time()
        if now - last_ckpt >= args.ckpt_minutes * 60:
            save_checkpoint(args.runs / "ckpt-latest.pt", model, optimizer, config, progress)
            last_ckpt = now
        if progress["seconds"] - seconds0 > args.max_hours * 3600:
            break
    cer, _ = evaluate(model, val, charset, device=dev)  # the steps since the last validation count too
    if cer < progress["best_cer"]:
        progress["best_cer"] = cer
        export(model, args.export_to)
    print(f"{time.strftime('%H:%M:%S')} END cer {cer:.4f} best {progress['best_cer']:.4f} "
          f"after {progress['samples']} samples", flush=True)
    save_checkpoint(args.runs / "ckpt-latest.pt", model, optimizer, config, progress)


if __name__ == "__main__":
    main()
