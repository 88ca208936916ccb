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
    // Vertical pieces are collected as runs per column while scanning rows.
    var openTop = [Int](repeating: -1, count: w), lastRow = [Int](repeating: -2, count: w)
    hRun.withUnsafeBufferPointer { hr in
        vRun.withUnsafeBufferPointer { vr in
            img.bits.withUnsafeMutableBufferPointer { bits in
                for y in 0..<h {
                    var x = 0
                    while x < w {
                        let i = y * w + x
                        // Paper has no runs: skip it eight pixels at a time (the pixels cleared
                        // below lie behind x, so the word read is still the binarised page).
                        if x + 8 <= w, isPaper8(bits, i) { x += 8; continue }
                        x += 1
                        guard hr[i] >= long || vr[i] >= long else { continue }
                        let isH = hr[i] >= long && (vr[i] <= thin || vr[i] >= long)
                        let isV = vr[i] >= long && (hr[i] <= thin || hr[i] >= long)
                        guard isH || isV else { continue }
                        bits[i] = 0
                        if isH {
                            appendPixel(&horizontal, x - 1, y)
                        } else if lastRow[x - 1] == y - 1 {
                            lastRow[x - 1] = y
                        } else {
                            if openTop[x - 1] >= 0 {
                                vertical.append(Ruling(x0: x - 1, y0: openTop[x - 1], x1: x - 1, y1: lastRow[x - 1]))
                            }
                            openTop[x - 1] = y
                            lastRow[x - 1] = y
                        }
                    }
                }
            }
        }
    }
    for x in 0..<w where openTop[x] >= 0 {
        vertical.append(Ruling(x0: x, y0: openTop[x], x1: x, y1: lastRow[x]))
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
            if bits[row + x] == 0 {
                x += x + 8 <= w && isPaper8(UnsafeMutableBufferPointer(mutating: bits), row + x) ? 8 : 1
                continue
            }
            let s = x
            while x < w && bits[row + x] != 0 { x += 1 }
            let len = UInt16(min(x - s, Int(UInt16.max)))
            for i in s..<x { hr[row + i] = len }
        }
    }
    // Columns with a run still open, per group of eight (x / 8): a group of paper with none open is
    // skipped.
    var open = [Int32](repeating: 0, count: (w + 7) / 8)
    for y in 0...h {
        let row = y * w
        var x = 0
        while x < w {
            if y < h && x & 7 == 0 && x + 8 <= w && open[x >> 3] == 0 && isPaper8(UnsafeMutableBufferPointer(mutating: bits), row + x) {
                x += 8
                continue
            }
            if y < h && bits[row + x] != 0 {
                if st[x] < 0 { st[x] = y; open[x >> 3] += 1 }
            } else if st[x] >= 0 {
                let len = UInt16(min(y - st[x], Int(UInt16.max)))
                var p = st[x] * w + x
                while p < row { vr[p] = len; p += w }
                st[x] = -1
                open[x >> 3] -= 1
            }
            x += 1
        }
    }
}

/// Whether the eight pixels from `i` are all paper.
@inline(__always)
private func isPaper8(_ bits: UnsafeMutableBufferPointer<UInt8>, _ i: Int) -> Bool {
    UnsafeRawPointer(bits.baseAddress! + i).loadUnaligned(as: UInt64.self) == 0
}

/// Extends the last horizontal run on this row, or starts a new one.
private func appendPixel(_ list: inout [Ruling], _ x: Int, _ y: Int) {
    if var last = list.last, last.y1 == y, last.x1 == x - 1 {
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
/// their text becomes ink like the rest of the page. A block must be nearly rectangular (its
/// bounding box's edges are ink), so a punch hole or a big bold glyph is left alone; a band along
/// its edges is cleared rather than inverted, since binarisation frays a dark block's border.
/// Returns how many blocks were inverted.
func invertDarkBlocks(_ img: inout BinaryImage, components: [Component], characterHeight: Double) -> Int {
    var n = 0
    let w = img.width
    let band = max(2, Int(0.2 * characterHeight))
    for c in components where Double(c.height) >= 1.3 * characterHeight
        && Double(c.width) >= 3 * characterHeight && c.fill >= 0.6 && c.fill <= 0.97 {
        let x0 = Int(c.x0), x1 = Int(c.x1), y0 = Int(c.y0), y1 = Int(c.y1)
        guard isRectangular(img, x0, y0, x1, y1, inset: band) else { continue }
        img.bits.withUnsafeMutableBufferPointer { bits in
            for y in y0...y1 {
                let edgeRow = y < y0 + band || y > y1 - band
                for x in x0...x1 {
                    if edgeRow || x < x0 + band || x > x1 - band { bits[y * w + x] = 0 } else { bits[y * w + x] ^= 1 }
                }
            }
        }
        n += 1
    }
    return n
}

/// Whether the rows and columns `inset` inside the box's edges are (almost) all ink.
private func isRectangular(_ img: BinaryImage, _ x0: Int, _ y0: Int, _ x1: Int, _ y1: Int, inset: Int) -> Bool {
    let w = img.width
    let ix0 = x0 + inset, ix1 = x1 - inset, iy0 = y0 + inset, iy1 = y1 - inset
    guard ix1 > ix0, iy1 > iy0 else { return false }
    var ink = 0, total = 0
    for x in ix0...ix1 {
        ink += Int(img.bits[iy0 * w + x]) + Int(img.bits[iy1 * w + x])
        total += 2
    }
    for y in iy0...iy1 {
        ink += Int(img.bits[y * w + ix0]) + Int(img.bits[y * w + ix1])
        total += 2
    }
    return ink * 10 >= total * 9
}
