import PageImage

/// Gray value of one RGB pixel with coloured marks (red and blue seals, stamps) pushed towards
/// paper white: a saturated pixel takes its brightest channel, so a red seal becomes light while
/// black text printed under it (dark in every channel) stays dark.
@inline(__always)
func sealSuppressedGray(_ r: Int, _ g: Int, _ b: Int) -> Int {
    let lum = (77 * r + 150 * g + 29 * b) >> 8
    guard isSealColour(r, g, b) else { return lum }
    let mx = max(r, max(g, b)), sat = mx - min(r, min(g, b))
    let t = min(sat - 50, 50)
    return lum + (mx - lum) * t / 50
}

/// Saturated, fairly light red or blue: the ink of seals and stamps. Orange, green or brown
/// print is more often text than stamp, and dark blue is text.
@inline(__always)
func isSealColour(_ r: Int, _ g: Int, _ b: Int) -> Bool {
    let mx = max(r, max(g, b)), sat = mx - min(r, min(g, b))
    guard sat > 50, mx > 120 else { return false }
    return (r == mx && abs(g - b) * 2 < sat) || (b == mx && abs(r - g) * 2 < sat)
}

/// Whether the page has seal-coloured ink worth suppressing: some, but less than its black ink.
/// When most ink is red or blue (a receipt printed in purple, a page typed in blue), the colour
/// is the text, not a stamp on it; with none at all, the gray page serves as it is.
func hasSealsToSuppress(_ rgb: RGBImage) -> Bool {
    var black = 0, coloured = 0
    rgb.pixels.withUnsafeBufferPointer { px in
        var y = 0
        while y < rgb.height {
            var x = 0
            while x < rgb.width {
                let p = (y * rgb.width + x) * 3
                let r = Int(px[p]), g = Int(px[p + 1]), b = Int(px[p + 2])
                let lum = (77 * r + 150 * g + 29 * b) >> 8
                if isSealColour(r, g, b) { if lum < 210 { coloured += 1 } } else if lum < 140 { black += 1 }
                x += 3
            }
            y += 3
        }
    }
    return coloured >= 20 && coloured <= black
}

/// The page reduced to the resolution segmentation works at: averaged over `factor`×`factor`
/// blocks (segmenting lines needs no more than ~150 dpi), seals suppressed when colour is used
/// (on the averaged colour, so the per-pixel cost is a sum per channel).
func makeWorkingImage(_ page: PageBitmap, factor: Int, suppressSeals useRGB: Bool) -> GrayImage {
    let sw = page.gray.width, sh = page.gray.height
    let w = max(1, sw / factor), h = max(1, sh / factor)
    var out = [UInt8](repeating: 255, count: w * h)
    let area = factor * factor
    // Division by the block area as a multiply and shift (exact for sums up to 255·area).
    let recip = (1 << 20) / area + 1
    if useRGB, let rgb = page.rgb {
        rgb.pixels.withUnsafeBufferPointer { col in
            out.withUnsafeMutableBufferPointer { dst in
                let stride = sw * 3
                for oy in 0..<h {
                    let rowBase = oy * factor * stride
                    for ox in 0..<w {
                        var r = 0, g = 0, b = 0
                        var rp = rowBase + ox * factor * 3
                        for _ in 0..<factor {
                            var p = rp
                            for _ in 0..<factor {
                                r += Int(col[p]); g += Int(col[p + 1]); b += Int(col[p + 2])
                                p += 3
                            }
                            rp += stride
                        }
                        dst[oy * w + ox] = UInt8(sealSuppressedGray((r * recip) >> 20, (g * recip) >> 20, (b * recip) >> 20))
                    }
                }
            }
        }
        return GrayImage(width: w, height: h, pixels: out)
    }
    page.gray.pixels.withUnsafeBufferPointer { gray in
        out.withUnsafeMutableBufferPointer { dst in
            for oy in 0..<h {
                let rowBase = oy * factor * sw
                for ox in 0..<w {
                    var v = 0
                    var rp = rowBase + ox * factor
                    for _ in 0..<factor {
                        for k in 0..<factor { v += Int(gray[rp + k]) }
                        rp += sw
                    }
                    dst[oy * w + ox] = UInt8((v * recip) >> 20)
                }
            }
        }
    }
    return GrayImage(width: w, height: h, pixels: out)
}

/// Paper brightness estimated on a coarse grid (the brightest pixel of each block, spread over
/// neighbouring blocks so text-dense blocks still see paper), used to flatten uneven lighting
/// and shadows in photos before binarising, and to normalise line crops the same way.
struct BackgroundField: Sendable {
    let block: Int
    let cols: Int
    let rows: Int
    /// Paper level per block, 1...255.
    let level: [UInt8]
    /// Global stretch applied after flattening: output = (v - black) * 255 / (255 - black).
    let black: Int
    /// True when the page is already evenly lit paper and flattening would change nothing.
    let isFlat: Bool

    init(_ img: GrayImage, block: Int) {
        self.block = block
        let cols = (img.width + block - 1) / block, rows = (img.height + block - 1) / block
        self.cols = cols
        self.rows = rows
        var maxima = [UInt8](repeating: 0, count: cols * rows)
        img.pixels.withUnsafeBufferPointer { px in
            maxima.withUnsafeMutableBufferPointer { mx in
                for y in 0..<img.height {
                    let br = (y / block) * cols
                    var x = 0, c = 0
                    while x < img.width {
                        let end = min(img.width, x + block)
                        var m = mx[br + c]
                        while x < end { m = max(m, px[y * img.width + x]); x += 1 }
                        mx[br + c] = m
                        c += 1
                    }
                }
            }
        }
        let spread = BackgroundField.dilate(maxima, cols: cols, rows: rows, radius: 2).map { max($0, 1) }
        let flat = spread.allSatisfy { $0 >= 235 }
        level = spread
        isFlat = flat
        black = BackgroundField.blackPoint(img, level: spread, isFlat: flat, block: block, cols: cols)
    }

    private static func dilate(_ v: [UInt8], cols: Int, rows: Int, radius: Int) -> [UInt8] {
        var tmp = v, out = v
        for r in 0..<rows {
            for c in 0..<cols {
                var m: UInt8 = 0
                for k in max(0, c - radius)...min(cols - 1, c + radius) { m = max(m, v[r * cols + k]) }
                tmp[r * cols + c] = m
            }
        }
        for r in 0..<rows {
            for c in 0..<cols {
                var m: UInt8 = 0
                for k in max(0, r - radius)...min(rows - 1, r + radius) { m = max(m, tmp[k * cols + c]) }
                out[r * cols + c] = m
            }
        }
        return out
    }

    /// The 0.5th percentile of the flattened page: ink of faded scans is stretched down to black.
    private static func blackPoint(_ img: GrayImage, level: [UInt8], isFlat: Bool, block: Int, cols: Int) -> Int {
        var hist = [Int](repeating: 0, count: 256)
        let step = max(1, img.width * img.height / 200_000)
        var i = 0
        while i < img.pixels.count {
            let x = i % img.width, y = i / img.width
            let bg = isFlat ? 255 : Int(level[(y / block) * cols + x / block])
            hist[min(255, Int(img.pixels[i]) * 255 / bg)] += 1
            i += step
        }
        let total = hist.reduce(0, +)
        var seen = 0
        for v in 0..<256 {
            seen += hist[v]
            if seen * 200 >= total { return min(v, 160) }
        }
        return 0
    }

    /// Paper level at a working-image point, interpolated between block centres.
    @inline(__always)
    func paper(atX x: Double, y: Double) -> Double {
        if isFlat { return 255 }
        let fx = min(max(x / Double(block) - 0.5, 0), Double(cols - 1))
        let fy = min(max(y / Double(block) - 0.5, 0), Double(rows - 1))
        let c0 = Int(fx), r0 = Int(fy)
        let c1 = min(c0 + 1, cols - 1), r1 = min(r0 + 1, rows - 1)
        let tx = fx - Double(c0), ty = fy - Double(r0)
        let top = Double(level[r0 * cols + c0]) * (1 - tx) + Double(level[r0 * cols + c1]) * tx
        let bot = Double(level[r1 * cols + c0]) * (1 - tx) + Double(level[r1 * cols + c1]) * tx
        return top * (1 - ty) + bot * ty
    }

    /// Maps a raw gray value seen on paper of level `paper` to the normalised scale.
    @inline(__always)
    func normalise(_ v: Double, paper: Double) -> UInt8 {
        let flat = min(255, v * 255 / max(paper, 1))
        let s = (flat - Double(black)) * 255 / Double(255 - black)
        return UInt8(min(255, max(0, s)))
    }

    /// The working image flattened and stretched.
    func apply(_ img: GrayImage) -> GrayImage {
        if isFlat && black == 0 { return img }
        var out = img
        let w = img.width
        out.pixels.withUnsafeMutableBufferPointer { px in
            var rowPaper = [Double](repeating: 255, count: w)
            for y in 0..<img.height {
                if !isFlat {
                    for x in 0..<w { rowPaper[x] = paper(atX: Double(x) + 0.5, y: Double(y) + 0.5) }
                }
                for x in 0..<w {
                    px[y * w + x] = normalise(Double(px[y * w + x]), paper: rowPaper[x])
                }
            }
        }
        return out
    }
}
