import PageImage

/// Local paper and ink levels on a coarse grid, for a CLAHE-like normalisation: every pixel is
/// stretched between the ink and paper levels around it, which flattens uneven lighting and
/// shadows in photos and brings faint print (thermal receipts, light copies) up to full contrast.
/// Where a neighbourhood is blank paper, the ink level is held at least `minContrast` below the
/// paper, so noise and the faint remains of suppressed seals are not stretched into ink.
struct LocalContrast: Sendable {
    let block: Int
    let cols: Int
    let rows: Int
    /// Paper level per block (brightest pixel nearby), 1...255.
    let paper: [Float]
    /// Ink level per block (darkest pixel nearby, clamped to paper − minContrast).
    let ink: [Float]
    /// True when every neighbourhood is white paper with black ink, or blank: nothing to change.
    let isIdentity: Bool
    /// Whether the page was judged faded (local stretch) rather than crisp (global black point).
    let faded: Bool

    init(_ img: GrayImage, block: Int = 16, radius: Int = 2, minContrast: Float = 64) {
        self.block = block
        let cols = (img.width + block - 1) / block, rows = (img.height + block - 1) / block
        self.cols = cols
        self.rows = rows
        var maxima = [UInt8](repeating: 0, count: cols * rows)
        var minima = [UInt8](repeating: 255, count: cols * rows)
        img.pixels.withUnsafeBufferPointer { px in
            for y in 0..<img.height {
                let br = (y / block) * cols
                var x = 0, c = 0
                while x < img.width {
                    let end = min(img.width, x + block)
                    var hi = maxima[br + c], lo = minima[br + c]
                    while x < end {
                        let v = px[y * img.width + x]
                        hi = max(hi, v); lo = min(lo, v)
                        x += 1
                    }
                    maxima[br + c] = hi
                    minima[br + c] = lo
                    c += 1
                }
            }
        }
        let p = spread(maxima, cols: cols, rows: rows, radius: radius, pick: max).map { Float(max($0, 1)) }
        let darkest = spread(minima, cols: cols, rows: rows, radius: radius, pick: min)
        // Local stretching only pays on faded pages, where much of the ink is faint; on crisp
        // pages it would only darken light shading and anti-aliasing into ink.
        let faded = LocalContrast.isFaded(paper: p, darkest: darkest)
        self.faded = faded
        // Elsewhere one global black point (the 0.5th percentile, at most 160) stretches gray
        // print to black, which raises its local contrast for Sauvola.
        let black = faded ? 0 : Float(blackPoint(img))
        let i = zip(p, darkest).map { faded ? min(Float($1), max(0, $0 - minContrast)) : min(black, $0 - minContrast) }
        paper = p
        ink = i
        isIdentity = !faded && black == 0 && p.allSatisfy { $0 >= 250 }
    }

    /// Whether at least a third of the blocks with visible ink hold only faint ink (less than
    /// a third of the paper's brightness darker than the paper).
    static func isFaded(paper: [Float], darkest: [UInt8]) -> Bool {
        var inked = 0, faint = 0
        for (pa, dk) in zip(paper, darkest) {
            let contrast = pa - Float(dk)
            guard contrast >= 24 else { continue }
            inked += 1
            if contrast < pa / 3 { faint += 1 }
        }
        return inked > 0 && faint * 3 >= inked
    }

    /// Paper and ink levels at a working-image point, interpolated between block centres.
    @inline(__always)
    func levels(atX x: Float, y: Float) -> (paper: Float, ink: Float) {
        let fx = min(max(x / Float(block) - 0.5, 0), Float(cols - 1))
        let fy = min(max(y / Float(block) - 0.5, 0), Float(rows - 1))
        let c0 = Int(fx), r0 = Int(fy)
        let c1 = min(c0 + 1, cols - 1), r1 = min(r0 + 1, rows - 1)
        let tx = fx - Float(c0), ty = fy - Float(r0)
        func lerp(_ g: [Float]) -> Float {
            let top = g[r0 * cols + c0] * (1 - tx) + g[r0 * cols + c1] * tx
            let bot = g[r1 * cols + c0] * (1 - tx) + g[r1 * cols + c1] * tx
            return top * (1 - ty) + bot * ty
        }
        return (lerp(paper), lerp(ink))
    }

    @inline(__always)
    static func stretch(_ v: Float, paper: Float, ink: Float) -> UInt8 {
        let s = (v - ink) * 255 / max(1, paper - ink)
        return UInt8(min(255, max(0, s)))
    }

    /// The working image normalised: by a lookup table when the paper is even and the black
    /// point global, else with levels interpolated along each row from the block grid.
    func apply(_ img: GrayImage) -> GrayImage {
        if isIdentity { return img }
        var out = img
        let w = img.width
        if !faded && paper.allSatisfy({ $0 >= 250 }) {
            let lut = (0..<256).map { LocalContrast.stretch(Float($0), paper: 255, ink: ink.first ?? 0) }
            out.pixels.withUnsafeMutableBufferPointer { px in
                for i in 0..<px.count { px[i] = lut[Int(px[i])] }
            }
            return out
        }
        var offset = [Float](repeating: 0, count: w), gain = [Float](repeating: 1, count: w)
        var colPaper = [Float](repeating: 0, count: cols), colInk = [Float](repeating: 0, count: cols)
        // Horizontal interpolation weights are the same on every row.
        var c0s = [Int](repeating: 0, count: w), c1s = [Int](repeating: 0, count: w), txs = [Float](repeating: 0, count: w)
        for x in 0..<w {
            let fx = min(max((Float(x) + 0.5) / Float(block) - 0.5, 0), Float(cols - 1))
            c0s[x] = Int(fx); c1s[x] = min(c0s[x] + 1, cols - 1); txs[x] = fx - Float(c0s[x])
        }
        out.pixels.withUnsafeMutableBufferPointer { px in
            for y in 0..<img.height {
                let fy = min(max((Float(y) + 0.5) / Float(block) - 0.5, 0), Float(rows - 1))
                let r0 = Int(fy), r1 = min(r0 + 1, rows - 1), ty = fy - Float(r0)
                for c in 0..<cols {
                    colPaper[c] = paper[r0 * cols + c] * (1 - ty) + paper[r1 * cols + c] * ty
                    colInk[c] = ink[r0 * cols + c] * (1 - ty) + ink[r1 * cols + c] * ty
                }
                for x in 0..<w {
                    let tx = txs[x]
                    let pa = colPaper[c0s[x]] * (1 - tx) + colPaper[c1s[x]] * tx
                    let ik = colInk[c0s[x]] * (1 - tx) + colInk[c1s[x]] * tx
                    offset[x] = ik
                    gain[x] = 255 / max(1, pa - ik)
                }
                let row = y * w
                for x in 0..<w {
                    let v = (Float(px[row + x]) - offset[x]) * gain[x]
                    px[row + x] = UInt8(min(255, max(0, v)))
                }
            }
        }
        return out
    }
}

/// Max (or min) over a (2·radius+1)² neighbourhood of blocks, separably.
private func spread(_ v: [UInt8], cols: Int, rows: Int, radius: Int, pick: (UInt8, UInt8) -> UInt8) -> [UInt8] {
    var tmp = v, out = v
    for r in 0..<rows {
        for c in 0..<cols {
            var m = v[r * cols + c]
            for k in max(0, c - radius)...min(cols - 1, c + radius) { m = pick(m, v[r * cols + k]) }
            tmp[r * cols + c] = m
        }
    }
    for r in 0..<rows {
        for c in 0..<cols {
            var m = tmp[r * cols + c]
            for k in max(0, r - radius)...min(rows - 1, r + radius) { m = pick(m, tmp[k * cols + c]) }
            out[r * cols + c] = m
        }
    }
    return out
}

/// The gray level below which 0.5% of the page lies (sampled), at most 160.
private func blackPoint(_ img: GrayImage) -> Int {
    var hist = [Int](repeating: 0, count: 256)
    let step = max(1, img.pixels.count / 200_000)
    var i = 0
    while i < img.pixels.count { hist[Int(img.pixels[i])] += 1; i += step }
    let total = hist.reduce(0, +)
    var seen = 0
    for v in 0..<256 {
        seen += hist[v]
        if seen * 200 >= total { return min(v, 160) }
    }
    return 0
}
