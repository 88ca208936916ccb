"""Where training finds its fonts and word lists: the Debian packages by default, or a packed copy.

A GPU machine has no Debian font packages and nothing can be installed there, so
`python -m training.pack_assets DIR` writes subset fonts and the word lists into DIR (small
enough to travel with the repo), and DOCVAULT_TRAIN_ASSETS=DIR makes training read them instead.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

ENV = "DOCVAULT_TRAIN_ASSETS"


def packed_root() -> Path | None:
    root = os.environ.get(ENV)
    return Path(root) if root else None


def font_slug(name: str) -> str:
    """A file name for a face ("Noto Sans CJK SC|Bold" -> "Noto-Sans-CJK-SC-Bold")."""
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")


def packed_font(name: str) -> Path | None:
    root = packed_root()
    return root / "fonts" / f"{font_slug(name)}.otf" if root else None


def jieba_dict() -> Path:
    root = packed_root()
    if root:
        return root / "jieba-dict.txt"
    import jieba  # only needed where the dictionary is not packed
    return Path(jieba.__file__).parent / "dict.txt"


def english_words() -> Path:
    root = packed_root()
    return root / "american-english" if root else Path("/usr/share/dict/american-english")


# Debian packages wngerman, wdutch, wfrench: words with the accented letters of the charset's
# Latin extension (a packed folder holds copies under the same names).
EUROPEAN_WORD_LISTS = {"de": "ngerman", "nl": "dutch", "fr": "french"}


def european_words(lang: str) -> Path:
    name = EUROPEAN_WORD_LISTS[lang]
    root = packed_root()
    return root / name if root else Path("/usr/share/dict") / name
