import Foundation
import PageImage

/// A page drawn by the tests: text-like lines of glyph blocks with known boxes. Glyphs follow
/// Latin proportions (x-height letters, ascenders, descenders, a few dots) so orientation and
/// baseline statistics behave as on real print.
struct SyntheticPage {
    var width: Int
    var height: Int
    /// Interleaved RGB; gray is derived from it.
    var rgb: [UInt8]

    init(width: Int, height: Int) {
        self.width = width
        self.height = height
        rgb = [UInt8](repeating: 255, count: width * height * 3)
    }

    struct Box: Equatable, CustomStringConvertible {
        var x0, y0, x1, y1: Int
        var description: String { "[\(x0),\(y0),\(x1),\(y1)]" }
        func union(_ o: Box) -> Box { Box(x0: min(x0, o.x0), y0: min(y0, o.y0), x1: max(x1, o.x1), y1: max(y1, o.y1)) }
    }

    mutating func fill(_ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, _ c: (UInt8, UInt8, UInt8) = (0, 0, 0)) {
        for y in max(0, y0)..<min(height, y1) {
            for x in max(0, x0)..<min(width, x1) {
                let p = (y * width + x) * 3
                rgb[p] = c.0; rgb[p + 1] = c.1; rgb[p + 2] = c.2
            }
        }
    }

    /// Draws words (letter counts) starting at `x` on `baseline`; returns the ink's box
    /// (exclusive ends). The glyph sequence is fixed by `seed`, so pages are reproducible.
    @discardableResult
    mutating func text(x: Int, baseline: Int, xHeight: Int, words: [Int], seed: Int = 1,
                       colour: (UInt8, UInt8, UInt8) = (0, 0, 0), leaderTo: Int? = nil) -> Box {
        var state = UInt32(truncatingIfNeeded: seed &* 2654435761 &+ 12345)
        func next() -> Int { state = state &* 1664525 &+ 1013904223; return Int(state >> 24) }
        let lw = max(2, xHeight * 6 / 10), gap = max(1, xHeight * 2 / 10), space = xHeight * 7 / 10
        let stroke = max(1, xHeight / 5)
        var box = Box(x0: x, y0: baseline - xHeight, x1: x, y1: baseline)
        var cx = x
        for (wi, n) in words.enumerated() {
            if wi > 0 { cx += space }
            for _ in 0..<n {
                let kind = next() % 10
                var top = baseline - xHeight, bottom = baseline
                if kind < 3 { top = baseline - xHeight * 145 / 100 }        // ascender: b d f h k l t
                if kind == 3 { bottom = baseline + xHeight * 45 / 100 }     // descender: g j p q y
                // A letter as an outlined block: a stem and two bars, like a squared 'o' or 'b'.
                fill(cx, top, cx + stroke, bottom, colour)
                fill(cx, bottom - stroke, cx + lw, bottom, colour)
                fill(cx + lw - stroke, baseline - xHeight, cx + lw, bottom, colour)
                fill(cx, baseline - xHeight, cx + lw, baseline - xHeight + stroke, colour)
                box = box.union(Box(x0: cx, y0: top, x1: cx + lw, y1: bottom))
                cx += lw + gap
            }
        }
        box.x1 = cx - gap
        if let leaderTo {
            // Dotted leader from the end of the words to `leaderTo`, then a three-digit amount.
            var dx = cx + space
            while dx + stroke < leaderTo - space { fill(dx, baseline - stroke, dx + stroke, baseline, colour); dx += xHeight / 2 }
            let amount = text(x: leaderTo, baseline: baseline, xHeight: xHeight, words: [3], seed: seed + 7, colour: colour)
            box = box.union(amount)
        }
        return box
    }

    /// Draws another page's pixels with their top left corner at (x, y).
    mutating func paste(_ other: SyntheticPage, x: Int, y: Int) {
        for oy in 0..<other.height where y + oy >= 0 && y + oy < height {
            for ox in 0..<other.width where x + ox >= 0 && x + ox < width {
                let s = (oy * other.width + ox) * 3, d = ((y + oy) * width + x + ox) * 3
                rgb[d] = other.rgb[s]; rgb[d + 1] = other.rgb[s + 1]; rgb[d + 2] = other.rgb[s + 2]
            }
        }
    }

    /// A ring (seal, stamp) of the given colour and stroke width, centred at (cx, cy).
    mutating func ring(cx: Int, cy: Int, radius: Int, stroke: Int, colour: (UInt8, UInt8, UInt8)) {
        for y in max(0, cy - radius)..<min(height, cy + radius + 1) {
            for x in max(0, cx - radius)..<min(width, cx + radius + 1) {
                let d = ((x - cx) * (x - cx) + (y - cy) * (y - cy))
                guard d <= radius * radius && d >= (radius - stroke) * (radius - stroke) else { continue }
                let p = (y * width + x) * 3
                // Seal ink is translucent: it only darkens what is under it in its own channels.
                rgb[p] = min(rgb[p], colour.0); rgb[p + 1] = min(rgb[p + 1], colour.1); rgb[p + 2] = min(rgb[p + 2], colour.2)
            }
        }
    }

    mutating func disc(cx: Int, cy: Int, radius: Int) {
        for y in max(0, cy - radius)..<min(height, cy + radius + 1) {
            for x in max(0, cx - radius)..<min(width, cx + radius + 1) where (x - cx) * (x - cx) + (y - cy) * (y - cy) <= radius * radius {
                let p = (y * width + x) * 3
                rgb[p] = 20; rgb[p + 1] = 20; rgb[p + 2] = 20
            }
        }
    }

    var gray: GrayImage {
        var g = [UInt8](repeating: 0, count: width * height)
        for i in 0..<(width * height) {
            let r = 77 * Int(rgb[3 * i]), gr = 150 * Int(rgb[3 * i + 1]), b = 29 * Int(rgb[3 * i + 2])
            g[i] = UInt8((r + gr + b) >> 8)
        }
        return GrayImage(width: width, height: height, pixels: g)
    }

    func bitmap(colour: Bool = false, dpi: Double = 300) -> PageBitmap {
        PageBitmap(number: 1, gray: gray, rgb: colour ? RGBImage(width: width, height: height, pixels: rgb) : nil, dpi: dpi)
    }

    /// The page turned 90° counter-clockwise (text then reads bottom to top), and where a box goes.
    func turnedCounterClockwise() -> SyntheticPage {
        var out = SyntheticPage(width: height, height: width)
        for y in 0..<height {
            for x in 0..<width {
                let (nx, ny) = (y, width - 1 - x)
                let s = (y * width + x) * 3, d = (ny * out.width + nx) * 3
                out.rgb[d] = rgb[s]; out.rgb[d + 1] = rgb[s + 1]; out.rgb[d + 2] = rgb[s + 2]
            }
        }
        return out
    }

    func boxTurnedCounterClockwise(_ b: Box) -> Box {
        Box(x0: b.y0, y0: width - b.x1, x1: b.y1, y1: width - b.x0)
    }

    func turnedUpsideDown() -> SyntheticPage {
        var out = self
        for i in 0..<(width * height) {
            let j = width * height - 1 - i
            for c in 0..<3 { out.rgb[j * 3 + c] = rgb[i * 3 + c] }
        }
        return out
    }

    func boxUpsideDown(_ b: Box) -> Box {
        Box(x0: width - b.x1, y0: height - b.y1, x1: width - b.x0, y1: height - b.y0)
    }

    /// The page rotated about its centre so that lines rise to the right by `degrees` (nearest
    /// neighbour), and the axis-aligned box a box's corners go to.
    func skewed(_ degrees: Double) -> SyntheticPage {
        var out = SyntheticPage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let (sx, sy) = rotate(Double(x) + 0.5, Double(y) + 0.5, -degrees, inverse: true)
                let ix = Int(sx.rounded(.down)), iy = Int(sy.rounded(.down))
                guard ix >= 0, iy >= 0, ix < width, iy < height else { continue }
                let s = (iy * width + ix) * 3, d = (y * width + x) * 3
                out.rgb[d] = rgb[s]; out.rgb[d + 1] = rgb[s + 1]; out.rgb[d + 2] = rgb[s + 2]
            }
        }
        return out
    }

    func boxSkewed(_ b: Box, _ degrees: Double) -> Box {
        let pts = [(b.x0, b.y0), (b.x1, b.y0), (b.x0, b.y1), (b.x1, b.y1)].map {
            rotate(Double($0.0), Double($0.1), -degrees, inverse: false)
        }
        return Box(x0: Int(pts.map(\.0).min()!.rounded()), y0: Int(pts.map(\.1).min()!.rounded()),
                   x1: Int(pts.map(\.0).max()!.rounded()), y1: Int(pts.map(\.1).max()!.rounded()))
    }

    /// Rotation by `degrees` in image coordinates (y down) about the page centre.
    private func rotate(_ x: Double, _ y: Double, _ degrees: Double, inverse: Bool) -> (Double, Double) {
        let t = (inverse ? -degrees : degrees) * Double.pi / 180
        let cx = Double(width) / 2, cy = Double(height) / 2
        let dx = x - cx, dy = y - cy
        return (cx + dx * cos(t) - dy * sin(t), cy + dx * sin(t) + dy * cos(t))
    }
}

