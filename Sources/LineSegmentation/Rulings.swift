/// A straight ruling (table line, form box edge, underline) removed from the binary page,
/// in working-image pixels, inclusive bounds.
struct Ruling: Sendable, Hashable {
    var x0: Int
    var y0: Int
    var x1: Int
    var y1: Int
    var isVertical: Bool { y1 - y0 > x1 - x0 }
}

/// Removes long thin horizontal and vertical strokes: a pixel goes when its run along one axis is
/// at least `minLength` and its run across is at most `maxThickness`. A letter touching a ruling
/// keeps its own pixels (their cross run is the letter's stroke, not the ruling's thickness), and a
/// bold glyph's stem is too thick to qualify. Returns the rulings found, merged into segments.
func removeRulings(_ img: inout BinaryImage, minLength: Int, maxThickness: Int) -> [Ruling] {
    let w = img.width, h = img.height
    var hRun = [UInt16](repeating: 0, count: w * h)
    var vRun = [UInt16](repeating: 0, count: w * h)
    var start = [Int](repeating: -1, count: w)
    img.bits.withUnsafeBufferPointer { bits in
        hRun.withUnsafeMutableBufferPointer { hr in
            vRun.withUnsafeMutableBufferPointer { vr in
                start.withUnsafeMutableBufferPointer { st in
                    runLengths(bits, hr, vr, st, w, h)
                }
            }
        }
    }
    let long = UInt16(min(minLength, Int(UInt16.max))), thin = UInt16(maxThickness)
    var horizontal: [Ruling] = [], vertical: [Ruling] = []
    hRun.withUnsafeBufferPointer { hr in
        vRun.withUnsafeBufferPointer { vr in
            img.bits.withUnsafeMutableBufferPointer { bits in
                for i in 0..<(w * h) where hr[i] >= long || vr[i] >= long {
                    let isH = hr[i] >= long && (vr[i] <= thin || vr[i] >= long)
                    let isV = vr[i] >= long && (hr[i] <= thin || hr[i] >= long)
                    guard isH || isV else { continue }
                    bits[i] = 0
                    if isH {
                        appendPixel(&horizontal, i % w, i / w, horizontal: true)
                    } else {
                        appendPixel(&vertical, i % w, i / w, horizontal: false)
                    }
                }
            }
        }
    }
    return mergeSegments(horizontal, horizontal: true, length: minLength)
        + mergeSegments(vertical, horizontal: false, length: minLength)
}

/// Every ink pixel gets the length of its horizontal and of its vertical run (0 for paper).
private func runLengths(_ bits: UnsafeBufferPointer<UInt8>, _ hr: UnsafeMutableBufferPointer<UInt16>,
                        _ vr: UnsafeMutableBufferPointer<UInt16>, _ st: UnsafeMutableBufferPointer<Int>,
                        _ w: Int, _ h: Int) {
    for y in 0..<h {
        var x = 0
        let row = y * w
        while x < w {
            if bits[row + x] == 0 { x += 1; continue }
            let s = x
            while x < w && bits[row + x] != 0 { x += 1 }
            let len = UInt16(min(x - s, Int(UInt16.max)))
            for i in s..<x { hr[row + i] = len }
        }
    }
    for y in 0...h {
        let row = y * w
        for x in 0..<w {
            if y < h && bits[row + x] != 0 {
                if st[x] < 0 { st[x] = y }
            } else if st[x] >= 0 {
                let len = UInt16(min(y - st[x], Int(UInt16.max)))
                var p = st[x] * w + x
                while p < row { vr[p] = len; p += w }
                st[x] = -1
            }
        }
    }
}

/// Extends the last horizontal run on this row, or starts a new one (vertical pixels are
/// collected as 1-pixel pieces and merged afterwards).
private func appendPixel(_ list: inout [Ruling], _ x: Int, _ y: Int, horizontal: Bool) {
    if horizontal, var last = list.last, last.y1 == y, last.x1 == x - 1 {
        last.x1 = x
        list[list.count - 1] = last
        return
    }
    list.append(Ruling(x0: x, y0: y, x1: x, y1: y))
}

/// Merges touching pieces into whole rulings and drops pieces shorter than `length`.
private func mergeSegments(_ pieces: [Ruling], horizontal: Bool, length: Int) -> [Ruling] {
    // Sort across the stroke, then along it, and sweep-merge neighbours that touch.
    let sorted = pieces.sorted { a, b in
        horizontal ? (a.y0, a.x0) < (b.y0, b.x0) : (a.x0, a.y0) < (b.x0, b.y0)
    }
    var merged: [Ruling] = []
    for p in sorted {
        var joined = false
        var i = merged.count - 1
        while i >= 0 && i >= merged.count - 64 {
            var m = merged[i]
            let touches = p.x0 <= m.x1 + 1 && p.x1 >= m.x0 - 1 && p.y0 <= m.y1 + 1 && p.y1 >= m.y0 - 1
            if touches {
                m.x0 = min(m.x0, p.x0); m.x1 = max(m.x1, p.x1)
                m.y0 = min(m.y0, p.y0); m.y1 = max(m.y1, p.y1)
                merged[i] = m
                joined = true
                break
            }
            i -= 1
        }
        if !joined { merged.append(p) }
    }
    return merged.filter { max($0.x1 - $0.x0, $0.y1 - $0.y0) + 1 >= length }
}

/// Large solid dark blocks with holes (white text on a dark header bar) are inverted in place so
/// their text becomes ink like the rest of the page. Returns how many blocks were inverted.
func invertDarkBlocks(_ img: inout BinaryImage, components: [Component], characterHeight: Double) -> Int {
    var n = 0
    let w = img.width
    for c in components where Double(c.height) >= 1.3 * characterHeight
        && Double(c.width) >= 3 * characterHeight && c.fill >= 0.6 && c.fill <= 0.97 {
        img.bits.withUnsafeMutableBufferPointer { bits in
            for y in Int(c.y0)...Int(c.y1) {
                for x in Int(c.x0)...Int(c.x1) { bits[y * w + x] ^= 1 }
            }
        }
        n += 1
    }
    return n
}
