import LineSegmentation
import PageImage

/// A line of a PDF's own text layer: poppler's words of one text line, split where a gap wider
/// than the line's height separates them (table columns), as the evaluation truth does.
struct TextLayerLine {
    var text: String
    var x0, y0, x1, y1: Double
    var height: Double { y1 - y0 }
    var width: Double { x1 - x0 }
}

func textLayerLines(_ words: [TextLayerWord]) -> [TextLayerLine] {
    var lines: [TextLayerLine] = []
    var byLine: [Int: [TextLayerWord]] = [:]
    for w in words { byLine[w.line, default: []].append(w) }
    for key in byLine.keys.sorted() {
        var current: TextLayerLine?
        for w in byLine[key]!.sorted(by: { $0.x0 < $1.x0 }) {
            if var c = current, w.x0 - c.x1 <= max(c.height, w.y1 - w.y0), abs((w.y0 + w.y1) - (c.y0 + c.y1)) < c.height {
                c.text += " " + w.text
                c.x1 = max(c.x1, w.x1); c.y0 = min(c.y0, w.y0); c.y1 = max(c.y1, w.y1)
                current = c
            } else {
                if let c = current { lines.append(c) }
                current = TextLayerLine(text: w.text, x0: w.x0, y0: w.y0, x1: w.x1, y1: w.y1)
            }
        }
        if let c = current { lines.append(c) }
    }
    return lines
}

/// Whether segmentation found a text-layer line, by the split/merge-tolerant rule of
/// shared/notes/line-truth-granularity.md: a box with IoU ≥ 0.5; or, in the same row, one box
/// spanning ≥ 80% of its width, or pieces each ≥ 80% inside it covering ≥ 80% of its width.
func isFound(_ t: TextLayerLine, by boxes: [LineBox]) -> Bool {
    var pieces: [(Double, Double)] = []
    for b in boxes {
        let bx0 = Double(b.x0), bx1 = Double(b.x1), by0 = Double(b.y0), by1 = Double(b.y1)
        let ix = max(0, min(bx1, t.x1) - max(bx0, t.x0)), iy = max(0, min(by1, t.y1) - max(by0, t.y0))
        let inter = ix * iy
        if inter > 0 && inter / ((bx1 - bx0) * (by1 - by0) + t.width * t.height - inter) >= 0.5 { return true }
        let sameRow = by1 - by0 <= 1.6 * t.height && iy >= 0.7 * min(by1 - by0, t.height)
        guard sameRow else { continue }
        if ix >= 0.8 * t.width { return true }
        if ix >= 0.8 * (bx1 - bx0) { pieces.append((max(bx0, t.x0), min(bx1, t.x1))) }
    }
    var covered = 0.0, reach = t.x0
    for (a, b) in pieces.sorted(by: { $0.0 < $1.0 }) where b > max(a, reach) {
        covered += b - max(a, reach)
        reach = b
    }
    return covered >= 0.8 * t.width
}
