import PageImage

/// Gray value of one RGB pixel with coloured marks (red and blue seals, stamps) pushed towards
/// paper white: a saturated pixel takes its brightest channel, so a red seal becomes light while
/// black text printed under it (dark in every channel) stays dark.
@inline(__always)
func sealSuppressedGray(_ r: Int, _ g: Int, _ b: Int) -> Int {
    let lum = (77 * r + 150 * g + 29 * b) >> 8
    guard isSealColour(r, g, b) else { return lum }
    let mx = max(r, max(g, b)), sat = mx - min(r, min(g, b))
    // The brightest channel, not white: a bright red seal becomes near-paper, while dark blue or
    // red print (coloured headings, white text on a blue bar's surround) stays visible as gray.
    let t = min(sat - 50, 50)
    return lum + (mx - lum) * t / 50
}

/// Saturated, fairly light red or blue: the ink of seals and stamps. Orange, green or brown
/// print is more often text than stamp, and dark blue is text.
@inline(__always)
func isSealColour(_ r: Int, _ g: Int, _ b: Int) -> Bool {
    let mx = max(r, max(g, b)), sat = mx - min(r, min(g, b))
    guard sat > 50, mx > 120 else { return false }
    // Hue within about 12° of pure red (seals; the brown-red print of invoice forms lies near 25°
    // and is text), or within 30° of blue (stamps, including violet ones). Blue must also be
    // stamp ink soaked into paper, never pure: pure bright blue is a hyperlink or a heading.
    return (r == mx && abs(g - b) * 5 <= sat) || (b == mx && abs(r - g) * 2 < sat && min(r, g) >= 40)
}

/// Whether the page has seal-coloured ink worth suppressing alongside black text, and near which
/// rows it lies. When nearly all ink is red or blue (a receipt printed in purple, a page typed in
/// blue), the colour is the text, not a stamp on it; with no coloured ink at all, the gray page
/// serves as it is. A big seal on a sparse page can outweigh the text, so black ink need only be a
/// fair share, not a majority.
struct SealSurvey: Sendable {
    var suppress: Bool
    /// Per page row: seal-coloured ink was sampled within a few rows. Only these rows need the
    /// colour pass; elsewhere the gray page is the same as suppressing nothing.
    var nearSeal: [Bool]
}

/// Samples every third pixel of every third row (seals and stamps are large marks).
func surveySeals(_ rgb: RGBImage) -> SealSurvey {
    var black = 0, coloured = 0
    var near = [Bool](repeating: false, count: rgb.height)
    rgb.pixels.withUnsafeBufferPointer { px in
        var y = 0
        while y < rgb.height {
            var x = 0, seen = false
            while x < rgb.width {
                let p = (y * rgb.width + x) * 3
                let r = Int(px[p]), g = Int(px[p + 1]), b = Int(px[p + 2])
                let lum = (77 * r + 150 * g + 29 * b) >> 8
                if isSealColour(r, g, b) {
                    seen = true
                    if lum < 210 { coloured += 1 }
                } else if lum < 140 {
                    black += 1
                }
                x += 3
            }
            // The rows between two samples, and a block's worth more for the averaging.
            if seen { for k in max(0, y - 4)...min(rgb.height - 1, y + 4) { near[k] = true } }
            y += 3
        }
    }
    return SealSurvey(suppress: coloured >= 20 && black * 4 >= coloured, nearSeal: near)
}

/// The page reduced to the resolution segmentation works at: averaged over `factor`×`factor`
/// blocks (segmenting lines needs no more than ~150 dpi). With `seals`, the rows near seal-coloured
/// ink are reduced from the colour page with the seals suppressed (on the averaged colour, so the
/// per-pixel cost is a sum per channel); all other rows from the gray page, which costs a third.
func makeWorkingImage(_ page: PageBitmap, factor: Int, seals: SealSurvey?) -> GrayImage {
    let sw = page.gray.width, sh = page.gray.height
    let w = max(1, sw / factor), h = max(1, sh / factor)
    var out = [UInt8](repeating: 255, count: w * h)
    let colourRows: [Bool] = (0..<h).map { oy in
        guard let seals, page.rgb != nil else { return false }
        return (oy * factor..<min(sh, oy * factor + factor)).contains { seals.nearSeal[$0] }
    }
    out.withUnsafeMutableBufferPointer { dst in
        page.gray.pixels.withUnsafeBufferPointer { gray in
            for oy in 0..<h where !colourRows[oy] {
                reduceGrayRow(gray, sw: sw, w: w, oy: oy, factor: factor, into: dst)
            }
        }
        if let rgb = page.rgb, colourRows.contains(true) {
            rgb.pixels.withUnsafeBufferPointer { col in
                for oy in 0..<h where colourRows[oy] {
                    reduceColourRow(col, sw: sw, w: w, oy: oy, factor: factor, into: dst)
                }
            }
        }
    }
    return GrayImage(width: w, height: h, pixels: out)
}

/// One row of the reduced page, averaged from the gray page.
@inline(__always)
private func reduceGrayRow(_ gray: UnsafeBufferPointer<UInt8>, sw: Int, w: Int, oy: Int, factor: Int,
                           into dst: UnsafeMutableBufferPointer<UInt8>) {
    let o = oy * w
    if factor == 2 {
        // The common case (A4 at 300 dpi), unrolled so the compiler vectorises it.
        let a = 2 * oy * sw, b = a + sw
        for ox in 0..<w {
            let s = Int(gray[a + 2 * ox]) + Int(gray[a + 2 * ox + 1]) + Int(gray[b + 2 * ox]) + Int(gray[b + 2 * ox + 1])
            dst[o + ox] = UInt8(truncatingIfNeeded: s >> 2)
        }
        return
    }
    // Division by the block area as a multiply and shift (exact for sums up to 255·area).
    let recip = (1 << 20) / (factor * factor) + 1
    let rowBase = oy * factor * sw
    for ox in 0..<w {
        var v = 0
        var rp = rowBase + ox * factor
        for _ in 0..<factor {
            for k in 0..<factor { v += Int(gray[rp + k]) }
            rp += sw
        }
        dst[o + ox] = UInt8((v * recip) >> 20)
    }
}

/// One row of the reduced page, averaged from the colour page with seal colours suppressed.
@inline(__always)
private func reduceColourRow(_ col: UnsafeBufferPointer<UInt8>, sw: Int, w: Int, oy: Int, factor: Int,
                             into dst: UnsafeMutableBufferPointer<UInt8>) {
    let stride = sw * 3, o = oy * w
    if factor == 2 {
        let a = 2 * oy * stride, b = a + stride
        for ox in 0..<w {
            let p = a + 6 * ox, q = b + 6 * ox
            let r = Int(col[p]) + Int(col[p + 3]) + Int(col[q]) + Int(col[q + 3])
            let g = Int(col[p + 1]) + Int(col[p + 4]) + Int(col[q + 1]) + Int(col[q + 4])
            let bl = Int(col[p + 2]) + Int(col[p + 5]) + Int(col[q + 2]) + Int(col[q + 5])
            dst[o + ox] = UInt8(truncatingIfNeeded: sealSuppressedGray(r >> 2, g >> 2, bl >> 2))
        }
        return
    }
    let recip = (1 << 20) / (factor * factor) + 1
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
        dst[o + ox] = UInt8(sealSuppressedGray((r * recip) >> 20, (g * recip) >> 20, (b * recip) >> 20))
    }
}
