import Foundation

/// Whether the text runs vertically in the working image (page turned by 90° or 270°). Each
/// blob looks for its nearest neighbour beside it (overlapping it vertically) and above or below
/// it (overlapping it horizontally), by the gap between their edges: in horizontal text the
/// neighbour beside is nearer, since letters and words sit closer than lines do (the docstrum
/// observation). Edge gaps rather than centre distances keep this true where letters touch and
/// whole words are single blobs (faxes, low-resolution scans).
func textRunsVertically(_ comps: [Component], characterHeight med: Double) -> Bool {
    let blobs = comps.filter { c in
        Double(min(c.width, c.height)) >= 0.3 * med && Double(max(c.width, c.height)) <= 30 * med
    }
    guard blobs.count >= 12 else { return false }
    let cell = max(4.0, 4 * med), reach = 2 * med
    let grid = BlobGrid(blobs, cell: cell)
    // Blobs already looked at for the current one (a blob spans several cells): a stamp per blob
    // instead of a set per blob.
    var seenBy = [Int32](repeating: -1, count: blobs.count)
    var horizontal = 0, vertical = 0
    for (i, a) in blobs.enumerated() {
        var beside = Double.infinity, above = Double.infinity
        let gy0 = grid.index(Double(a.y0) - reach, grid.rows), gy1 = grid.index(Double(a.y1) + reach, grid.rows)
        let gx0 = grid.index(Double(a.x0) - reach, grid.cols), gx1 = grid.index(Double(a.x1) + reach, grid.cols)
        for gy in gy0...gy1 {
            for gx in gx0...gx1 {
                let c = gy * grid.cols + gx
                for k in grid.start[c]..<grid.start[c + 1] {
                    let j = Int(grid.members[k])
                    guard j != i, seenBy[j] != Int32(i) else { continue }
                    seenBy[j] = Int32(i)
                    let b = blobs[j]
                    let gapX = Double(max(b.x0 - a.x1, a.x0 - b.x1)), gapY = Double(max(b.y0 - a.y1, a.y0 - b.y1))
                    if gapY < 0 && gapX >= 0 { beside = min(beside, gapX) }
                    if gapX < 0 && gapY >= 0 { above = min(above, gapY) }
                }
            }
        }
        guard beside.isFinite || above.isFinite, beside != above else { continue }
        if beside < above { horizontal += 1 } else { vertical += 1 }
    }
    return vertical > horizontal * 3 / 2 && vertical >= 8
}

/// Blobs filed by the square cells of a grid they overlap, in one flat array (cell by cell) with
/// each cell's start: the neighbour search of a page's thousands of blobs without hashing.
private struct BlobGrid {
    let cell: Double
    let cols: Int
    let rows: Int
    var start: [Int]
    var members: [Int32]

    init(_ blobs: [Component], cell: Double) {
        self.cell = cell
        let maxX = blobs.map { Int($0.x1) }.max() ?? 0, maxY = blobs.map { Int($0.y1) }.max() ?? 0
        cols = Int(Double(maxX) / cell) + 1
        rows = Int(Double(maxY) / cell) + 1
        var count = [Int](repeating: 0, count: cols * rows + 1)
        for b in blobs { Self.visit(b, cell: cell, cols: cols) { count[$0 + 1] += 1 } }
        for c in 0..<(cols * rows) { count[c + 1] += count[c] }
        start = count
        var fill = count
        members = [Int32](repeating: 0, count: count[cols * rows])
        for (i, b) in blobs.enumerated() {
            Self.visit(b, cell: cell, cols: cols) { c in
                members[fill[c]] = Int32(i)
                fill[c] += 1
            }
        }
    }

    /// The cell row or column of a coordinate, clamped to the grid (no blob lies outside it).
    func index(_ v: Double, _ count: Int) -> Int { min(count - 1, max(0, Int(v / cell))) }

    private static func visit(_ b: Component, cell: Double, cols: Int, _ body: (Int) -> Void) {
        for gy in Int(Double(b.y0) / cell)...Int(Double(b.y1) / cell) {
            for gx in Int(Double(b.x0) / cell)...Int(Double(b.x1) / cell) { body(gy * cols + gx) }
        }
    }
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

/// Whether upright-looking lines are upside down: in Latin script most letters sit on the
/// baseline while their tops vary (x-height, ascenders), so in upright text the bottoms of a
/// line's characters align better than their tops. Lines of capitals, digits or CJK give no
/// evidence either way, so the verdict needs a clear margin over all glyphs looked at; without
/// it the page is taken as upright.
func looksUpsideDown(_ lines: [[FrameRect]]) -> Bool {
    var evidence = 0, glyphs = 0
    for line in lines where line.count >= 6 {
        let lineH = line.map(\.height).sorted()[line.count / 2]
        let tol = max(1.0, 0.12 * lineH)
        evidence += mode(line.map(\.y0).sorted(), tol) - mode(line.map(\.y1).sorted(), tol)
        glyphs += line.count
    }
    return evidence >= 20 && Double(evidence) >= 0.15 * Double(glyphs)
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
