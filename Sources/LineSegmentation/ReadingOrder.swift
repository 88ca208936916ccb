/// Reading order by recursive XY-cut: at each level the region is cut at its widest empty gap,
/// across (between blocks of rows) or down (between columns), and the parts are read top to
/// bottom or left to right. Column gaps must be wider than `minColumnGap`, so words of one row
/// that grouping kept apart are still read left to right.
func readingOrder(_ rects: [FrameRect], minColumnGap: Double) -> [Int] {
    var out: [Int] = []
    out.reserveCapacity(rects.count)
    cut(Array(rects.indices), rects, minColumnGap, &out)
    return out
}

private func cut(_ idx: [Int], _ r: [FrameRect], _ minGap: Double, _ out: inout [Int]) {
    if idx.count <= 1 { out += idx; return }
    let h = widestGap(idx.map { (r[$0].y0, r[$0].y1) })
    let v = widestGap(idx.map { (r[$0].x0, r[$0].x1) })
    if let v, v.size >= minGap, v.size >= (h?.size ?? 0) {
        cut(idx.filter { r[$0].midX < v.at }, r, minGap, &out)
        cut(idx.filter { r[$0].midX >= v.at }, r, minGap, &out)
    } else if let h, h.size > 0 {
        cut(idx.filter { r[$0].midY < h.at }, r, minGap, &out)
        cut(idx.filter { r[$0].midY >= h.at }, r, minGap, &out)
    } else {
        // Overlapping rows with no column gap: read by row, then left to right.
        out += idx.sorted { a, b in
            abs(r[a].midY - r[b].midY) < 0.5 * min(r[a].height, r[b].height)
                ? r[a].x0 < r[b].x0 : r[a].midY < r[b].midY
        }
    }
}

/// The widest empty stretch between the intervals' projections: (position of its middle, size).
private func widestGap(_ spans: [(Double, Double)]) -> (at: Double, size: Double)? {
    let s = spans.sorted { $0.0 < $1.0 }
    var reach = s[0].1
    var best: (at: Double, size: Double)? = nil
    for (lo, hi) in s.dropFirst() {
        if lo > reach, lo - reach > (best?.size ?? 0) { best = ((lo + reach) / 2, lo - reach) }
        reach = max(reach, hi)
    }
    return best
}
