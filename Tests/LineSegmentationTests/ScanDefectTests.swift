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
}
