/// Pieces of one character stacked above each other (the dot of an i, an accent, the strokes of
/// 二 or 三, the parts of 亠-topped CJK characters) are merged into one glyph before lines are
/// formed, so they cannot start lines of their own. Two pieces merge when they share most of
/// their horizontal extent, nearly touch vertically, and together are no taller than a character.
func assembleGlyphs(_ pieces: [Glyph], characterHeight med: Double) -> [Glyph] {
    let order = pieces.indices.sorted { pieces[$0].rect.x0 < pieces[$1].rect.x0 }
    let p = order.map { pieces[$0] }
    var parent = (0..<Int32(p.count)).map { $0 }
    // Merged extents, kept per root so a third piece is compared with the glyph built so far.
    var extent = p.map(\.rect)
    for i in p.indices {
        var j = i + 1
        while j < p.count && p[j].rect.x0 < p[i].rect.x1 {
            defer { j += 1 }
            let ri = Int(find(&parent, Int32(i))), rj = Int(find(&parent, Int32(j)))
            guard ri != rj else { continue }
            let a = extent[ri], b = extent[rj]
            let hov = (min(a.x1, b.x1) - max(a.x0, b.x0)) / max(1e-9, min(a.width, b.width))
            let vgap = max(a.y0, b.y0) - min(a.y1, b.y1)
            let u = a.union(b)
            // A square CJK character may be taller than the median; a wide blob of touching
            // letters may not stretch the limit, or stacked lines would merge.
            let square = u.width <= 2 * med ? u.width * 1.1 : 0
            let limit = max(1.35 * max(med, max(a.height, b.height)), square)
            guard hov >= 0.5, vgap <= 0.35 * max(med, min(a.height, b.height)), u.height <= limit else { continue }
            union(&parent, Int32(ri), Int32(rj))
            let r = Int(find(&parent, Int32(ri)))
            extent[r] = u
        }
    }
    var slot = [Int](repeating: -1, count: p.count)
    var out: [Glyph] = []
    for i in p.indices {
        let r = Int(find(&parent, Int32(i)))
        if slot[r] < 0 {
            slot[r] = out.count
            out.append(p[i])
        } else {
            out[slot[r]].rect = out[slot[r]].rect.union(p[i].rect)
            out[slot[r]].box = out[slot[r]].box.union(p[i].box)
        }
    }
    for k in out.indices { out[k].isSmall = out[k].rect.height < 0.45 * med }
    return out
}
