import PageImage
import Testing
@testable import LineSegmentation

/// Defects of real scans and photos that the clean synthetic pages do not have.
@Suite struct ScanDefectTests {
    let segmenter = LineSegmenter()

    @Test func printBrokenIntoStackedPiecesStillGivesWholeLines() {
        // Dot-matrix and faint thermal print lose thin rows of ink: every sixth pixel row is blank,
        // so each letter falls apart into pieces 2 to 5 px tall stacked 1 px apart. The rows kept
        // include every letter's top and bottom, so the lines' ink boxes are those drawn.
        var (page, expected) = letterPage()
        for y in stride(from: 0, to: page.height, by: 6) { page.fill(0, y, page.width, y + 1, (255, 255, 255)) }
        #expect(boxes(segmenter.segment(page.bitmap())) == expected)
    }

    @Test func brokenRulingPiecesMakeNoLines() {
        // What is left of a scanned form's box edges: thin vertical strokes, each shorter than a
        // ruling must be to be removed, beside the text and in the margin.
        var (page, expected) = letterPage()
        for k in 0..<20 {
            page.fill(960, 60 + 60 * k, 962, 90 + 60 * k)
            page.fill(40 + (k % 2), 100 + 60 * k, 42 + (k % 2), 122 + 60 * k)
        }
        #expect(boxes(segmenter.segment(page.bitmap())) == expected)
    }

    @Test func marksBetweenTightlySetRowsDoNotChainThem() {
        // Two rows set with almost no leading, and two marks (a smudge, a handwritten tick) at
        // staggered heights just after the upper row's end, above a gap between words of the
        // lower row: each mark overlaps the one row or the other enough to pass for a character
        // beside it, so upper row, marks and lower row could chain into one growing group.
        var page = SyntheticPage(width: 800, height: 300)
        let upper = page.text(x: 60, baseline: 120, xHeight: 14, words: [5, 4], seed: 21)
        let lowerLeft = page.text(x: 60, baseline: 148, xHeight: 14, words: [6, 2], seed: 22)
        let lowerRight = page.text(x: upper.x1 + 22, baseline: 148, xHeight: 14, words: [5, 3], seed: 23)
        page.fill(upper.x1 + 4, 113, upper.x1 + 10, 135)
        page.fill(upper.x1 + 12, 121, upper.x1 + 18, 143)
        let found = boxes(segmenter.segment(page.bitmap()))
        // The upper row is one line; the lower one may be one or two (the marks may bridge its gap).
        #expect(found.count == 2 || found.count == 3, "\(found)")
        for row in [upper, lowerLeft, lowerRight] {
            #expect(found.contains { $0.union(row) == $0 }, "\(row) not within one of \(found)")
        }
        // No line reaches from the middle of the upper row into the middle of the lower one.
        #expect(found.allSatisfy { !($0.y0 <= 113 && $0.y1 >= 141) }, "\(found)")
    }

    @Test func aPenRingBesideThePrintIsNoLine() {
        // A ring drawn by hand (2 px pen) beside the text, as high as three rows: a tall glyph
        // with almost no ink in its box, which is no character and no line.
        var (page, expected) = letterPage()
        page.ring(cx: 800, cy: 400, radius: 70, stroke: 2, colour: (10, 10, 10))
        #expect(boxes(segmenter.segment(page.bitmap())) == expected)
    }

    @Test func aDoubleRuleBrokenIntoShortPiecesIsNoLine() {
        // What a seal leaves of a double rule under a title: pieces 20 px long, each two 2 px
        // lines 3 px apart joined at its ends (7 px tall, half a character), 4 px apart, too short
        // to be removed as rulings. They chain into one flat row of four glyphs: no line.
        var (page, expected) = letterPage()
        for k in 0..<4 {
            let x = 700 + 24 * k
            page.fill(x, 300, x + 20, 302)
            page.fill(x, 305, x + 20, 307)
            page.fill(x, 300, x + 2, 307)
            page.fill(x + 18, 300, x + 20, 307)
        }
        #expect(boxes(segmenter.segment(page.bitmap())) == expected)
    }

    @Test func aDashOfABoxEdgeBesideALineIsNotPartOfIt() {
        // A dashed box's right edge: a vertical dash 2 px wide and 44 px tall (over twice the
        // tallest letter), too short to be removed as a ruling, 5 px after the first line's last
        // letter. It is no letter, so the line keeps its own box rather than growing to the dash.
        var (page, expected) = letterPage()
        page.fill(expected[0].x1 + 5, 90, expected[0].x1 + 7, 134)
        #expect(boxes(segmenter.segment(page.bitmap())) == expected)
    }

    @Test func aTallThinCapitalInAHeadingStaysInIt() {
        // A heading set large in a light face: its "I" is a bare stroke 3 px wide and 44 px tall,
        // as tall as a ruling piece, but no taller than the capitals beside it: it is a letter.
        var (page, expected) = letterPage()
        page.fill(600, 40, 603, 84)
        var x = 612
        for _ in 0..<5 {
            page.fill(x, 40, x + 5, 84)
            page.fill(x, 40, x + 26, 45)
            page.fill(x, 79, x + 26, 84)
            x += 34
        }
        let heading = Box(x0: 600, y0: 40, x1: x - 8, y1: 84)
        #expect(boxes(segmenter.segment(page.bitmap())).sorted { ($0.y0, $0.x0) < ($1.y0, $1.x0) }
                == ([heading] + expected).sorted { ($0.y0, $0.x0) < ($1.y0, $1.x0) })
    }

    @Test func aLoneOneInATableColumnGetsACharacterCell() {
        // A quantity column holding a single "1": a stem 3 px wide with a flag, 6 px of ink
        // across and 20 down. Its box is one character cell wide (a digit's advance, 0.75 of its
        // height), centred on the ink; the text line beside it keeps its exact ink box.
        var page = SyntheticPage(width: 800, height: 240)
        let text = page.text(x: 60, baseline: 120, xHeight: 14, words: [7, 4, 6], seed: 31)
        page.fill(700, 100, 703, 120)
        page.fill(697, 102, 700, 105)
        let cell = Int((0.75 * 20).rounded()), start = (697 + 703 - cell) / 2
        let found = boxes(segmenter.segment(page.bitmap())).sorted { $0.x0 < $1.x0 }
        #expect(found == [text, Box(x0: start, y0: 100, x1: start + cell, y1: 120)])
    }
}

/// The colour pass (seal suppression) runs only on rows near seal-coloured ink; elsewhere the
/// working image comes from the gray page.
@Suite struct SealSurveyTests {
    @Test func colourPassNearTheSealGivesTheSameWorkingImageAsEverywhere() {
        var (page, _) = letterPage()
        page.ring(cx: 400, cy: 300, radius: 130, stroke: 12, colour: (235, 50, 45))
        let bitmap = page.bitmap(colour: true)
        let survey = surveySeals(bitmap.rgb!)
        #expect(survey.suppress)
        // The rows of the ring are marked, rows well away from it are not.
        #expect((170...430).allSatisfy { survey.nearSeal[$0] })
        #expect(!survey.nearSeal[100] && !survey.nearSeal[500] && !survey.nearSeal[1300])
        let everywhere = SealSurvey(suppress: true, nearSeal: [Bool](repeating: true, count: page.height))
        let near = makeWorkingImage(bitmap, factor: 2, seals: survey).pixels
        let all = makeWorkingImage(bitmap, factor: 2, seals: everywhere).pixels
        // Gray of the average and average of the gray differ by rounding only.
        #expect(zip(near, all).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
        // Under the seal the colour pass was used: its ink is pushed towards paper.
        let plain = makeWorkingImage(bitmap, factor: 2, seals: nil).pixels
        let w = page.width / 2
        #expect(Int(near[85 * w + 200]) > Int(plain[85 * w + 200]) + 40)
    }
}
