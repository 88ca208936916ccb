import Foundation

/// Whether the text runs vertically in the working image (page turned by 90° or 270°): in
/// horizontal text a character's nearest neighbour is almost always the next character of its
/// line, since letters sit closer together than lines do (the docstrum observation).
func textRunsVertically(_ comps: [Component], characterHeight med: Double) -> Bool {
    let chars = comps.filter { c in
        let h = Double(c.height), w = Double(c.width)
        return h >= 0.4 * med && h <= 2.5 * med && w <= 2.5 * med && w >= 0.2 * med
    }
    guard chars.count >= 12 else { return false }
    let cell = max(2.0, 2 * med)
    var grid: [Int: [Int]] = [:]
    func key(_ cx: Int, _ cy: Int) -> Int { cy &* 1_000_003 &+ cx }
    let centres = chars.map { (Double($0.x0 + $0.x1) / 2, Double($0.y0 + $0.y1) / 2) }
    for (i, p) in centres.enumerated() {
        grid[key(Int(p.0 / cell), Int(p.1 / cell)), default: []].append(i)
    }
    var horizontal = 0, vertical = 0
    for (i, p) in centres.enumerated() {
        let cx = Int(p.0 / cell), cy = Int(p.1 / cell)
        var best = Double.infinity, bdx = 0.0, bdy = 0.0
        for gy in (cy - 1)...(cy + 1) {
            for gx in (cx - 1)...(cx + 1) {
                for j in grid[key(gx, gy)] ?? [] where j != i {
                    let dx = centres[j].0 - p.0, dy = centres[j].1 - p.1
                    let d = dx * dx + dy * dy
                    if d < best { best = d; bdx = dx; bdy = dy }
                }
            }
        }
        guard best.isFinite else { continue }
        if abs(bdx) > abs(bdy) { horizontal += 1 } else { vertical += 1 }
    }
    return vertical > horizontal * 3 / 2 && vertical >= 8
}

/// Skew of the text lines in degrees (positive = rising to the right), searched within
/// ±`maxDegrees`: the angle at which the character bottoms, projected across the lines,
/// pile up into the sharpest histogram (Postl's projection-profile criterion), coarse to fine.
func estimateSkew(bottoms: [(x: Double, y: Double)], maxDegrees: Double, characterHeight med: Double) -> Double {
    guard bottoms.count >= 10, maxDegrees > 0 else { return 0 }
    let maxX = bottoms.map(\.x).max() ?? 0, maxY = bottoms.map(\.y).max() ?? 0
    let reach = maxX + maxY + 4
    var hist = [Int32](repeating: 0, count: Int(2 * reach) + 8)
    func sharpness(_ deg: Double, bin: Double) -> Double {
        let t = deg * .pi / 180
        let s = sin(t), c = cos(t)
        var e = 0.0
        hist.withUnsafeMutableBufferPointer { hb in
            for p in bottoms {
                let i = Int(((p.x * s + p.y * c + reach) / bin).rounded(.down))
                e += Double(2 * hb[i] + 1)
                hb[i] += 1
            }
            for p in bottoms { hb[Int(((p.x * s + p.y * c + reach) / bin).rounded(.down))] = 0 }
        }
        return e
    }
    func search(_ centre: Double, _ halfRange: Double, _ step: Double, bin: Double) -> Double {
        var best = centre, bestScore = -1.0
        var a = centre - halfRange
        while a <= centre + halfRange + 1e-9 {
            let sc = sharpness(a, bin: bin)
            // Ties go to the angle nearest zero, so text-free pages are not turned.
            if sc > bestScore + 1e-9 || (abs(sc - bestScore) <= 1e-9 && abs(a) < abs(best)) {
                bestScore = sc
                best = a
            }
            a += step
        }
        return best
    }
    let coarse = search(0, maxDegrees, 0.5, bin: max(2, med / 2))
    let middle = search(coarse, 0.5, 0.1, bin: 2)
    let fine = search(middle, 0.1, 0.02, bin: 1)
    return abs(fine) < 0.05 ? 0 : min(maxDegrees, max(-maxDegrees, fine))
}

/// Evidence that upright-looking lines are upside down: in Latin script most letters sit on the
/// baseline while their tops vary (x-height, ascenders), so in upright text the bottoms of a
/// line's characters align better than their tops. Positive = upside down. Lines of capitals,
/// digits or CJK give no evidence either way.
func upsideDownEvidence(_ lines: [[FrameRect]]) -> Int {
    var evidence = 0
    for glyphs in lines where glyphs.count >= 6 {
        let lineH = glyphs.map(\.height).sorted()[glyphs.count / 2]
        let tol = max(1.0, 0.12 * lineH)
        let tops = glyphs.map(\.y0).sorted(), bottoms = glyphs.map(\.y1).sorted()
        let topMode = mode(tops, tol), bottomMode = mode(bottoms, tol)
        evidence += topMode - bottomMode
    }
    return evidence
}

/// The largest number of sorted values within a window of width 2·tol.
private func mode(_ v: [Double], _ tol: Double) -> Int {
    var best = 0, j = 0
    for i in 0..<v.count {
        while v[i] - v[j] > 2 * tol { j += 1 }
        best = max(best, i - j + 1)
    }
    return best
}
