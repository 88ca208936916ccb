"""Packs what synthetic rendering needs into one folder: every training and validation face subset
to the charset (a CJK .ttc of 20-27 MB becomes one face of a few MB), jieba's dictionary cut to
words the charset can write, and the English, German, Dutch and French word lists.

    python -m training.pack_assets OUT_DIR     # then DOCVAULT_TRAIN_ASSETS=OUT_DIR python -m training.train
"""
from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

from training import assets
from training.charset import charset_sha256, load_charset
from training.render import TRAIN_FACES, VAL_FACES, face_index


def pack_font(face, charset: list[str], out: Path) -> int:
    options = subset.Options()
    options.name_IDs = ["*"]          # keep the family/style names the renderer looks faces up by
    options.notdef_outline = True
    options.hinting = False           # rendering at 20-40 px antialiased needs no hints
    options.layout_features = ["*"]
    font = TTFont(face.path, fontNumber=face_index(face), lazy=False)
    sub = subset.Subsetter(options)
    sub.populate(unicodes=[ord(c) for c in charset])
    sub.subset(font)
    font.save(out)
    return out.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    args = ap.parse_args()
    charset = load_charset()
    allowed = set(charset)
    (args.out / "fonts").mkdir(parents=True, exist_ok=True)
    # Subsets made for another charset lack glyphs (the renderer would silently skip those faces).
    stamp = args.out / "fonts" / "charset.sha256"
    fresh = stamp.exists() and stamp.read_text().strip() == charset_sha256()
    total = 0
    for face in dict.fromkeys(TRAIN_FACES + VAL_FACES):
        target = args.out / "fonts" / f"{assets.font_slug(face.name)}.otf"
        if not fresh or not target.exists():
            total += pack_font(face, charset, target)
        else:
            total += target.stat().st_size
    stamp.write_text(charset_sha256() + "\n")
    with open(assets.jieba_dict(), encoding="utf-8") as src, \
            open(args.out / "jieba-dict.txt", "w", encoding="utf-8") as dst:
        for line in src:
            word = line.split(" ", 1)[0]
            if word and set(word) <= allowed:
                dst.write(line)
    shutil.copyfile(assets.english_words(), args.out / "american-english")
    for lang, name in assets.EUROPEAN_WORD_LISTS.items():
        shutil.copyfile(assets.european_words(lang), args.out / name)
    for p in sorted(args.out.rglob("*")):
        if p.is_file():
            print(f"{p.stat().st_size / 1e6:7.2f} MB  {p.relative_to(args.out)}")
    print(f"fonts {total / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
