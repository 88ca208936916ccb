"""Parity fixtures for the Swift CRNN (Tests/CRNNTests/Fixtures): a small random model, line images,
their normalised inputs, logits and greedy decodes, and PIL BILINEAR resize references. The format
is described in that folder's README.md.

    python -m training.make_fixtures                   # rewrites Tests/CRNNTests/Fixtures
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from training.export import load_model, random_small_model
from training.model import greedy_decode
from training.render import INPUT_HEIGHT, TRAIN_FACES, LineRenderer, normalise

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "Tests" / "CRNNTests" / "Fixtures"
LINES = [("Total: ¥1,234.56", 40, False), ("发票号码：12345678", 57, True),
         ("Invoice 2024-05-12 (VAT)", 24, True), ("【合计】 x 3", 32, False)]


def write_gray(path: Path, img: Image.Image) -> None:
    path.write_bytes(np.asarray(img.convert("L"), dtype=np.uint8).tobytes())


def line_image(text: str, height: int, degraded: bool, seed: int) -> Image.Image:
    """Our own rendering of `text`, scaled to `height` pixels so that the resize is exercised."""
    rend = LineRenderer(TRAIN_FACES[:1] + TRAIN_FACES[6:7], seed=seed)
    img = None
    while img is None:
        img = rend.render(text, clean=not degraded)
    w = max(8, round(img.width * height / img.height))
    return img.resize((w, height), Image.BICUBIC)


def resize_cases(out: Path) -> list[dict]:
    """Gray noise-and-edges images with PIL's BILINEAR result at height 32, down- and upscaling."""
    rng = np.random.default_rng(11)
    cases = []
    for name, (w, h) in {"resize-down": (173, 61), "resize-up": (57, 19), "resize-same": (40, 32),
                         "resize-down-odd": (301, 97)}.items():
        a = rng.integers(0, 256, size=(h, w)).astype(np.uint8)
        a[:, : w // 3] = 255
        a[h // 3: h // 2, :] = 0
        src = Image.fromarray(a)
        new_w = max(8, round(w * INPUT_HEIGHT / h))
        dst = src.resize((new_w, INPUT_HEIGHT), Image.BILINEAR)
        write_gray(out / f"{name}.src.u8", src)
        write_gray(out / f"{name}.dst.u8", dst)
        cases.append({"name": name, "src": f"{name}.src.u8", "src_width": w, "src_height": h,
                      "dst": f"{name}.dst.u8", "dst_width": new_w, "dst_height": INPUT_HEIGHT})
    return cases


def line_case(model, charset, stride, out: Path, i: int, text: str, height: int, degraded: bool) -> dict:
    img = line_image(text, height, degraded, seed=100 + i)
    name = f"line{i}"
    img.save(out / f"{name}.png")
    write_gray(out / f"{name}.u8", img)
    x = normalise(img, stride)
    (out / f"{name}.input.f32").write_bytes(x.astype("<f4").tobytes())
    with torch.no_grad():
        T = x.shape[1] // stride
        logits = model(torch.from_numpy(x)[None, None], torch.tensor([T]))[:, 0, :]
    (out / f"{name}.logits.f32").write_bytes(logits.numpy().astype("<f4").tobytes())
    top2 = torch.topk(logits, 2, dim=-1).values
    margin = float((top2[:, 0] - top2[:, 1]).min())
    decoded, chars = greedy_decode(logits[:, None, :], [T], charset)[0]
    scale = img.height / INPUT_HEIGHT
    char_list = [{"char": c, "confidence": p, "frame": t, "x": (stride * t + stride / 2) * scale}
                 for c, p, t in chars]
    return {"name": name, "rendered_text": text, "png": f"{name}.png", "gray": f"{name}.u8",
            "width": img.width, "height": img.height, "input": f"{name}.input.f32",
            "input_shape": [INPUT_HEIGHT, x.shape[1]], "logits": f"{name}.logits.f32",
            "logits_shape": [T, logits.shape[1]], "min_top2_margin": margin, "text": decoded,
            "chars": char_list,
            "line_confidence": float(np.mean([c["confidence"] for c in char_list])) if char_list else 0.0}


REAL_LINES = [("开票日期：2024年05月12日", 48, False), ("Total ¥1,234.56", 30, True),
              ("北京京东世纪贸易有限公司", 40, True), ("Invoice No. INV-20240512", 36, False),
              ("Straße 12 • Größe: 3,50 € (10–12 Uhr)", 40, False)]   # charset v2's new classes


def real_decodes(out: Path, weights: Path) -> None:
    """Greedy decodes of the shipped model on a few of our rendered lines: per frame the argmax
    class and its probability, and the decoded text with confidences. Tied to the weights' sha256:
    regenerate whenever weights/crnn.safetensors changes."""
    import hashlib
    from training.charset import load_charset
    model = load_model(weights)
    charset = load_charset()
    stride = model.config["horizontal_stride"]
    out.mkdir(parents=True, exist_ok=True)
    cases = []
    for i, (text, height, degraded) in enumerate(REAL_LINES):
        img = line_image(text, height, degraded, seed=200 + i)
        name = f"real{i}"
        write_gray(out / f"{name}.u8", img)
        x = normalise(img, stride)
        T = x.shape[1] // stride
        with torch.no_grad():
            logits = model(torch.from_numpy(x)[None, None], torch.tensor([T]))
        probs = torch.softmax(logits[:, 0, :], dim=-1)
        p, k = probs.max(dim=-1)
        decoded, chars = greedy_decode(logits, [T], charset)[0]
        cases.append({"name": name, "rendered_text": text, "gray": f"{name}.u8", "width": img.width,
                      "height": img.height, "frames": T, "argmax": k.tolist(),
                      "argmax_prob": [round(float(v), 6) for v in p], "text": decoded,
                      "chars": [{"char": c, "confidence": q, "frame": t} for c, q, t in chars]})
    manifest = {"weights_sha256": hashlib.sha256(weights.read_bytes()).hexdigest(), "lines": cases}
    (out / "decodes.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    for c in cases:
        print(c["name"], repr(c["rendered_text"]), "->", repr(c["text"]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=FIXTURES)
    ap.add_argument("--real", type=Path, nargs="?", const=REPO / "weights" / "crnn.safetensors",
                    help="only (re)write OUT/real/ with decodes of these weights")
    args = ap.parse_args()
    out = args.out
    if args.real:
        real_decodes(out / "real", args.real)
        return
    out.mkdir(parents=True, exist_ok=True)
    random_small_model(out, seed=7)  # writes crnn.safetensors + charset.txt (fp16-rounded weights)
    model = load_model(out / "crnn.safetensors")  # reference = exactly what the file holds, in fp32
    from training.charset import load_charset
    charset = load_charset(out / "charset.txt")
    stride = model.config["horizontal_stride"]
    lines = [line_case(model, charset, stride, out, i, t, h, d) for i, (t, h, d) in enumerate(LINES)]
    manifest = {"model": "crnn.safetensors", "charset": "charset.txt", "config": model.config,
                "lines": lines, "resize": resize_cases(out)}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
    total = sum(p.stat().st_size for p in out.iterdir())
    print(f"{out}: {len(lines)} lines, min top-2 margin {min(l['min_top2_margin'] for l in lines):.4f}, "
          f"{total / 1024:.0f} KB")
    for l in lines:
        print(l["name"], l["input_shape"], repr(l["text"]), f"{l['line_confidence']:.3f}")


if __name__ == "__main__":
    main()
