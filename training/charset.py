"""The recogniser's classes: GB2312 hanzi, space + printable ASCII, full-width punctuation and the
symbols of invoices and receipts. Writes weights/charset.txt (one scalar per line; class 0 is the
CTC blank and has no line, so line k is class k + 1; see weights/MODEL.md).

    python -m training.charset            # (re)writes weights/charset.txt
"""
from __future__ import annotations

import hashlib
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHARSET_PATH = REPO / "weights" / "charset.txt"

# Full-width punctuation of Chinese text and the symbols that invoices and receipts print.
# Kept in one string so the order (and therefore the class indices) is stable.
SYMBOLS = (
    "，。、；：？！（）【】《》“”‘’…—～·「」『』〔〕〈〉"
    "＃＆＊＋－／＝＠％．＜＞［］｛｝｜＿"
    "¥￥€£¢%‰℃°×÷±≤≥≠≈√∞§№※→←↑↓■□●○◆◇★☆▲△"
    "①②③④⑤⑥⑦⑧⑨⑩⑴⑵⑶ⅠⅡⅢⅣⅤ²³µ®©™"
)


def gb2312_hanzi() -> list[str]:
    """The 6,763 hanzi of GB2312 (rows 0xB0..0xF7), in code order, by decoding the code range."""
    out = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                ch = bytes([hi, lo]).decode("gb2312")
            except UnicodeDecodeError:
                continue  # 0xD7FA..0xD7FE are unassigned
            out.append(ch)
    return out


def build_charset() -> list[str]:
    ascii_chars = [" "] + [chr(c) for c in range(0x21, 0x7F)]
    chars: list[str] = []
    seen: set[str] = set()
    for ch in ascii_chars + list(SYMBOLS) + gb2312_hanzi():
        if ch not in seen:
            seen.add(ch)
            chars.append(ch)
    return chars


def write_charset(chars: list[str], path: Path) -> str:
    data = ("\n".join(chars) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def load_charset(path: Path = CHARSET_PATH) -> list[str]:
    """Reads charset.txt without trimming (a line holding one space is the space class)."""
    text = path.read_bytes().decode("utf-8")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for i, line in enumerate(lines):
        if len(line) != 1:
            raise ValueError(f"{path}: line {i + 1} holds {len(line)} scalars, expected 1")
    return lines


def charset_sha256(path: Path = CHARSET_PATH) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main() -> None:
    chars = build_charset()
    hanzi = gb2312_hanzi()
    digest = write_charset(chars, CHARSET_PATH)
    print(f"{CHARSET_PATH}: {len(chars)} characters ({len(hanzi)} hanzi), "
          f"{len(chars) + 1} classes with the blank, sha256 {digest}", file=sys.stderr)


if __name__ == "__main__":
    main()
