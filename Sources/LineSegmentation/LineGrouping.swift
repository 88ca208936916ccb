/// A box in working-image pixels, inclusive bounds.
struct WorkBox: Sendable, Hashable {
    var x0: Int, y0: Int, x1: Int, y1: Int

    init(x0: Int, y0: Int, x1: Int, y1: Int) {
        self.x0 = x0; self.y0 = y0; self.x1 = x1; self.y1 = y1
    }

    init(_ c: Component) {
        self.init(x0: Int(c.x0), y0: Int(c.y0), x1: Int(c.x1), y1: Int(c.y1))
    }

    func union(_ o: WorkBox) -> WorkBox {
        WorkBox(x0: min(x0, o.x0), y0: min(y0, o.y0), x1: max(x1, o.x1), y1: max(y1, o.y1))
    }
}

/// A character (or a piece of one) placed in the upright frame.
struct Glyph: Sendable {
    var rect: FrameRect
    var box: WorkBox
    /// Punctuation, dots, accents, strokes: too short to say on their own which line they are on.
    var isSmall = false
}

/// A text line being built: its glyphs, extent in the frame and in the working image.
struct LineCandidate: Sendable {
    var rect: FrameRect
    var box: WorkBox
    var glyphs: [FrameRect]
    var onlySmall: Bool
    /// Text set vertically (glyphs lying on their side, one above the other): the recogniser
    /// turns its crop, whose margin is then a fraction of its width.
    var vertical = false
}

/// Tuning of the grouping, in units of character height.
struct GroupingRules: Sendable {
    /// Widest gap between characters that still belong to one phrase.
    var glyphGap = 0.8
    /// Widest gap between two phrases of one line, in units of the taller phrase's height.
    var phraseGap: Double
}

/// Groups glyphs into text lines in the upright frame: characters chain to their nearest right
/// neighbour on the same row into phrases, phrases in one row join across word-sized gaps, and
/// nothing joins across a vertical ruling. Dots and punctuation go with the line they sit in;
/// on their own (rows of dashes or dots) they are decoration and dropped.
func groupLines(_ all: [Glyph], characterHeight med: Double, barriers: [FrameRect],
                rules: GroupingRules) -> [LineCandidate] {
    let glyphs = withoutDashedRules(all, med: med)
    let order = glyphs.indices.sorted { glyphs[$0].rect.x0 < glyphs[$1].rect.x0 }
    let sorted = order.map { glyphs[$0] }
    var parent = (0..<Int32(sorted.count)).map { $0 }
    var extent = sorted.map(\.rect)
    var tallest = sorted.map(\.rect.height)
    let rows = RowBands(sorted, med: med)
    for i in sorted.indices {
        guard let j = rightNeighbour(of: i, in: sorted, rows: rows, med: med, barriers: barriers, rules: rules) else { continue }
        joinUnlessStacked(&parent, &extent, &tallest, i, j)
    }
    var phrases = collect(sorted, parent: &parent)
    phrases = joinPhrases(phrases, barriers: barriers, rules: rules)
    return attachSmall(phrases, med: med).filter { !isLoneStroke($0) }
}

/// A line that is one glyph, a bare vertical stroke (narrower than 0.15 of its height), is a
/// piece of a ruling or box edge that was too short or too broken to be removed, or a scan's
/// edge: the digits and letters of common fonts are wider than that, "1" by its flag and foot,
/// and only a lone l, I or | on a line of its own is lost.
private func isLoneStroke(_ l: LineCandidate) -> Bool {
    l.glyphs.count == 1 && l.rect.width < 0.15 * l.rect.height
}

/// The nearest glyph to the right of `i` on its row within a word gap (on equal gaps the first in
/// `g`'s order), or nil.
private func rightNeighbour(of i: Int, in g: [Glyph], rows: RowBands, med: Double, barriers: [FrameRect],
                            rules: GroupingRules) -> Int? {
    let a = g[i]
    let reach = rules.glyphGap * max(a.rect.height, med) * 2.5
    var best: Int? = nil, bestGap = Double.infinity
    // Only glyphs reaching within a character of the row can be on it (see RowBands).
    for band in rows.bands(from: a.rect.y0 - med, to: a.rect.y1 + med) {
        let members = rows.members[band]
        var k = rows.firstAfter(i, in: members)
        while k < members.count, g[Int(members[k])].rect.x0 <= a.rect.x1 + reach {
            let j = Int(members[k])
            k += 1
            let b = g[j]
            guard b.rect.midX > a.rect.midX else { continue }
            let gap = b.rect.x0 - a.rect.x1
            guard gap < bestGap || (gap == bestGap && j < best!), sameRow(a, b, med: med) else { continue }
            let ref = (a.isSmall || b.isSmall) ? med : max(a.rect.height, b.rect.height)
            guard gap <= rules.glyphGap * ref else { continue }
            guard gap <= 0 || !crossesBarrier(a.rect, b.rect, barriers) else { continue }
            best = j
            bestGap = gap
        }
    }
    return best
}

/// Glyphs filed by horizontal bands two characters tall, each band's members in the glyphs'
/// order (by left edge): a glyph looks for its right neighbour among those of its own rows only,
/// not among every glyph below and above it in the column. Any two glyphs `sameRow` accepts lie
/// within 0.75 of a character of each other vertically (a mark's middle within a quarter of the
/// letter's height, letters at most three characters tall, beside it), so the bands reaching a
/// character above and below a glyph hold all its candidates.
private struct RowBands {
    let top: Double
    let height: Double
    var members: [[Int32]]

    init(_ g: [Glyph], med: Double) {
        top = (g.map(\.rect.y0).min() ?? 0) - 2 * med - 1
        height = max(1, 2 * med)
        let bottom = (g.map(\.rect.y1).max() ?? 0) + 2 * med + 1
        members = [[Int32]](repeating: [], count: Int((bottom - top) / height) + 1)
        for (i, x) in g.enumerated() {
            for band in bands(from: x.rect.y0, to: x.rect.y1) { members[band].append(Int32(i)) }
        }
    }

    func bands(from y0: Double, to y1: Double) -> ClosedRange<Int> {
        let last = members.count - 1
        return max(0, min(last, Int((y0 - top) / height)))...max(0, min(last, Int((y1 - top) / height)))
    }

    /// Index in `m` (ascending) of the first member after glyph `i`.
    func firstAfter(_ i: Int, in m: [Int32]) -> Int {
        var lo = 0, hi = m.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(m[mid]) <= i { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// A bare vertical stroke (narrower than 0.15 of its height) at least twice as tall as the
/// letters beside it is a piece of a ruling or a dashed box edge that was too short to be
/// removed, not a letter of their row: l, I and 1 are such strokes, but in one font an ascender
/// is at most about 1.8 times the x-height. Joined, it would stretch the line to its own height
/// (two rows, when it is a box's edge); left alone it is a lone stroke and dropped.
func isRulingPiece(_ r: FrameRect, beside height: Double, med: Double) -> Bool {
    r.width < 0.15 * r.height && r.height >= 2 * max(height, med)
}

private func isRulingPiece(_ p: LineCandidate, beside q: LineCandidate) -> Bool {
    guard p.glyphs.count == 1 else { return false }
    return isRulingPiece(p.glyphs[0], beside: q.glyphs.map(\.height).max() ?? q.rect.height, med: 0)
}

/// Whether two glyphs can be neighbours on one text line.
private func sameRow(_ a: Glyph, _ b: Glyph, med: Double) -> Bool {
    let ov = a.rect.verticalOverlap(b.rect)
    switch (a.isSmall, b.isSmall) {
    case (false, false):
        let ratio = min(a.rect.height, b.rect.height) / max(a.rect.height, b.rect.height)
        return ov >= 0.5 && ratio >= 0.4 && !isRulingPiece(a.rect, beside: b.rect.height, med: med)
            && !isRulingPiece(b.rect, beside: a.rect.height, med: med)
    case (true, true):
        return abs(a.rect.midY - b.rect.midY) <= 0.3 * med
    default:
        let (s, big) = a.isSmall ? (a, b) : (b, a)
        let pad = 0.25 * big.rect.height
        return s.rect.midY >= big.rect.y0 - pad && s.rect.midY <= big.rect.y1 + pad
            && big.rect.height <= 3 * med
    }
}

/// Whether a vertical ruling stands in the gap between two boxes on one row.
func crossesBarrier(_ a: FrameRect, _ b: FrameRect, _ barriers: [FrameRect]) -> Bool {
    let gx0 = min(a.x1, b.x1), gx1 = max(a.x0, b.x0)
    let gy0 = max(a.y0, b.y0), gy1 = min(a.y1, b.y1)
    let midY = (gy0 + gy1) / 2
    for r in barriers where r.x1 >= gx0 && r.x0 <= gx1 && r.y0 <= midY && r.y1 >= midY {
        return true
    }
    return false
}

private func collect(_ g: [Glyph], parent: inout [Int32]) -> [LineCandidate] {
    var slot = [Int](repeating: -1, count: g.count)
    var out: [LineCandidate] = []
    for i in g.indices {
        let r = Int(find(&parent, Int32(i)))
        if slot[r] < 0 {
            slot[r] = out.count
            out.append(LineCandidate(rect: g[i].rect, box: g[i].box, glyphs: [], onlySmall: true))
        }
        let k = slot[r]
        out[k].rect = out[k].rect.union(g[i].rect)
        out[k].box = out[k].box.union(g[i].box)
        if !g[i].isSmall { out[k].glyphs.append(g[i].rect) }
        out[k].onlySmall = out[k].onlySmall && g[i].isSmall
    }
    return out
}

private func merge(_ a: LineCandidate, _ b: LineCandidate) -> LineCandidate {
    LineCandidate(rect: a.rect.union(b.rect), box: a.box.union(b.box), glyphs: a.glyphs + b.glyphs,
                  onlySmall: a.onlySmall && b.onlySmall)
}

/// Phrases of one row join when the gap between them is word-sized relative to their height.
private func joinPhrases(_ phrases: [LineCandidate], barriers: [FrameRect], rules: GroupingRules) -> [LineCandidate] {
    let p = phrases.filter { !$0.onlySmall }.sorted { $0.rect.x0 < $1.rect.x0 }
    var parent = (0..<Int32(p.count)).map { $0 }
    var extent = p.map(\.rect)
    var tallest = p.map { $0.glyphs.map(\.height).max() ?? $0.rect.height }
    for i in p.indices {
        let a = p[i]
        var best: Int? = nil, bestGap = Double.infinity
        var j = i + 1
        while j < p.count && p[j].rect.x0 <= a.rect.x1 + rules.phraseGap * 4 * a.rect.height {
            defer { j += 1 }
            let b = p[j]
            guard b.rect.midX > a.rect.midX, b.rect.x1 > a.rect.x1 else { continue }
            let gap = b.rect.x0 - a.rect.x1
            let ratio = min(a.rect.height, b.rect.height) / max(a.rect.height, b.rect.height)
            guard gap < bestGap, ratio >= 0.5, a.rect.verticalOverlap(b.rect) >= 0.6 else { continue }
            guard !isRulingPiece(a, beside: b), !isRulingPiece(b, beside: a) else { continue }
            guard gap <= rules.phraseGap * max(a.rect.height, b.rect.height) else { continue }
            guard gap <= 0 || !crossesBarrier(a.rect, b.rect, barriers) else { continue }
            best = j
            bestGap = gap
        }
        if let best { joinUnlessStacked(&parent, &extent, &tallest, i, best) }
    }
    var groups: [Int: LineCandidate] = [:]
    var order: [Int] = []
    for i in p.indices {
        let r = Int(find(&parent, Int32(i)))
        if let g = groups[r] { groups[r] = merge(g, p[i]) } else { groups[r] = p[i]; order.append(r) }
    }
    return order.map { groups[$0]! } + phrases.filter(\.onlySmall)
}

/// Chains of only small marks join the line they sit on (a leader or trailing punctuation that
/// was too far from the letters); the rest are rows of dashes or dots and are dropped.
private func attachSmall(_ all: [LineCandidate], med: Double) -> [LineCandidate] {
    // A "line" much shorter than a character (a quote, an accent that did not merge, a stray
    // comma, a footnote's "***") goes with the line it sits in, like the small ones; on its own
    // it is no text but a rule: what is left of a double rule broken where a seal crosses it,
    // in pieces too short to be removed as rulings, or a row of "=" signs. The character height
    // is the median glyph's, about the x-height, and even text set at 60% of the page's size has
    // letters reaching above or below 0.6 of it.
    let isMark = { (l: LineCandidate) in l.onlySmall || l.rect.height <= 0.6 * med }
    var lines = all.filter { !isMark($0) }
    for s in all where isMark(s) {
        var best: Int? = nil, bestGap = Double.infinity
        for (k, l) in lines.enumerated() {
            let pad = 0.2 * l.rect.height
            guard s.rect.midY >= l.rect.y0 - pad && s.rect.midY <= l.rect.y1 + pad,
                  l.rect.height <= 3 * med else { continue }
            let gap = max(s.rect.x0 - l.rect.x1, l.rect.x0 - s.rect.x1, 0)
            if gap < bestGap && gap <= 0.8 * l.rect.height { best = k; bestGap = gap }
        }
        if let best { lines[best] = merge(lines[best], s) }
    }
    return lines
}

/// Drops dashed rules (receipts' "- - - - -" separators): runs of at least five flat dashes on
/// one level, evenly close together. Left in, they chain text rows they pass near into one line.
/// Dotted leaders are dots, not dashes, and stay.
func withoutDashedRules(_ glyphs: [Glyph], med: Double) -> [Glyph] {
    let dashes = glyphs.indices.filter { i in
        let r = glyphs[i].rect
        return r.height <= 0.35 * med && r.width >= 1.5 * r.height && r.width <= 2.5 * med
    }.sorted { glyphs[$0].rect.x0 < glyphs[$1].rect.x0 }
    guard dashes.count >= 5 else { return glyphs }
    var parent = (0..<Int32(dashes.count)).map { $0 }
    for a in dashes.indices {
        let ra = glyphs[dashes[a]].rect
        var b = a + 1
        while b < dashes.count && glyphs[dashes[b]].rect.x0 <= ra.x1 + 1.5 * med {
            let rb = glyphs[dashes[b]].rect
            if abs(rb.midY - ra.midY) <= 0.2 * med && rb.x0 > ra.x0 {
                union(&parent, Int32(a), Int32(b))
                break
            }
            b += 1
        }
    }
    var size: [Int32: Int] = [:]
    for a in dashes.indices { size[find(&parent, Int32(a)), default: 0] += 1 }
    var drop = Set<Int>()
    for a in dashes.indices where size[find(&parent, Int32(a))]! >= 5 { drop.insert(dashes[a]) }
    return drop.isEmpty ? glyphs : glyphs.indices.filter { !drop.contains($0) }.map { glyphs[$0] }
}

/// Joins the groups of `i` and `j` unless the result would be much taller than the tallest
/// character in either: that is two rows linked through a mark between them, not one row. The
/// bound is the tallest member, not the group's extent so far, or a group could grow a little with
/// each join (a comma between two touching rows, then the row below) until it holds two rows.
/// Extents and tallest members are kept at the roots.
private func joinUnlessStacked(_ parent: inout [Int32], _ extent: inout [FrameRect], _ tallest: inout [Double],
                               _ i: Int, _ j: Int) {
    let ri = Int(find(&parent, Int32(i))), rj = Int(find(&parent, Int32(j)))
    guard ri != rj else { return }
    let u = extent[ri].union(extent[rj])
    let top = max(tallest[ri], tallest[rj])
    guard u.height <= 1.5 * max(extent[ri].height, extent[rj].height), u.height <= 1.75 * top else { return }
    union(&parent, Int32(ri), Int32(rj))
    let r = Int(find(&parent, Int32(ri)))
    extent[r] = u
    tallest[r] = top
}
