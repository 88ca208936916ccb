import CRNN
import Testing
@testable import OCRPipeline

/// Lines drawn as bars (one per character) on a crop with the segmenter's margin, read as if by
/// the recogniser: each character at its bar's centre, spaces at the centre of their gap.
@Suite struct WordSpacingTests {
    static let margin = 0.12
    /// 40 px tall: 4 px of margin above and below (40 · 0.12 / 1.24 ≈ 4), the line in rows 4..<36.
    static let height = 40

    /// A crop with a dark bar over rows 6..<34 for each span of columns, plus optional ink in the
    /// top margin rows across the whole width (the bottom edge of the line above).
    private func crop(width: Int, bars: [Range<Int>], inkInTopMargin: Bool = false) -> LineImage {
        var pixels = [UInt8](repeating: 250, count: width * Self.height)
        for bar in bars {
            for y in 6..<34 { for x in bar { pixels[y * width + x] = 20 } }
        }
        if inkInTopMargin {
            for y in 0..<3 { for x in 0..<width { pixels[y * width + x] = 20 } }
        }
        return LineImage(width: width, height: Self.height, pixels: pixels)
    }

    private func character(_ c: Unicode.Scalar, at x: Double) -> RecognisedCharacter {
        RecognisedCharacter(character: c, confidence: 0.9, frame: Int(x / 4), x: x)
    }

    /// Bars 8 px wide, 2 px apart inside a word; `gaps[i]` px between word i and word i + 1.
    private func words(_ lengths: [Int], gaps: [Int]) -> (bars: [Range<Int>], ends: [Int]) {
        var bars: [Range<Int>] = []
        var ends: [Int] = []
        var x = 10
        for (w, length) in lengths.enumerated() {
            for k in 0..<length {
                bars.append(x..<(x + 8))
                x += 8 + (k + 1 < length ? 2 : 0)
            }
            ends.append(bars.count - 1)
            if w < gaps.count { x += gaps[w] }
        }
        return (bars, ends)
    }

    /// "ab cd efgh": spaces read between the first three words, none between "ef" and "gh".
    private func line(gapBeforeGH: Int, hints: [Int], probability: Double = 0.3,
                      inkInTopMargin: Bool = false) -> (RecognisedLine, LineImage) {
        let layout = words([2, 2, 2, 2], gaps: [12, 12, gapBeforeGH])
        let letters: [Unicode.Scalar] = ["a", "b", "c", "d", "e", "f", "g", "h"]
        var chars: [RecognisedCharacter] = []
        for (k, bar) in layout.bars.enumerated() {
            chars.append(character(letters[k], at: Double(bar.lowerBound + bar.upperBound) / 2))
            if k == layout.ends[0] || k == layout.ends[1] {
                chars.append(character(" ", at: Double(bar.upperBound) + 6))
            }
        }
        let spaceHints = hints.map { after in
            SpaceHint(after: after, probability: probability, frame: 0, x: chars[after].x + 6)
        }
        let text = String(String.UnicodeScalarView(chars.map(\.character)))
        let recognised = RecognisedLine(text: text, confidence: 0.9, characters: chars, spaceHints: spaceHints)
        // Paper beyond the last bar, as after a short line: most of the crop is background.
        return (recognised, crop(width: layout.bars.last!.upperBound + 60, bars: layout.bars, inkInTopMargin: inkInTopMargin))
    }

    @Test func aHintedGapAsWideAsTheLinesSpacesBecomesASpace() {
        // "ab cd efgh": characters 0 a, 1 b, 2 " ", 3 c, 4 d, 5 " ", 6 e, 7 f, 8 g, 9 h.
        let (read, crop) = line(gapBeforeGH: 10, hints: [7])
        let restored = WordSpacing.restore(read, crop: crop, margin: Self.margin)
        #expect(restored.text == "ab cd ef gh")
        #expect(restored.characters.count == read.characters.count + 1)
        #expect(restored.characters[8].confidence == 0.3)
        #expect(restored.confidence == read.confidence)
        #expect(restored.spaceHints.isEmpty)
    }

    @Test func aHintBetweenLettersOfAWordIsNotASpace() {
        // The network hints between "e" and "f", 2 px apart: letter spacing, not a word gap.
        let (read, crop) = line(gapBeforeGH: 10, hints: [6])
        #expect(WordSpacing.restore(read, crop: crop, margin: Self.margin).text == "ab cd efgh")
    }

    @Test func aHintTheNetworkGaveLittleChanceStaysClosed() {
        // Ranked second in the gap, but at 1 %: what the network does between most letters.
        let (read, crop) = line(gapBeforeGH: 10, hints: [7], probability: 0.01)
        #expect(WordSpacing.restore(read, crop: crop, margin: Self.margin).text == "ab cd efgh")
    }

    @Test func aGapWithoutAHintStaysClosed() {
        let (read, crop) = line(gapBeforeGH: 12, hints: [])
        #expect(WordSpacing.restore(read, crop: crop, margin: Self.margin).text == "ab cd efgh")
    }

    @Test func aHintedGapMuchNarrowerThanTheLinesSpacesStaysClosed() {
        // 5 px against spaces of 12: under 0.6 of them (kerned pairs, `1 1` in tabular figures).
        let (read, crop) = line(gapBeforeGH: 5, hints: [7])
        #expect(WordSpacing.restore(read, crop: crop, margin: Self.margin).text == "ab cd efgh")
    }

    @Test func inkInTheMarginDoesNotCloseAGap() {
        let (read, crop) = line(gapBeforeGH: 10, hints: [7], inkInTopMargin: true)
        #expect(WordSpacing.restore(read, crop: crop, margin: Self.margin).text == "ab cd ef gh")
    }

    @Test func withoutTwoSpacesReadTheLineHasNoYardstick() {
        // "abcd efgh" with one space read: nothing to compare the hinted gap with.
        let layout = words([4, 4], gaps: [12])
        let crop = crop(width: layout.bars.last!.upperBound + 10, bars: layout.bars)
        var chars = layout.bars.map { character("x", at: Double($0.lowerBound + $0.upperBound) / 2) }
        chars.insert(character(" ", at: Double(layout.bars[3].upperBound) + 6), at: 4)
        let read = RecognisedLine(text: "xxxx xxxx", confidence: 0.9, characters: chars,
                                  spaceHints: [SpaceHint(after: 1, probability: 0.3, frame: 0, x: chars[1].x + 5)])
        #expect(WordSpacing.restore(read, crop: crop, margin: Self.margin) == read)
    }

    @Test func lightTextOnADarkBarIsMeasuredByItsLightInk() {
        let (read, dark) = line(gapBeforeGH: 10, hints: [7])
        let inverted = LineImage(width: dark.width, height: dark.height, pixels: dark.pixels.map { 255 - $0 })
        // The polarity rule needs more than 65 % dark pixels: the inverted paper is that.
        let darkShare = inverted.pixels.filter { $0 < 128 }.count * 100 / inverted.pixels.count
        #expect(darkShare > 65)
        #expect(WordSpacing.restore(read, crop: inverted, margin: Self.margin).text == "ab cd ef gh")
    }
}

@Suite struct LabelValueSpacingTests {
    private func read(_ text: String) -> RecognisedLine {
        let chars = text.unicodeScalars.enumerated().map { k, c in
            RecognisedCharacter(character: c, confidence: 0.5 + Double(k) / 100, frame: 2 * k, x: Double(8 * k + 4))
        }
        return RecognisedLine(text: text, confidence: 0.9, characters: chars)
    }

    @Test(arguments: [
        ("发票代码：012001800211", "发票代码： 012001800211"),
        ("开票日期:2018年09月21日", "开票日期: 2018年09月21日"),
        ("名称：ACME GmbH", "名称： ACME GmbH"),
    ])
    func aChineseLabelsColonIsSetApartFromALatinValue(_ input: String, _ expected: String) {
        let spaced = WordSpacing.separateLabelValues(read(input))
        #expect(spaced.text == expected)
        #expect(spaced.characters.count == spaced.text.unicodeScalars.count)
        // The space takes the colon's confidence, so per-character confidences stay aligned.
        let colon = input.unicodeScalars.firstIndex { $0 == "：" || $0 == ":" }.map { input.unicodeScalars.distance(from: input.unicodeScalars.startIndex, to: $0) }!
        #expect(spaced.characters[colon + 1].confidence == spaced.characters[colon].confidence)
    }

    @Test(arguments: ["称：聚光科技（杭州）", "Invoice No：123", "12:30", "时间：", "：2018", "Tel: 202"])
    func otherColonsStayAsRead(_ input: String) {
        #expect(WordSpacing.separateLabelValues(read(input)).text == input)
    }
}

extension WordSpacingTests {
    /// "ab cd ef gh" with character 7 (f) replaced, and character 0 (a) too when `chinese`.
    private func replacing(_ c: Unicode.Scalar, chinese: Bool) -> (RecognisedLine, LineImage) {
        let (read, crop) = line(gapBeforeGH: 10, hints: [7])
        var chars = read.characters
        chars[7] = RecognisedCharacter(character: c, confidence: 0.9, frame: chars[7].frame, x: chars[7].x)
        if chinese { chars[0] = RecognisedCharacter(character: "金", confidence: 0.9, frame: chars[0].frame, x: chars[0].x) }
        let text = String(String.UnicodeScalarView(chars.map(\.character)))
        return (RecognisedLine(text: text, confidence: 0.9, characters: chars, spaceHints: read.spaceHints), crop)
    }

    @Test func noSpaceIsPutBesideHanzi() {
        let (read, crop) = replacing("额", chinese: false)
        #expect(WordSpacing.restore(read, crop: crop, margin: Self.margin).text == "ab cd e额gh")
    }

    @Test func noSpaceIsPutBesideFullWidthFormsInAChineseLine() {
        // The hinted gap follows a full-width bracket, whose cell has a blank half.
        let (read, crop) = replacing("）", chinese: true)
        #expect(WordSpacing.restore(read, crop: crop, margin: Self.margin).text == "金b cd e）gh")
    }

    @Test func inALatinLineAFullWidthFormIsALatinMark() {
        let (read, crop) = replacing("！", chinese: false)
        #expect(WordSpacing.restore(read, crop: crop, margin: Self.margin).text == "ab cd e！ gh")
    }
}
