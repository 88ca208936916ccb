"""The recogniser's classes: GB2312 hanzi, space + printable ASCII, full-width punctuation and the
symbols of invoices and receipts, then (appended, so the older classes keep their indices) the accented
Latin letters of German, Dutch and French text and a few more marks (LATIN_EXTENSION). Writes weights/charset.txt (one scalar per line; class 0 is the
CTC blank and has no line, so line k is class k + 1; see weights/MODEL.md).

    python -m training.charset            # (re)writes weights/charset.txt
"""
from __future__ import annotations

import hashlib
import sys
import unicodedata
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

# Appended after the hanzi (version 2 of the charset): the first 6,963 classes are those of the
# first shipped model, so its weights carry over and only these rows of the classifier are new.
# Accented letters of German, Dutch and French (precomposed, NFC), the en dash of ranges, the bullet
# of lists, the German low quotation mark, a tick and the hanzi zero of dates (二〇二四年). Not « »:
# started from < > they took over the < > of Chinese e-invoices' cipher blocks in the first run.
LATIN_LOWER = "àáâäãåçèéêëìíîïñòóôöõùúûüýÿæœø"
LATIN_EXTENSION = (
    LATIN_LOWER + LATIN_LOWER.upper().replace("Ÿ", "") + "Ÿß"
    + "–•„✓〇"
)
# The class each new one starts from when shipped weights are grown to this charset
# (training/grow.py): an accented letter starts as its base letter, the rest as the nearest old mark.
GROW_BASE = {"ß": "s", "æ": "a", "Æ": "A", "œ": "o", "Œ": "O", "ø": "o", "Ø": "O",
             "–": "-", "•": "·", "„": '"', "✓": "√", "〇": "○"}


def base_character(ch: str) -> str | None:
    """The older character a new class starts from: GROW_BASE, else the letter without its accent."""
    if ch in GROW_BASE:
        return GROW_BASE[ch]
    decomposed = unicodedata.normalize("NFD", ch)
    return decomposed[0] if len(decomposed) > 1 and decomposed[0].isascii() else None


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
    for ch in ascii_chars + list(SYMBOLS) + gb2312_hanzi() + list(LATIN_EXTENSION):
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
