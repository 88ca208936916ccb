"""Renders text lines the way DocVault's line segmenter will hand them to the recogniser: one printed
line, cropped with jitter, degraded like a 150-300 dpi scan, a photo or a thermal receipt, and then
normalised exactly as weights/MODEL.md says (PIL BILINEAR to height 32, x = (255 - p) / 255, right
padding to a multiple of the horizontal stride).

    python -m training.render --out /tmp/samples --n 40     # writes sample PNGs to look at
"""
from __future__ import annotations

import argparse
import functools
import io
import random
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from training import assets

INPUT_HEIGHT = 32
MIN_CONTRAST = 40   # gray levels between paper and ink that every degraded line keeps
DOT_MATRIX_SHARE = 0.05   # lines printed by a dot-matrix head (receipts, old forms)
DOUBLE_HEIGHT_SHARE = 0.25   # of those, printed in the printer's double-height mode (since recipe v7)
PRINTER_ASTERISK = ("..#..", "#.#.#", ".###.", "#.#.#", "..#..")
NOTO = "/usr/share/fonts/opentype/noto/"
TT = "/usr/share/fonts/truetype/"


@dataclass(frozen=True)
class Face:
    path: str
    name: str          # family + style as PIL reports it, used to find the index inside a .ttc
    cjk: bool
    mono: bool = False


def _noto(kind: str, weight: str, family: str) -> Face:
    return Face(f"{NOTO}Noto{kind}CJK-{weight}.ttc", f"{family}|{weight}", True, "Mono" in family)


TRAIN_FACES = [
    _noto("Sans", "Regular", "Noto Sans CJK SC"), _noto("Sans", "Light", "Noto Sans CJK SC"),
    _noto("Sans", "Medium", "Noto Sans CJK SC"), _noto("Sans", "Bold", "Noto Sans CJK SC"),
    _noto("Sans", "Black", "Noto Sans CJK SC"), _noto("Sans", "DemiLight", "Noto Sans CJK SC"),
    _noto("Serif", "Regular", "Noto Serif CJK SC"), _noto("Serif", "Light", "Noto Serif CJK SC"),
    _noto("Serif", "Medium", "Noto Serif CJK SC"), _noto("Serif", "SemiBold", "Noto Serif CJK SC"),
    _noto("Serif", "Bold", "Noto Serif CJK SC"), _noto("Sans", "Regular", "Noto Sans Mono CJK SC"),
    _noto("Sans", "Bold", "Noto Sans Mono CJK SC"),
    Face(f"{TT}wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei|Regular", True),
    Face(f"{TT}wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei Mono|Regular", True, True),
    Face(f"{TT}arphic/ukai.ttc", "AR PL UKai CN|Book", True),
    Face(f"{TT}arphic/uming.ttc", "AR PL UMing CN|Light", True),
    Face(f"{TT}liberation2/LiberationSans-Regular.ttf", "Liberation Sans|Regular", False),
    Face(f"{TT}liberation2/LiberationSans-Bold.ttf", "Liberation Sans|Bold", False),
    Face(f"{TT}liberation2/LiberationSans-Italic.ttf", "Liberation Sans|Italic", False),
    Face(f"{TT}liberation2/LiberationMono-Regular.ttf", "Liberation Mono|Regular", False, True),
    Face(f"{TT}liberation2/LiberationMono-Bold.ttf", "Liberation Mono|Bold", False, True),
    Face(f"{TT}dejavu/DejaVuSans.ttf", "DejaVu Sans|Book", False),
    Face(f"{TT}dejavu/DejaVuSans-Bold.ttf", "DejaVu Sans|Bold", False),
    Face(f"{TT}dejavu/DejaVuSansCondensed.ttf", "DejaVu Sans|Condensed", False),
    Face(f"{TT}dejavu/DejaVuSerif.ttf", "DejaVu Serif|Book", False),
    Face(f"{TT}dejavu/DejaVuSansMono.ttf", "DejaVu Sans Mono|Book", False, True),
    Face(f"{TT}freefont/FreeSans.ttf", "FreeSans|Regular", False),
    Face(f"{TT}freefont/FreeSerif.ttf", "FreeSerif|Regular", False),
    Face(f"{TT}freefont/FreeSerifBold.ttf", "FreeSerif|Bold", False),
    Face(f"{TT}freefont/FreeMono.ttf", "FreeMono|Regular", False, True),
    Face(f"{TT}noto/NotoMono-Regular.ttf", "Noto Mono|Regular", False, True),
    # Italic, oblique and bold Latin faces of documents (Times-like italics read 'a' as 'd' without them)
    Face(f"{TT}liberation2/LiberationSerif-Italic.ttf", "Liberation Serif|Italic", False),
    Face(f"{TT}liberation2/LiberationSerif-Bold.ttf", "Liberation Serif|Bold", False),
    Face(f"{TT}liberation2/LiberationSans-BoldItalic.ttf", "Liberation Sans|Bold Italic", False),
    Face(f"{TT}freefont/FreeSerifItalic.ttf", "FreeSerif|Italic", False),
    Face(f"{TT}freefont/FreeSerifBoldItalic.ttf", "FreeSerif|Bold Italic", False),
    Face(f"{TT}freefont/FreeSansBold.ttf", "FreeSans|Bold", False),
    Face(f"{TT}freefont/FreeSansOblique.ttf", "FreeSans|Oblique", False),
    Face(f"{TT}dejavu/DejaVuSerif-Italic.ttf", "DejaVu Serif|Italic", False),
    Face(f"{TT}dejavu/DejaVuSerif-Bold.ttf", "DejaVu Serif|Bold", False),
    Face(f"{TT}dejavu/DejaVuSans-Oblique.ttf", "DejaVu Sans|Oblique", False),
]
# Never trained on: synthetic validation reads only these.
VAL_FACES = [
    Face(f"{TT}wqy/wqy-microhei.ttc", "WenQuanYi Micro Hei|Regular", True),
    Face(f"{TT}liberation2/LiberationSerif-Regular.ttf", "Liberation Serif|Regular", False),
]
if assets.packed_root():  # subset copies made by training.pack_assets (a machine without the packages)
    TRAIN_FACES = [replace(f, path=str(assets.packed_font(f.name))) for f in TRAIN_FACES]
    VAL_FACES = [replace(f, path=str(assets.packed_font(f.name))) for f in VAL_FACES]


@functools.lru_cache(maxsize=None)
def face_index(face: Face) -> int:
    family, style = face.name.split("|")
    if not Path(face.path).exists():
        raise FileNotFoundError(f"{face.path}: no such font file (install the Debian font packages "
                                f"listed in training/requirements.txt)")
    for i in range(16):
        try:
            got = ImageFont.truetype(face.path, 12, index=i).getname()
        except OSError:
            break
        if got[0] == family and (got[1] == style or style in face.path or len(got) < 2):
            return i
    if not face.path.endswith(".ttc"):
        return 0
    raise FileNotFoundError(f"{face.path}: no face named {family!r} {style!r}")


@functools.lru_cache(maxsize=None)
def face_coverage(face: Face) -> frozenset[str]:
    """Characters the face really has a glyph for (its cmap), so no line is trained on tofu."""
    font = TTFont(face.path, fontNumber=face_index(face), lazy=True)
    cmap = font.getBestCmap()
    return frozenset(chr(c) for c in cmap)


@functools.lru_cache(maxsize=256)
def pil_font(face: Face, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(face.path, size, index=face_index(face))


def light_on_dark(pixels: np.ndarray) -> bool:
    """MODEL.md's polarity rule: a line whose pixels are mostly (more than 65 %) below the midpoint of
    its darkest and lightest value is light text on a dark ground (a header bar, a stamp, a negative).
    Integer arithmetic, so the Swift side decides identically."""
    lo, hi = int(pixels.min()), int(pixels.max())
    if hi - lo < 32:
        return False
    threshold = (lo + hi + 1) // 2
    return int(np.count_nonzero(pixels < threshold)) * 100 > 65 * pixels.size


def normalise(img: Image.Image, stride: int = 4) -> np.ndarray:
    """MODEL.md's input normalisation: [32, W'] float32, W' a multiple of stride, ink = 1."""
    img = img.convert("L")
    w, h = img.size
    new_w = max(8, round(w * INPUT_HEIGHT / h))
    resized = img.resize((new_w, INPUT_HEIGHT), Image.BILINEAR)
    if light_on_dark(np.asarray(img)):
        x = np.asarray(resized, dtype=np.float32) / 255.0
    else:
        x = (255.0 - np.asarray(resized, dtype=np.float32)) / 255.0
    pad = (-new_w) % stride
    if pad:
        x = np.pad(x, ((0, 0), (0, pad)))
    return x


def has_hanzi(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


def otsu_threshold(a: np.ndarray) -> float:
    """The gray level that best splits the pixels into two classes (Otsu 1979)."""
    hist = np.bincount(a.clip(0, 255).astype(np.uint8).ravel(), minlength=256).astype(np.float64)
    levels = np.arange(256)
    w0 = np.cumsum(hist)
    m0 = np.cumsum(hist * levels)
    w1 = w0[-1] - w0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = np.where((w0 > 0) & (w1 > 0), (m0[-1] * w0 - m0 * w0[-1]) ** 2 / (w0 * w1), -1.0)
    if between.max() < 0:  # a single gray level (a blank line): nothing to split
        return float(levels[hist > 0][0]) + 0.5
    return float(np.argmax(between) + 0.5)


class LineRenderer:
    """Draws lines with a random face, size and degradation; `clean` turns the degradations off."""

    SIZES = [20, 24, 28, 32, 36, 40]

    def __init__(self, faces: list[Face], seed: int = 0):
        self.rng = random.Random(seed)
        self.nrng = np.random.default_rng(seed)
        self.faces = faces
        self.coverage = {f: face_coverage(f) for f in faces}

    def faces_for(self, text: str) -> list[Face]:
        chars = set(text)
        return [f for f in self.faces if chars <= self.coverage[f]]

    def render(self, text: str, clean: bool = False, wide: bool = False) -> Image.Image | None:
        """One degraded line image (8-bit gray, before normalisation), or None when no face has
        every glyph of the text."""
        faces = self.faces_for(text)
        if not faces:
            return None
        r = self.rng
        face = r.choice(faces)
        font = pil_font(face, r.choice(self.SIZES))
        bg = 255 if clean else r.randint(185, 255)
        ink = 0 if clean else r.randint(0, min(100, bg - 90))
        dots = not clean and not wide and r.random() < DOT_MATRIX_SHARE
        if dots:
            ink = r.randint(0, bg - MIN_CONTRAST - 20)  # impact ribbons print pale as often as dark
            upright = [f for f in faces if "Italic" not in f.name and "Oblique" not in f.name]
            img, ink_box, line_box = self._draw_dots(text, r.choice(upright or faces), bg, ink)
        else:
            img, ink_box, line_box = self._draw(text, font, bg, ink, clean, wide)
        if not clean:
            img = self._overlays(img, ink_box, line_box, bg, None if dots else font, text)
            if r.random() < 0.3:
                img, ink_box, line_box = self._affine(img, bg, ink_box, line_box)
        img = self._crop(img, ink_box, line_box, clean, has_hanzi(text))
        if not clean:
            # complex hanzi need ~16 px to be told apart (9 pt at 150 dpi is 19 px); Latin reads at 12
            # and dot-matrix print is only told from noise where a dot is at least a pixel (≥ 200 dpi)
            img = self._degrade(img, bg, 20 if dots else 16 if has_hanzi(text) else 12)
        return img

    # ---- drawing -------------------------------------------------------------------------------
    def _draw(self, text, font, bg, ink, clean, wide=False):
        r = self.rng
        ascent, descent = font.getmetrics()
        size = font.size
        if wide:  # table headers like "项  目  名  称": characters a glyph or more apart
            spacing = r.uniform(0.5, 2.5) * size
        else:
            spacing = 0 if clean or r.random() > 0.12 else r.uniform(0.05, 0.5) * size
        widths = [font.getlength(c) for c in text] if spacing else None
        text_w = int((sum(widths) + spacing * (len(text) - 1)) if spacing else font.getlength(text)) + 1
        margin_x = margin_y = int(size * 1.2) + 4  # room for loose crops, rulings and a slight rotation
        W, H = text_w + 2 * margin_x, ascent + descent + 2 * margin_y
        img = Image.new("L", (W, H), bg)
        draw = ImageDraw.Draw(img)
        x0, y0 = margin_x, margin_y
        stroke = 1 if not clean and r.random() < 0.05 else 0  # fake bold
        if spacing:
            x = x0
            for c, cw in zip(text, widths):
                draw.text((x, y0), c, font=font, fill=ink, stroke_width=stroke, stroke_fill=ink)
                x += cw + spacing
        else:
            draw.text((x0, y0), text, font=font, fill=ink, stroke_width=stroke, stroke_fill=ink)
        arr = np.asarray(img)
        dark = np.nonzero(arr < (bg + ink) / 2)
        if dark[0].size:
            ink_box = (int(dark[1].min()), int(dark[0].min()), int(dark[1].max()) + 1, int(dark[0].max()) + 1)
        else:  # a line of spaces: treat the metric box as ink
            ink_box = (x0, y0, x0 + text_w, y0 + ascent + descent)
        line_box = (x0, y0, x0 + text_w, y0 + ascent + descent)
        return img, ink_box, line_box

    def _draw_dots(self, text, face, bg, ink):
        """A dot-matrix printer's line: the face drawn as a small bitmap without anti-aliasing (a
        5x7 to 9x12 matrix for Latin, 12-16 rows for hanzi), every set pixel printed as a round dot
        in its cell with paper between the dots, as impact and old thermal receipts look."""
        r = self.rng
        size = r.randint(13, 16) if has_hanzi(text) else r.randint(9, 12)
        font = pil_font(face, size)
        ascent, descent = font.getmetrics()
        spacing = r.choice([0, 0, 1])  # matrix columns between characters
        # a space keeps at least 0.4 em: rounded to a few matrix columns it could vanish from the image
        widths = [max(int(round(font.getlength(c))), round(0.4 * size) if c == " " else 0) + spacing
                  for c in text]
        small = Image.new("L", (sum(widths) + 2, ascent + descent + 2), 0)
        draw = ImageDraw.Draw(small)
        draw.fontmode = "1"
        x = 1
        cap = max(5, round(ascent * 0.72))  # cap height of the bitmap face, near enough
        for c, cw in zip(text, widths):
            if c == "*" and r.random() < 0.5:
                # printer ROMs draw the asterisk as a cap-high star (5x5 dots: a vertical and two
                # diagonals), which reads like 米 to a model that only knows the fonts' small ones
                top = 1 + ascent - cap + (cap - 5) // 2
                for dy, row in enumerate(PRINTER_ASTERISK):
                    for dx, bit in enumerate(row):
                        if bit == "#":
                            draw.point((x + max(0, (cw - 5) // 2) + dx, top + dy), fill=255)
            else:
                draw.text((x, 1), c, font=font, fill=255)
            x += cw
        cell_w = r.randint(3, 6)
        cell_h = max(2, cell_w + r.choice([-1, 0, 0, 1]))
        # a receipt printer's double-height mode (totals, headers): each dot row printed twice as
        # tall, so dots become short vertical dashes with paper between the rows
        stretch = 2 if r.random() < DOUBLE_HEIGHT_SHARE else 1
        cell_h *= stretch
        yy, xx = np.mgrid[0:cell_h, 0:cell_w]
        radius = r.uniform(0.22, 0.5) * min(cell_w, cell_h // stretch)  # fine needles leave paper between dots
        dist = np.hypot(xx + 0.5 - cell_w / 2, (yy + 0.5 - cell_h / 2) / stretch)
        dot = np.clip(radius + 0.5 - dist, 0, 1)  # an anti-aliased disc (an ellipse when stretched)
        cover = np.kron(np.asarray(small, np.float32) / 255, dot)
        margin = cell_h * (ascent + descent)
        h, w = cover.shape
        page = np.full((h + 2 * margin, w + 2 * margin), float(bg), np.float32)
        page[margin:margin + h, margin:margin + w] -= cover * (bg - ink)
        rows, cols = np.nonzero(cover > 0.5)
        if rows.size:
            ink_box = (margin + int(cols.min()), margin + int(rows.min()),
                       margin + int(cols.max()) + 1, margin + int(rows.max()) + 1)
        else:  # a line of spaces
            ink_box = (margin, margin, margin + w, margin + h)
        line_box = (ink_box[0], margin + cell_h, ink_box[2], margin + cell_h * (1 + ascent + descent))
        return Image.fromarray(page.clip(0, 255).astype(np.uint8)), ink_box, line_box

    def _overlays(self, img, ink_box, line_box, bg, font=None, text=""):
        """Rulings and table borders touching the text, a neighbour line, a translucent seal."""
        r = self.rng
        draw = ImageDraw.Draw(img)
        lh = line_box[3] - line_box[1]
        shade = r.randint(0, 120)
        if r.random() < 0.15:
            y = r.choice([ink_box[3] + r.randint(-2, 3), ink_box[1] - r.randint(-2, 3)])
            draw.line([(0, y), (img.width, y)], fill=shade, width=r.randint(1, 3))
        if r.random() < 0.1:
            for x in (ink_box[0] - r.randint(1, lh // 2 + 2), ink_box[2] + r.randint(1, lh // 2 + 2)):
                if r.random() < 0.7:
                    draw.line([(x, 0), (x, img.height)], fill=shade, width=r.randint(1, 3))
        if r.random() < 0.08 and font is not None and text.strip():
            # the descenders or cap tops of a neighbour line of glyphs: specks over capitals that a
            # model which never saw them reads as accents (SHAPIRO as $HÅPÏRÖ on a fax)
            self._neighbour_glyphs(draw, font, text, ink_box, lh, shade)
        elif r.random() < 0.08:  # the edge of a neighbour line peeks in above or below
            y = ink_box[1] - r.randint(2, max(3, lh // 4)) if r.random() < 0.5 else ink_box[3] + r.randint(2, max(3, lh // 4))
            for _ in range(r.randint(3, 30)):
                x = r.randint(0, img.width)
                w = r.randint(2, lh)
                hh = r.randint(1, 4)
                draw.rectangle([x, y - hh // 2, x + w, y + hh // 2], fill=shade)
        if r.random() < 0.05:
            img = self._seal(img, ink_box, lh)
        return img

    def _neighbour_glyphs(self, draw, font, text, ink_box, lh, shade):
        """Glyphs of the line above (or below) drawn so that only their lowest (highest) few
        pixels reach the crop: the line's own characters shuffled, so the face has every glyph."""
        r = self.rng
        chars = [c for c in text if not c.isspace()]
        n = r.randint(max(1, len(chars) // 2), max(2, len(chars) * 3 // 2))
        other = "".join(r.choice(chars + [" "]) for _ in range(n)).strip() or chars[0]
        left, top, _, bottom = font.getbbox(other)
        gap = r.randint(-1, max(2, lh // 5))
        x = ink_box[0] + r.randint(-lh, lh) - left
        y = ink_box[1] - gap - bottom if r.random() < 0.7 else ink_box[3] + gap - top
        draw.text((x, y), other, font=font, fill=shade)

    def _seal(self, img, ink_box, lh):
        """A red seal seen in gray: a ring (with a star) that darkens what lies under it."""
        r = self.rng
        rad = int(lh * r.uniform(0.8, 2.5))
        cx = r.randint(ink_box[0], max(ink_box[0] + 1, ink_box[2]))
        cy = (ink_box[1] + ink_box[3]) // 2 + r.randint(-lh, lh)
        mask = Image.new("L", img.size, 255)
        d = ImageDraw.Draw(mask)
        level = r.randint(110, 190)  # red 255,0,0 has luma 76; translucent ink is lighter
        d.ellipse([cx - rad, cy - int(rad * r.uniform(0.7, 1)), cx + rad, cy + rad], outline=level,
                  width=max(2, rad // 8))
        if r.random() < 0.5:
            d.regular_polygon((cx, cy, rad // 3), 5, fill=level)
        return Image.fromarray((np.asarray(img, np.float32) * np.asarray(mask, np.float32) / 255).astype(np.uint8))

    def _affine(self, img, bg, ink_box, line_box):
        """A slight rotation and shear. The boxes move with the text: a segmenter crops the skewed
        line by its own extent, so the ends of a long rotated line are not cut off."""
        r = self.rng
        angle = np.deg2rad(r.uniform(-1.0, 1.0))  # what deskewing leaves on a warped or curled scan
        shear = r.uniform(-0.25, 0.25) if r.random() < 0.5 else 0.0
        c, s = np.cos(angle), np.sin(angle)
        cx, cy = img.width / 2, img.height / 2
        a, b, d, e = c, s + shear, -s, c
        coeffs = (a, b, cx - a * cx - b * cy, d, e, cy - d * cx - e * cy)
        out = img.transform(img.size, Image.AFFINE, coeffs, resample=Image.BILINEAR, fillcolor=bg)
        # PIL maps output to input points; the boxes need the inverse
        inverse = np.linalg.inv(np.array([[a, b], [d, e]]))
        offset = np.array([coeffs[2], coeffs[5]])

        def moved(box):
            corners = np.array([[box[0], box[1]], [box[2], box[1]], [box[0], box[3]], [box[2], box[3]]], float)
            pts = (corners - offset) @ inverse.T
            lo, hi = np.floor(pts.min(axis=0)), np.ceil(pts.max(axis=0))
            return (max(0, int(lo[0])), max(0, int(lo[1])), min(img.width, int(hi[0])), min(img.height, int(hi[1])))

        return out, moved(ink_box), moved(line_box)

    def _crop(self, img, ink_box, line_box, clean, hanzi=False):
        """A line segmenter's box: tight on ink or on the font's line box, sometimes loose or cutting."""
        r = self.rng
        use_ink = clean or r.random() < 0.6
        x0, y0, x1, y1 = ink_box if use_ink else (ink_box[0], line_box[1], ink_box[2], line_box[3])
        h = max(4, y1 - y0)
        if clean:
            top = bottom = int(0.1 * h)
            left = right = int(0.15 * h)
        else:
            top = int(h * r.uniform(-0.06, 0.3))
            bottom = int(h * r.uniform(-0.06, 0.3))
            left = int(h * r.uniform(-0.03, 0.8))
            right = int(h * r.uniform(-0.03, 0.8))
            cut = self._cut_into(h, hanzi)
            if cut:
                top, bottom = (-cut, bottom) if r.random() < 0.5 else (top, -cut)
        box = (max(0, x0 - left), max(0, y0 - top), min(img.width, x1 + right), min(img.height, y1 + bottom))
        if box[3] - box[1] < 4 or box[2] - box[0] < 2:
            box = ink_box
        return img.crop(box)

    def _cut_into(self, h, hanzi):
        """Pixels a box cuts off the top or bottom of the ink (6 % of boxes, as between touching
        lines); 0 for the others."""
        r = self.rng
        return int(h * r.uniform(0.06, 0.12 if hanzi else 0.2)) if r.random() < 0.06 else 0

    def _degrade(self, img, bg, min_h=12):
        """Scan resampling, blur, fading, dot-matrix, uneven light, noise, binarisation, JPEG.
        Each is bounded so the line stays legible: the ink keeps a contrast of at least MIN_CONTRAST
        gray levels and four noise deviations, and a binarising scanner's threshold lies between the
        paper and the ink it sees (a line nobody can read teaches the model to guess)."""
        r, nr = self.rng, self.nrng
        target_h = max(min_h, r.choice([r.randint(12, 24), r.randint(20, 40), r.randint(28, 56)]))
        w = max(2, round(img.width * target_h / img.height))
        filt = r.choice([Image.BILINEAR, Image.BICUBIC, Image.LANCZOS, Image.BOX, Image.NEAREST])
        if target_h >= 20 and r.random() < 0.04:  # dot-matrix / thermal dots: a dot grid in the ink
            a = np.asarray(img, np.float32)
            period = max(2, round(img.height * r.uniform(0.04, 0.08)))  # dots a stroke's width apart
            grid = np.ones_like(a)
            grid[::period, :] = 0.3
            grid[:, ::period] = 0.3
            a = 255 - (255 - a) * grid
            img = Image.fromarray(a.clip(0, 255).astype(np.uint8))
        img = img.resize((w, target_h), filt)
        if r.random() < 0.3:  # small scans are already soft: blur them less
            img = img.filter(ImageFilter.GaussianBlur(r.uniform(0.3, 1.1 if target_h > 20 else 0.6)))
        a = np.asarray(img, np.float32)
        contrast = bg - float(a.min())  # what the darkest ink has left after resampling (no noise yet)
        if r.random() < 0.15 and contrast > MIN_CONTRAST:  # thermal fading: ink pulled toward the paper
            fade = r.uniform(max(0.3, MIN_CONTRAST / contrast), 0.75)
            patch = nr.uniform(0.7, 1.0, size=(1, a.shape[1])) if r.random() < 0.5 else 1.0
            a = bg - (bg - a) * fade * patch
            contrast *= fade * (0.7 if r.random() < 0.5 else 1.0)
        binarise = r.random() < 0.1
        if not binarise and r.random() < 0.2:  # uneven light: a gradient across the line
            ramp = np.linspace(0, 1, a.shape[1], dtype=np.float32)[None, :]
            if r.random() < 0.5:
                ramp = ramp[:, ::-1]
            a = a - ramp * r.uniform(20, 90)
        if r.random() < 0.4:
            sigma = min(r.uniform(2, 18), max(2.0, contrast / 4))
            a = a + nr.normal(0, sigma, size=a.shape).astype(np.float32)
        if binarise:  # a fax or binarising scanner: the sensor's noise makes ragged edges and gaps
            lo, hi = float(a.min()), float(np.median(a))
            a = np.where(a < otsu_threshold(a) + (hi - lo) * r.uniform(-0.12, 0.12), 0.0, 255.0)
        img = Image.fromarray(a.clip(0, 255).astype(np.uint8))
        if r.random() < 0.3:
            buf = io.BytesIO()
            img.save(buf, format="JPEG", quality=r.randint(15 if target_h >= 20 else 35, 85))
            img = Image.open(io.BytesIO(buf.getvalue())).convert("L")
        return img


def main() -> None:
    from training.charset import load_charset
    from training.textgen import TextGen
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--val", action="store_true")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    gen = TextGen(load_charset(), seed=3)
    rend = LineRenderer(VAL_FACES if args.val else TRAIN_FACES, seed=3)
    for f in rend.faces:
        print(f.name, face_index(f), len(rend.coverage[f]))
    i = 0
    while i < args.n:
        text = gen.line()
        img = rend.render(text)
        if img is None:
            continue
        x = normalise(img)
        Image.fromarray((255 - x * 255).astype(np.uint8)).save(args.out / f"{i:03d}.png")
        (args.out / f"{i:03d}.txt").write_text(text)
        i += 1


if __name__ == "__main__":
    main()
