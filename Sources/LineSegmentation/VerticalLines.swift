import PageImage

/// Text set vertically on an upright page: a Bates or document number printed up the margin of a
/// scanned form, a filing stamp. Grouping, which chains glyphs left to right, makes each of its
/// characters (or a few that glyph assembly stacked together) a line of its own. Such lines,
/// stacked closely in one column, are one vertical line, which the recogniser reads turned.
///
/// A column starts at a character on its side (one or two glyphs, 1.2 to 3.5 times wider than
/// tall: not a word-long blob such as an underlined label) and takes the lines above and below it
/// that are about as wide (within a factor of 1.6: x-height letters and ascenders), overlap it in x, and follow at a gap no wider than the column and at
/// most 1.5 times the thicker neighbour's height (a `1` on its side, dropped as a mark, fits in
/// such a gap). It is kept when it holds at least two characters on their side, at least
/// `minimumLines` lines, and is at least twice as tall as wide. Upright digits stacked in a table
/// column are taller than wide and dashes one per row lie far apart for their size: neither joins.
func joinVerticalRuns(_ lines: [LineCandidate], minimumLines: Int = 3) -> [LineCandidate] {
    let lying = { (i: Int) -> Bool in
        let r = lines[i].rect
        return r.width >= 1.2 * r.height && r.width <= 3.5 * r.height
    }
    let eligible = lines.indices.filter { !lines[$0].onlySmall && lines[$0].glyphs.count <= 2 }
    guard eligible.filter(lying).count >= 2 else { return lines }
    let sorted = eligible.sorted { lines[$0].rect.y0 < lines[$1].rect.y0 }
    var used = Set<Int>()
    var runs: [[Int]] = []
    for seed in sorted where lying(seed) && !used.contains(seed) {
        let width = lines[seed].rect.width
        let fits = { (j: Int, run: [Int]) in
            !used.contains(j) && !run.contains(j)
                && max(lines[j].rect.width, width) <= 1.6 * min(lines[j].rect.width, width)
        }
        var run = [seed]
        while let below = sorted.first(where: { fits($0, run) && continues(lines[run.last!].rect, lines[$0].rect) }) {
            run.append(below)
        }
        while let above = sorted.last(where: { fits($0, run) && continues(lines[$0].rect, lines[run[0]].rect) }) {
            run.insert(above, at: 0)
        }
        let rect = run.dropFirst().reduce(lines[run[0]].rect) { $0.union(lines[$1].rect) }
        guard run.count >= minimumLines, run.filter(lying).count >= 2, rect.height >= 2 * rect.width else { continue }
        used.formUnion(run)
        runs.append(run)
    }
    guard !runs.isEmpty else { return lines }
    // Each run takes the place of its first member; the reading order is decided afterwards.
    var out: [LineCandidate] = []
    for i in lines.indices {
        if let run = runs.first(where: { $0.min() == i }) {
            var line = lines[run[0]]
            for k in run.dropFirst() {
                line.rect = line.rect.union(lines[k].rect)
                line.box = line.box.union(lines[k].box)
                line.glyphs += lines[k].glyphs
            }
            line.vertical = true
            out.append(line)
        } else if !used.contains(i) {
            out.append(lines[i])
        }
    }
    return out
}

/// `b` lies below `a` in the same narrow column, close enough to be the next character(s).
private func continues(_ a: FrameRect, _ b: FrameRect) -> Bool {
    let gap = b.y0 - a.y1
    let wide = max(a.width, b.width), narrow = min(a.width, b.width)
    // Characters on their side follow one another more closely than their own thickness and a
    // half; labels one per row of a form lie a row apart.
    guard gap >= -0.2 * min(a.height, b.height), gap <= wide, gap <= 1.5 * max(a.height, b.height),
          narrow > 0 else { return false }
    let overlap = min(a.x1, b.x1) - max(a.x0, b.x0)
    return overlap >= 0.5 * narrow
}

/// An image no wider than about two lines and at least twice as tall, whose glyphs stand one
/// above the other and are wider than tall (letters lying on their side), is one vertical line:
/// a document number cropped from a margin. It is boxed whole, as it lies; the recogniser turns
/// it (`RecognitionSession.recogniseOriented`). Upright glyphs stacked in a narrow image (a
/// column of short lines, `1` over `2` over `3`) are taller than wide and keep their lines.
func isVerticalLineCrop(_ work: GrayImage, chars: [Component]) -> Bool {
    guard work.width <= 96, work.height >= 2 * work.width, chars.count >= 2 else { return false }
    let lying = chars.filter { $0.width > $0.height }.count
    return 2 * lying > chars.count
}
