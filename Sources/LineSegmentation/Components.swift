/// A connected blob of ink in the working image (8-connected), inclusive pixel bounds.
struct Component: Sendable, Hashable {
    var x0: Int32
    var y0: Int32
    var x1: Int32
    var y1: Int32
    var area: Int32

    var width: Int { Int(x1 - x0) + 1 }
    var height: Int { Int(y1 - y0) + 1 }
    /// Share of the bounding box that is ink.
    var fill: Double { Double(area) / Double(width * height) }
}

/// Connected components by run-length labelling: runs of ink per row, joined with the runs of
/// the row above that touch them (8-connectivity) through union–find; no per-pixel label image.
func connectedComponents(_ img: BinaryImage) -> [Component] {
    let w = img.width, h = img.height
    var runStart: [Int32] = [], runEnd: [Int32] = [], runRow: [Int32] = []
    var parent: [Int32] = []
    var prevFirst = 0, prevCount = 0
    img.bits.withUnsafeBufferPointer { bits in
        for y in 0..<h {
            let first = runStart.count
            var x = 0
            let row = y * w
            while x < w {
                if bits[row + x] == 0 {
                    // Paper dominates a page: skip it eight pixels at a time.
                    if x + 8 <= w, UnsafeRawPointer(bits.baseAddress! + row + x).loadUnaligned(as: UInt64.self) == 0 {
                        x += 8
                    } else {
                        x += 1
                    }
                    continue
                }
                let s = x
                while x < w && bits[row + x] != 0 { x += 1 }
                let id = Int32(runStart.count)
                runStart.append(Int32(s)); runEnd.append(Int32(x - 1)); runRow.append(Int32(y))
                parent.append(id)
            }
            // Join with touching runs of the previous row (both lists are sorted by x).
            var p = prevFirst
            let pEnd = prevFirst + prevCount
            for r in first..<runStart.count {
                while p < pEnd && runEnd[p] < runStart[r] - 1 { p += 1 }
                var q = p
                while q < pEnd && runStart[q] <= runEnd[r] + 1 {
                    union(&parent, Int32(r), Int32(q))
                    q += 1
                }
            }
            prevFirst = first
            prevCount = runStart.count - first
        }
    }
    var slot = [Int32](repeating: -1, count: parent.count)
    var comps: [Component] = []
    for r in 0..<parent.count {
        let root = Int(find(&parent, Int32(r)))
        let y = runRow[r], s = runStart[r], e = runEnd[r]
        if slot[root] < 0 {
            slot[root] = Int32(comps.count)
            comps.append(Component(x0: s, y0: y, x1: e, y1: y, area: 0))
        }
        let i = Int(slot[root])
        comps[i].x0 = min(comps[i].x0, s)
        comps[i].x1 = max(comps[i].x1, e)
        comps[i].y0 = min(comps[i].y0, y)
        comps[i].y1 = max(comps[i].y1, y)
        comps[i].area += e - s + 1
    }
    return comps
}

@inline(__always)
func find(_ parent: inout [Int32], _ i: Int32) -> Int32 {
    var i = i
    while parent[Int(i)] != i {
        parent[Int(i)] = parent[Int(parent[Int(i)])]
        i = parent[Int(i)]
    }
    return i
}

@inline(__always)
func union(_ parent: inout [Int32], _ a: Int32, _ b: Int32) {
    let ra = find(&parent, a), rb = find(&parent, b)
    if ra != rb {
        if ra < rb { parent[Int(rb)] = ra } else { parent[Int(ra)] = rb }
    }
}

/// Median height of components that look like characters (not specks, not page-sized blobs).
func medianCharacterHeight(_ comps: [Component], pageHeight: Int) -> Double {
    var hs: [Int] = []
    hs.reserveCapacity(comps.count)
    for c in comps where c.height >= 4 && c.height < pageHeight / 8 && c.area >= 8 && c.width < 8 * c.height {
        hs.append(c.height)
    }
    guard !hs.isEmpty else { return 12 }
    hs.sort()
    return Double(hs[hs.count / 2])
}

/// Character height on pages whose characters are broken into pieces stacked above each other
/// (dot-matrix and faint thermal print, thin strokes lost in binarisation): there the median
/// component is a fraction of a character, and grouping at that scale cuts every line into an
/// upper and a lower half. Pieces that share their horizontal extent and nearly touch vertically
/// are put back together (never taller than a few pieces, so rows cannot chain), and the median of
/// the result is the height when it is clearly larger; a small change (the dot of an i, accents)
/// is no sign of broken print and the piece median stands.
func characterHeight(_ comps: [Component], pieceHeight med: Double, pageHeight: Int) -> Double {
    // Rules and underlines are no pieces of characters, and leaving them out bounds the scan below.
    let p = comps.filter { $0.height < pageHeight / 8 && Double($0.width) <= 8 * med && $0.area >= 2 }
        .sorted { $0.x0 < $1.x0 }
    guard p.count >= 2 else { return med }
    var parent = (0..<Int32(p.count)).map { $0 }
    var extent = p
    let maxGap = max(1, Int32(0.35 * med)), maxHeight = 3 * med
    for i in p.indices {
        var j = i + 1
        while j < p.count && p[j].x0 <= p[i].x1 {
            defer { j += 1 }
            // Pieces farther apart vertically than a merged glyph may be tall never merge; this
            // cheap test skips the other rows of the column before any union-find work.
            guard Double(max(p[i].y1, p[j].y1) - min(p[i].y0, p[j].y0)) < maxHeight else { continue }
            let ri = Int(find(&parent, Int32(i))), rj = Int(find(&parent, Int32(j)))
            guard ri != rj else { continue }
            let a = extent[ri], b = extent[rj]
            let hov = Double(min(a.x1, b.x1) - max(a.x0, b.x0) + 1) / Double(min(a.width, b.width))
            let vgap = max(a.y0, b.y0) - min(a.y1, b.y1) - 1
            let u = Component(x0: min(a.x0, b.x0), y0: min(a.y0, b.y0), x1: max(a.x1, b.x1),
                              y1: max(a.y1, b.y1), area: a.area + b.area)
            guard hov >= 0.5, vgap <= maxGap, Double(u.height) <= maxHeight else { continue }
            union(&parent, Int32(ri), Int32(rj))
            extent[Int(find(&parent, Int32(ri)))] = u
        }
    }
    let glyphs = p.indices.filter { find(&parent, Int32($0)) == Int32($0) }.map { extent[$0] }
    let assembled = medianCharacterHeight(glyphs, pageHeight: pageHeight)
    return assembled >= 1.4 * med ? assembled : med
}
