/// Splits blobs where two rows of text touch (a descender resting on the ascender below, common
/// at ~150 dpi in tightly set text): a blob about two characters tall whose ink, row by row,
/// narrows to a thin neck near its middle is cut there into an upper and a lower part. Glyphs that
/// are tall by design (brackets, bars) have an even profile and stay whole.
func splitTouchingRows(_ comps: [Component], ink: BinaryImage, characterHeight med: Double) -> [Component] {
    var out: [Component] = []
    out.reserveCapacity(comps.count)
    for c in comps {
        let h = Double(c.height), w = Double(c.width)
        guard h >= 1.6 * med, h <= 4.5 * med, w <= 30 * med, let cut = neckRow(c, ink, med: med) else {
            out.append(c)
            continue
        }
        for part in [(Int(c.y0), cut - 1), (cut + 1, Int(c.y1))] {
            if let p = inkBounds(c, ink, rows: part) { out.append(p) }
        }
    }
    return out
}

/// The row to cut at, or nil when the blob's profile has no thin neck in its middle half.
private func neckRow(_ c: Component, _ ink: BinaryImage, med: Double) -> Int? {
    let w = ink.width
    var counts: [Int] = []
    counts.reserveCapacity(c.height)
    for y in Int(c.y0)...Int(c.y1) {
        var n = 0
        for x in Int(c.x0)...Int(c.x1) { n += Int(ink.bits[y * w + x]) }
        counts.append(n)
    }
    let typical = counts.sorted()[counts.count / 2]
    let lo = Int(0.5 * med), hi = counts.count - Int(0.5 * med)
    guard lo < hi else { return nil }
    var best = lo
    for i in lo..<hi where counts[i] < counts[best] { best = i }
    guard Double(counts[best]) <= 0.3 * Double(typical) else { return nil }
    // Cut in the middle of the thinnest stretch, between the two rows rather than at one's edge.
    var end = best
    while end + 1 < hi && counts[end + 1] == counts[best] { end += 1 }
    return Int(c.y0) + (best + end) / 2
}

/// The bounds and area of the ink within the component's box over the given rows.
private func inkBounds(_ c: Component, _ ink: BinaryImage, rows: (Int, Int)) -> Component? {
    guard rows.0 <= rows.1 else { return nil }
    let w = ink.width
    var x0 = Int.max, x1 = Int.min, y0 = Int.max, y1 = Int.min, area = 0
    for y in rows.0...rows.1 {
        for x in Int(c.x0)...Int(c.x1) where ink.bits[y * w + x] != 0 {
            x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
            area += 1
        }
    }
    guard area > 0 else { return nil }
    return Component(x0: Int32(x0), y0: Int32(y0), x1: Int32(x1), y1: Int32(y1), area: Int32(area))
}
