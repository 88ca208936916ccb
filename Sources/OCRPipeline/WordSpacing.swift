import CRNN

/// Puts back word spaces that greedy CTC decoding dropped. In tight or justified print the
/// network often holds the blank a little likelier than the space between two words, and the
/// line reads `ofthe`, `2018,a`, `personat`: two words lost for one wrong token, and a search for
/// either word misses. The decoder reports where the space came second (`SpaceHint`); this
/// inserts it where the line's own ink agrees, that is where the blank column gap there is as
/// wide as the line's other word spaces. Both kinds of evidence are needed: the network ranks the
/// space second in almost every gap between letters (with a probability far below a per cent),
/// and some gaps inside words are as wide as a space (`1 1` in tabular figures, `r.`, `LT`).
enum WordSpacing {
    /// Probability the network must give the space in the gap: one chance in twenty. Between
    /// letters of a word the space, though ranked second, rarely reaches a hundredth; where a
    /// space was printed and lost it is usually a tenth or more.
    static let minimumProbability = 0.05
    /// Share of the line's median word gap a hinted gap must reach. Justification narrows a
    /// space to about two thirds of its natural width at most (TeX's default shrink is a third of
    /// the space), and all spaces of a justified line are equal; a little under two thirds leaves
    /// room for a pixel of rounding and for overhanging glyphs (`f`, `y`) at the gap's edge.
    static let gapShare = 0.6
    /// Recognised spaces needed on a line before its word gap is trusted as a yardstick.
    static let minimumReferenceSpaces = 2

    /// `line` with a space inserted at each hint whose gap in `crop` (the image the line was read
    /// from, `margin` × the line height of padding on every side) is a word gap. Inserted spaces
    /// carry the network's probability for them; the line's confidence stays the mean of what the
    /// network read. The result has no hints left.
    static func restore(_ line: RecognisedLine, crop: LineImage, margin: Double) -> RecognisedLine {
        guard line.spaceHints.contains(where: { $0.probability >= minimumProbability }) else { return line }
        let columns = InkColumns(crop, margin: margin)
        let chars = line.characters
        var spaceGaps: [Int] = []
        // One gap per run of read spaces (a run of two is still one gap on the page).
        for (k, c) in chars.enumerated() where c.character == " " && (k == 0 || chars[k - 1].character != " ") {
            guard let before = chars[..<k].lastIndex(where: { $0.character != " " }),
                  let after = chars[(k + 1)...].firstIndex(where: { $0.character != " " }) else { continue }
            let gap = columns.widestGap(from: chars[before].x, to: chars[after].x)
            if gap > 0 { spaceGaps.append(gap) }
        }
        guard spaceGaps.count >= minimumReferenceSpaces else { return line }
        let reference = median(spaceGaps)
        let chinese = chars.contains { isHan($0.character) }
        func setsSpaces(_ c: Unicode.Scalar) -> Bool { !isHan(c) && !(chinese && isFullWidth(c)) }
        let inserted = line.spaceHints.filter { hint in
            guard hint.after + 1 < chars.count, hint.probability >= minimumProbability,
                  setsSpaces(chars[hint.after].character), setsSpaces(chars[hint.after + 1].character) else { return false }
            let gap = columns.widestGap(from: chars[hint.after].x, to: chars[hint.after + 1].x)
            return gap > 0 && Double(gap) >= gapShare * reference
        }
        guard !inserted.isEmpty else { return line }
        var out: [RecognisedCharacter] = []
        out.reserveCapacity(chars.count + inserted.count)
        var next = inserted.makeIterator()
        var pending = next.next()
        for (k, c) in chars.enumerated() {
            out.append(c)
            if let hint = pending, hint.after == k {
                out.append(RecognisedCharacter(character: " ", confidence: hint.probability, frame: hint.frame, x: hint.x))
                pending = next.next()
            }
        }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: out.map(\.character))
        // The hints' indices refer to the line as decoded; once spaces are in, none is kept.
        return RecognisedLine(text: String(text), confidence: line.confidence, characters: out)
    }

    /// `line` with a space after a colon that ends a Chinese label and is followed by Latin
    /// letters or digits (`发票代码：012001800211`). The full-width colon stands in a whole
    /// character cell whose right half is blank, so on the page the value is set apart from the
    /// label; read as a bare `：` or `:`, the label's colon and the value would become one token
    /// (`:012001800211`) once the text is folded to half-width (NFKC), as search and comparison do.
    /// The inserted space takes the colon's confidence.
    static func separateLabelValues(_ line: RecognisedLine) -> RecognisedLine {
        let chars = line.characters
        guard chars.count >= 3 else { return line }
        var out: [RecognisedCharacter] = []
        out.reserveCapacity(chars.count + 2)
        for (k, c) in chars.enumerated() {
            out.append(c)
            guard c.character == "：" || c.character == ":", k > 0, k + 1 < chars.count,
                  isHan(chars[k - 1].character), isLatinOrDigit(chars[k + 1].character) else { continue }
            out.append(RecognisedCharacter(character: " ", confidence: c.confidence, frame: c.frame,
                                           x: (c.x + chars[k + 1].x) / 2))
        }
        guard out.count > chars.count else { return line }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: out.map(\.character))
        return RecognisedLine(text: String(text), confidence: line.confidence, characters: out, spaceHints: [])
    }

    /// CJK punctuation and the full-width forms. Chinese print sets no word space beside them or
    /// beside hanzi: the gaps there are the cells' own blank margins (`（小写）¥190.19`). In a line
    /// without hanzi they are the network's reading of Latin marks (`！＆`, `〇` for O) and count
    /// as those.
    private static func isFullWidth(_ c: Unicode.Scalar) -> Bool {
        (0x3000...0x303F).contains(c.value) || (0xFF00...0xFFEF).contains(c.value)
    }

    /// CJK unified ideographs (the charset's hanzi) and the extension A block.
    private static func isHan(_ c: Unicode.Scalar) -> Bool {
        (0x4E00...0x9FFF).contains(c.value) || (0x3400...0x4DBF).contains(c.value)
    }

    private static func isLatinOrDigit(_ c: Unicode.Scalar) -> Bool {
        c.isASCII ? (c.properties.isAlphabetic || ("0"..."9").contains(c)) : c.properties.isAlphabetic && c.value < 0x2E80
    }

    private static func median(_ values: [Int]) -> Double {
        let sorted = values.sorted()
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? Double(sorted[mid]) : Double(sorted[mid - 1] + sorted[mid]) / 2
    }
}

/// Which columns of a line crop hold ink, looking only at the line's own rows (the crop's margin
/// may hold the edges of the lines above and below). Ink is the darker side of the midpoint
/// between the crop's darkest and lightest value, or the lighter side for light-on-dark lines
/// (the recogniser's polarity rule).
struct InkColumns {
    let inked: [Bool]

    init(_ crop: LineImage, margin: Double) {
        let w = crop.width, h = crop.height
        guard w > 0, h > 0, let lo = crop.pixels.min(), let hi = crop.pixels.max(), Int(hi) - Int(lo) >= 32 else {
            inked = [Bool](repeating: false, count: max(0, w))
            return
        }
        let threshold = (Int(lo) + Int(hi) + 1) / 2
        let darkCount = crop.pixels.reduce(0) { $0 + (Int($1) < threshold ? 1 : 0) }
        let lightOnDark = darkCount * 100 > 65 * crop.pixels.count
        let pad = Int((Double(h) * margin / (1 + 2 * margin)).rounded())
        let top = min(pad, h / 2), bottom = max(h - pad, top + 1)
        var inked = [Bool](repeating: false, count: w)
        for y in top..<bottom {
            let row = y * w
            for x in 0..<w where !inked[x] {
                let dark = Int(crop.pixels[row + x]) < threshold
                inked[x] = dark != lightOnDark
            }
        }
        self.inked = inked
    }

    /// The widest run of ink-free columns strictly between x positions `a` and `b` (pixels).
    func widestGap(from a: Double, to b: Double) -> Int {
        let start = max(0, Int(a.rounded(.up))), end = min(inked.count, Int(b.rounded(.down)) + 1)
        var widest = 0, run = 0
        var x = start
        while x < end {
            run = inked[x] ? 0 : run + 1
            widest = max(widest, run)
            x += 1
        }
        return widest
    }
}
