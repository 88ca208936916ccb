import PageImage
import Testing
@testable import LineSegmentation

typealias Box = SyntheticPage.Box

func boxes(_ layout: PageLayout) -> [Box] {
    layout.lines.map { Box(x0: $0.x0, y0: $0.y0, x1: $0.x1, y1: $0.y1) }
}

func iou(_ a: Box, _ b: Box) -> Double {
    let ix = max(0, min(a.x1, b.x1) - max(a.x0, b.x0)), iy = max(0, min(a.y1, b.y1) - max(a.y0, b.y0))
    let inter = Double(ix * iy)
    return inter / Double((a.x1 - a.x0) * (a.y1 - a.y0) + (b.x1 - b.x0) * (b.y1 - b.y0) - Int(inter))
}

/// A one-column page of 12 lines of varying length; returns it and the lines' boxes in order.
func letterPage() -> (SyntheticPage, [Box]) {
    var page = SyntheticPage(width: 1000, height: 1400)
    var expected: [Box] = []
    for i in 0..<12 {
        let words = [[5, 3, 7, 4, 6, 2], [8, 2, 5], [3, 6, 4, 4, 7, 3, 2], [9]][i % 4]
        expected.append(page.text(x: 80 + (i % 3) * 10, baseline: 120 + i * 48, xHeight: 14, words: words, seed: i))
    }
    return (page, expected)
}

@Suite struct LineFindingTests {
    let segmenter = LineSegmenter()

    @Test func findsEveryLineWithItsExactBox() {
        let (page, expected) = letterPage()
        let layout = segmenter.segment(page.bitmap())
        #expect(boxes(layout) == expected)
        #expect(layout.rotation == 0)
        #expect(layout.skewDegrees == 0)
    }

    @Test func readsTwoColumnsOneAfterTheOther() {
        var page = SyntheticPage(width: 1000, height: 1000)
        var left: [Box] = [], right: [Box] = []
        for i in 0..<10 {
            left.append(page.text(x: 60, baseline: 100 + i * 44, xHeight: 14, words: [6, 4, 5, 3], seed: i))
            // The right column's rows sit at the same heights: only the gutter tells them apart.
            right.append(page.text(x: 540, baseline: 100 + i * 44, xHeight: 14, words: [4, 6, 3, 5], seed: 50 + i))
        }
        #expect(boxes(segmenter.segment(page.bitmap())) == left + right)
    }

    @Test func tableCellsStayApartAndRulingsAreNotText() {
        var page = SyntheticPage(width: 1000, height: 700)
        let columns = [60, 360, 660, 940], rows = [100, 180, 260, 340, 420]
        for x in columns { page.fill(x, rows.first!, x + 3, rows.last! + 3) }
        for y in rows { page.fill(columns.first!, y, columns.last! + 3, y + 3) }
        var expected: [Box] = []
        for r in 0..<4 {
            for c in 0..<3 {
                // Each cell's text runs from 8 px after its left ruling to 8 px before its right
                // one, so only the ruling tells neighbouring cells apart: the gap across it is
                // no wider than a space between words.
                expected.append(fillCell(&page, from: columns[c] + 3 + 8, to: columns[c + 1] - 8,
                                         baseline: rows[r] + 55, seed: r * 3 + c))
            }
        }
        let found = boxes(segmenter.segment(page.bitmap()))
        #expect(found == expected)
        for f in found {
            for x in columns { #expect(!(f.x0 < x && f.x1 > x + 3), "\(f) crosses the ruling at \(x)") }
        }
    }

    /// Words of 4 letters (38 px wide at x-height 14, 9 px apart), then one word right-aligned at `to`.
    private func fillCell(_ page: inout SyntheticPage, from: Int, to: Int, baseline: Int, seed: Int) -> Box {
        var box = page.text(x: from, baseline: baseline, xHeight: 14, words: [4], seed: seed)
        while box.x1 + 9 + 38 + 5 + 8 <= to {
            box = box.union(page.text(x: box.x1 + 9, baseline: baseline, xHeight: 14, words: [4], seed: seed + box.x1))
        }
        let k = (to - box.x1 - 5 + 2) / 10
        if k > 0 { box = box.union(page.text(x: to - (10 * k - 2), baseline: baseline, xHeight: 14, words: [k], seed: seed + 1)) }
        return box
    }

    @Test func dottedLeaderJoinsItemAndAmount() {
        var page = SyntheticPage(width: 800, height: 400)
        let row = page.text(x: 60, baseline: 120, xHeight: 14, words: [6, 3], seed: 3, leaderTo: 600)
        let next = page.text(x: 60, baseline: 170, xHeight: 14, words: [4, 5], seed: 4)
        #expect(boxes(segmenter.segment(page.bitmap())) == [row, next])
    }

    @Test func noiseAndPunchHolesMakeNoLines() {
        var (page, expected) = letterPage()
        page.disc(cx: 30, cy: 300, radius: 22)
        page.disc(cx: 30, cy: 1100, radius: 22)
        var state: UInt32 = 7
        for _ in 0..<400 {
            state = state &* 1664525 &+ 1013904223
            let x = Int(state >> 8) % page.width
            state = state &* 1664525 &+ 1013904223
            let y = Int(state >> 8) % page.height
            page.fill(x, y, x + 1, y + 1)
        }
        #expect(boxes(segmenter.segment(page.bitmap())) == expected)
    }

    @Test func rowsTouchingAtOnePointStayTwoLines() {
        var page = SyntheticPage(width: 800, height: 400)
        let upper = page.text(x: 60, baseline: 120, xHeight: 14, words: [5, 4, 6], seed: 11)
        let lower = page.text(x: 60, baseline: 150, xHeight: 14, words: [6, 5, 3], seed: 12)
        // A one-pixel stroke from a letter of the upper row down into the lower row, like a
        // descender resting on the ascender below.
        page.fill(130, 120, 131, 136)
        let found = boxes(segmenter.segment(page.bitmap()))
        #expect(found.count == 2)
        #expect(found.count == 2 && iou(found[0], upper) > 0.75 && iou(found[1], lower) > 0.75, "\(found) vs \(upper) \(lower)")
    }

    @Test func lineCropIsOneLineEvenWithAWideGap() {
        var page = SyntheticPage(width: 600, height: 60)
        let a = page.text(x: 20, baseline: 40, xHeight: 14, words: [4], seed: 5)
        let b = page.text(x: 400, baseline: 40, xHeight: 14, words: [5], seed: 6)
        #expect(boxes(segmenter.segment(page.bitmap())) == [a.union(b)])
    }

    @Test func lineCropWhoseTextWasMostlyMissedIsReadWhole() {
        // Pale grey letters (lost by the binarisation) with one dark letter: the crop, not the
        // dark letter alone, is the line.
        var page = SyntheticPage(width: 300, height: 48)
        page.text(x: 20, baseline: 32, xHeight: 14, words: [3, 4, 5], seed: 7, colour: (236, 236, 236))
        page.text(x: 140, baseline: 32, xHeight: 14, words: [1], seed: 8)
        #expect(boxes(segmenter.segment(page.bitmap())) == [SyntheticPage.Box(x0: 0, y0: 0, x1: 300, y1: 48)])
    }

    @Test func verticalLineCropIsOneLineAsItLies() {
        // A number printed up a margin, cropped: one line lying on its side, boxed whole (the
        // recogniser turns it), not a stack of one-glyph lines.
        var line = SyntheticPage(width: 240, height: 40)
        line.text(x: 12, baseline: 28, xHeight: 14, words: [8, 5], seed: 9)
        let crop = line.turnedCounterClockwise()
        let layout = segmenter.segment(crop.bitmap())
        #expect(boxes(layout) == [SyntheticPage.Box(x0: 0, y0: 0, x1: 40, y1: 240)])
        #expect(layout.rotation == 0 && layout.lines.allSatisfy(\.vertical))
        // Its crop keeps a margin of 12 % of the line's height, which here is the image's width.
        let image = layout.lineImage(layout.lines[0])
        #expect(image.height >= 2 * image.width, "\(image.width)x\(image.height)")
    }

    @Test func narrowColumnOfUprightLinesKeepsItsLines() {
        // Short upright lines one above the other in a narrow image are not one vertical line.
        var page = SyntheticPage(width: 60, height: 200)
        let expected = (0..<4).map { i in page.text(x: 12, baseline: 40 + i * 44, xHeight: 14, words: [3], seed: 20 + i) }
        let found = boxes(segmenter.segment(page.bitmap()))
        #expect(found.count == expected.count, "\(found)")
    }

    @Test func numberUpTheMarginIsOneVerticalLine() {
        // A page of text with a document number printed up its right margin (a Bates number): its
        // characters, each a glyph on its side, make one vertical line, boxed as it lies.
        var (page, expected) = letterPage()
        // Set a little larger than the text, as such numbers are stamped (much tighter, glyph
        // assembly stacks neighbouring characters into one and no character lies on its side).
        var number = SyntheticPage(width: 300, height: 56)
        let ink = number.text(x: 10, baseline: 38, xHeight: 20, words: [8], seed: 3)
        let turned = number.turnedCounterClockwise()
        page.paste(turned, x: 920, y: 500)
        let margin = number.boxTurnedCounterClockwise(ink)
        let layout = segmenter.segment(page.bitmap())
        let vertical = layout.lines.filter(\.vertical).map { Box(x0: $0.x0, y0: $0.y0, x1: $0.x1, y1: $0.y1) }
        #expect(vertical.count == 1 && iou(vertical[0], Box(x0: 920 + margin.x0, y0: 500 + margin.y0,
                                                             x1: 920 + margin.x1, y1: 500 + margin.y1)) > 0.8, "\(vertical)")
        let rest = layout.lines.filter { !$0.vertical }.map { Box(x0: $0.x0, y0: $0.y0, x1: $0.x1, y1: $0.y1) }
        #expect(rest.count == expected.count && zip(rest, expected).allSatisfy { iou($0, $1) > 0.8 }, "\(rest)")
        // Its crop is as tall as the line, with a margin of 12 % of the line's width.
        if let line = layout.lines.first(where: \.vertical) {
            let image = layout.lineImage(line)
            #expect(image.height >= 2 * image.width, "\(image.width)x\(image.height)")
        }
    }

    @Test func underlinedLabelsOnePerRowStayRows() {
        // `FAX NO.:` underlined, one per row of a form: each label is one blob wider than tall,
        // stacked in a column, yet a row apart and a word long: no vertical line.
        var page = SyntheticPage(width: 600, height: 500)
        for row in 0..<8 {
            let box = page.text(x: 60, baseline: 60 + row * 44, xHeight: 12, words: [3, 2], seed: 30 + row)
            page.fill(box.x0, box.y1 + 1, box.x1, box.y1 + 3)
        }
        let layout = segmenter.segment(page.bitmap())
        #expect(layout.lines.count == 8 && !layout.lines.contains(where: \.vertical), "\(boxes(layout))")
    }

    @Test func blankPageHasNoLines() {
        let layout = segmenter.segment(SyntheticPage(width: 600, height: 800).bitmap())
        #expect(layout.lines.isEmpty)
        #expect(layout.rotation == 0 && layout.skewDegrees == 0)
    }
}

@Suite struct PreprocessingTests {
    let segmenter = LineSegmenter()

    @Test func pageTurnedCounterClockwiseIsReadUpright() {
        let (page, expected) = letterPage()
        let turned = page.turnedCounterClockwise()
        let layout = segmenter.segment(turned.bitmap())
        #expect(layout.rotation == 90)
        #expect(boxes(layout) == expected.map(page.boxTurnedCounterClockwise))
    }

    @Test func pageTurnedClockwiseIsReadUpright() {
        // Three counter-clockwise quarter turns are one clockwise turn.
        let (page, expected) = letterPage()
        let once = page.turnedCounterClockwise(), twice = once.turnedCounterClockwise()
        let layout = segmenter.segment(twice.turnedCounterClockwise().bitmap())
        #expect(layout.rotation == 270)
        let moved = expected.map { twice.boxTurnedCounterClockwise(once.boxTurnedCounterClockwise(page.boxTurnedCounterClockwise($0))) }
        #expect(boxes(layout) == moved)
    }

    @Test func upsideDownPageIsReadUpright() {
        let (page, expected) = letterPage()
        let layout = segmenter.segment(page.turnedUpsideDown().bitmap())
        #expect(layout.rotation == 180)
        #expect(boxes(layout) == expected.map(page.boxUpsideDown))
    }

    @Test func smallSkewIsMeasuredAndLinesStillFound() {
        let (page, expected) = letterPage()
        let layout = segmenter.segment(page.skewed(4).bitmap())
        #expect(abs(layout.skewDegrees - 4) < 0.25, "skew \(layout.skewDegrees)")
        let found = boxes(layout)
        #expect(found.count == expected.count)
        for (f, e) in zip(found, expected.map { page.boxSkewed($0, 4) }) {
            #expect(iou(f, e) > 0.7, "\(f) vs \(e)")
        }
    }

    @Test func redSealOverTextLeavesTheLinesAsTheyWere() {
        var (page, expected) = letterPage()
        page.ring(cx: 400, cy: 300, radius: 130, stroke: 12, colour: (235, 50, 45))
        page.ring(cx: 700, cy: 600, radius: 90, stroke: 8, colour: (40, 60, 230))
        let layout = segmenter.segment(page.bitmap(colour: true))
        #expect(boxes(layout) == expected)
        // Without the colour the seal is dark ink that links lines: the test shows suppression works.
        var plain = LineSegmentationOptions()
        plain.suppressSeals = false
        #expect(boxes(LineSegmenter(options: plain).segment(page.bitmap(colour: true))) != expected)
    }

    @Test func whiteTextOnADarkBarIsFound() {
        var (page, expected) = letterPage()
        page.fill(60, 20, 940, 85)
        let header = page.text(x: 100, baseline: 64, xHeight: 16, words: [7, 5], seed: 77, colour: (255, 255, 255))
        let found = boxes(segmenter.segment(page.bitmap()))
        #expect(found.count == expected.count + 1)
        #expect(found.contains { iou($0, header) > 0.8 }, "header \(header) not in \(found.prefix(2))")
    }

    @Test func fadedPrintNextToDarkInkIsFound() {
        var page = SyntheticPage(width: 1000, height: 1400)
        var expected: [Box] = []
        for i in 0..<10 {
            expected.append(page.text(x: 80, baseline: 120 + i * 48, xHeight: 14, words: [6, 4, 7, 3], seed: i,
                                      colour: (205, 205, 205)))
        }
        // A dark signature-like block far below sets the page's darkest ink.
        page.fill(300, 1100, 700, 1110)
        page.fill(300, 1140, 700, 1150)
        let found = boxes(segmenter.segment(page.bitmap()))
        #expect(Array(found.prefix(10)) == expected)
    }

    @Test func lineImageIsCutWithAMarginAndScaled() {
        let (page, expected) = letterPage()
        let layout = segmenter.segment(page.bitmap())
        let line = layout.lines[0]
        let crop = layout.lineImage(line)
        let h = expected[0].y1 - expected[0].y0
        #expect(abs(crop.height - (h + 2 * Int((0.12 * Double(h)).rounded()))) <= 1)
        #expect(crop.pixels.min()! < 60)
        // The margin is paper.
        #expect(crop.pixels[0..<crop.width].allSatisfy { $0 > 200 })
        let scaled = layout.lineImage(line, height: 32)
        #expect(scaled.height == 32)
        #expect(abs(Double(scaled.width) / 32 - Double(crop.width) / Double(crop.height)) < 0.1)
    }

    @Test func turnedPageCropIsUpright() {
        let (page, _) = letterPage()
        let layout = segmenter.segment(page.turnedCounterClockwise().bitmap())
        let crop = layout.lineImage(layout.lines[0])
        #expect(crop.width > 4 * crop.height)
    }
}

