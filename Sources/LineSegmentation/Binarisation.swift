import PageImage

/// A 1-bit page: 1 = ink, 0 = paper; row-major, no padding.
struct BinaryImage: Sendable {
    let width: Int
    let height: Int
    var bits: [UInt8]
}

/// Sauvola thresholding, T = m · (1 + k · (s / 128 − 1)), with the local mean m and standard
/// deviation s taken over a window of `radius` blocks around each `block`-sized block; the block
/// sums come from an integral image over the block grid, so the cost is one pass over the pixels
/// whatever the window size. Pixels darker than `darkFloor` are ink whatever their window says:
/// inside a large uniform dark area (a header bar, a black box) Sauvola's threshold falls below
/// the area's own level and would call it paper.
func sauvolaBinarise(_ img: GrayImage, block: Int = 8, radius: Int = 2, k: Double = 0.25,
                     darkFloor: UInt8 = 128) -> BinaryImage {
    let w = img.width, h = img.height
    let cols = (w + block - 1) / block, rows = (h + block - 1) / block
    var sum = [Double](repeating: 0, count: cols * rows)
    var sq = [Double](repeating: 0, count: cols * rows)
    var cnt = [Double](repeating: 0, count: cols * rows)
    img.pixels.withUnsafeBufferPointer { px in
        for y in 0..<h {
            let br = (y / block) * cols
            var x = 0
            while x < w {
                let end = min(w, x + block)
                var s = 0, q = 0
                for i in x..<end {
                    let v = Int(px[y * w + i])
                    s += v
                    q += v * v
                }
                let bi = br + x / block
                sum[bi] += Double(s)
                sq[bi] += Double(q)
                cnt[bi] += Double(end - x)
                x = end
            }
        }
    }
    let iS = integral(sum, cols: cols, rows: rows)
    let iQ = integral(sq, cols: cols, rows: rows)
    let iN = integral(cnt, cols: cols, rows: rows)
    var threshold = [UInt8](repeating: 0, count: cols * rows)
    for r in 0..<rows {
        for c in 0..<cols {
            let r0 = max(0, r - radius), r1 = min(rows, r + radius + 1)
            let c0 = max(0, c - radius), c1 = min(cols, c + radius + 1)
            let n = boxSum(iN, cols, r0, r1, c0, c1)
            let m = boxSum(iS, cols, r0, r1, c0, c1) / n
            let variance = max(0, boxSum(iQ, cols, r0, r1, c0, c1) / n - m * m)
            let t = m * (1 + k * (variance.squareRoot() / 128 - 1))
            threshold[r * cols + c] = UInt8(min(255, max(0, t)))
        }
    }
    var bits = [UInt8](repeating: 0, count: w * h)
    img.pixels.withUnsafeBufferPointer { px in
        bits.withUnsafeMutableBufferPointer { out in
            for y in 0..<h {
                let br = (y / block) * cols
                var x = 0, c = 0
                while x < w {
                    let t = max(threshold[br + c], darkFloor)
                    let end = min(w, x + block)
                    while x < end {
                        out[y * w + x] = px[y * w + x] < t ? 1 : 0
                        x += 1
                    }
                    c += 1
                }
            }
        }
    }
    return BinaryImage(width: w, height: h, bits: bits)
}

/// Summed-area table with a zero first row and column: (rows+1) × (cols+1).
private func integral(_ v: [Double], cols: Int, rows: Int) -> [Double] {
    var out = [Double](repeating: 0, count: (cols + 1) * (rows + 1))
    for r in 0..<rows {
        var run = 0.0
        for c in 0..<cols {
            run += v[r * cols + c]
            out[(r + 1) * (cols + 1) + c + 1] = out[r * (cols + 1) + c + 1] + run
        }
    }
    return out
}

@inline(__always)
private func boxSum(_ t: [Double], _ cols: Int, _ r0: Int, _ r1: Int, _ c0: Int, _ c1: Int) -> Double {
    let s = cols + 1
    return t[r1 * s + c1] - t[r0 * s + c1] - t[r1 * s + c0] + t[r0 * s + c0]
}
