import Foundation
import Testing
@testable import PageImage

@Suite struct PDFTests {
    let invoice = FixtureFiles.example("invoice-en.pdf")
    let fapiao = FixtureFiles.example("fapiao-zh.pdf")

    @Test func opensInvoiceWithTextLayer() throws {
        let document = try Document(path: invoice)
        #expect(document.format == .pdf)
        #expect(document.pageCount == 1)
        #expect(document.hasTextLayer)
        // A4 is 595.276 x 841.89 pt; pdftoppm -r 300 gives 2481 x 3508.
        #expect(try document.pageSize(1, dpi: 300) == PageSize(width: 2481, height: 3508, dpi: 300))
    }

    @Test func pixelSizeMatchesPdftoppm() {
        #expect(PDFSource.pixels(points: 612, dpi: 300) == 2550)
        #expect(PDFSource.pixels(points: 792, dpi: 300) == 3300) // 3300.0000000000005 in doubles
        #expect(PDFSource.pixels(points: 595.276, dpi: 300) == 2481)
        #expect(PDFSource.pixels(points: 842, dpi: 300) == 3509)
        #expect(PDFSource.pixels(points: 394, dpi: 300) == 1642)
        #expect(PDFSource.pixels(points: 50.01, dpi: 150) == 105)
    }

    @Test func rendersGrayPageWithInk() throws {
        let page = try Document(path: invoice).page(1, dpi: 72, colour: true)
        #expect(page.gray.width == 596 && page.gray.height == 842)
        #expect(page.dpi == 72)
        #expect(page.gray.pixels[0] == 255) // white paper in the corner
        let dark = page.gray.pixels.filter { $0 < 128 }.count
        #expect(dark > 1000 && dark < page.gray.pixels.count / 10)
    }

    @Test func textLayerWordsSitOnTheirInk() throws {
        let document = try Document(path: invoice)
        let words = try document.textLayer(page: 1, dpi: 150)
        let number = try #require(words.first { $0.text == "INV-2024-00731" })
        // Drawn at x = 460 pt, baseline y = 155 pt (10 pt type): at 150 dpi x0 ~ 958, y ~ 300..325.
        #expect(abs(number.x0 - 460 * 150 / 72) < 3)
        #expect(number.y0 > 290 && number.y1 < 330 && number.x1 > number.x0)
        let page = try document.page(1, dpi: 150, colour: false)
        var ink = 0
        for y in Int(number.y0)..<Int(number.y1) {
            for x in Int(number.x0)..<Int(number.x1) where page.gray[x, y] < 128 { ink += 1 }
        }
        #expect(ink > 50)
        #expect(words.contains { $0.text == "ACME" })
    }

    @Test func chineseInvoiceHasColourAndCJKText() throws {
        let document = try Document(path: fapiao)
        let page = try document.page(1, dpi: 100)
        let rgb = try #require(page.rgb) // the red seal
        var red = 0
        for i in stride(from: 0, to: rgb.pixels.count, by: 3) where rgb.pixels[i] > 180 && rgb.pixels[i + 1] < 80 {
            red += 1
        }
        #expect(red > 200)
        let text = try document.textLayer(page: 1, dpi: 100).map(\.text).joined(separator: " ")
        #expect(text.contains("24412000000012345678"))
        #expect(text.contains("深圳市华南科技有限公司"))
        #expect(try document.page(1, dpi: 100, colour: false).rgb == nil)
    }

    @Test func truncatedPDFIsCorrupt() throws {
        let bytes = try FixtureFiles.bytes(invoice)
        let path = try FixtureFiles.temporaryFile(Array(bytes.prefix(bytes.count / 2)), suffix: ".pdf")
        #expect(throws: PageImageError.corrupt(path: path, reason: "PDF ends without %%EOF (truncated)")) {
            try Document(path: path)
        }
    }

    @Test func garbageAfterHeaderIsCorrupt() {
        let bytes = Array("%PDF-1.7\nthis is not a PDF body\n%%EOF\n".utf8)
        #expect {
            try Document(bytes: bytes, name: "upload.pdf")
        } throws: { error in
            guard case PageImageError.corrupt(let path, _) = error else { return false }
            return path == "upload.pdf"
        }
    }

    @Test func encryptedPDFIsRefused() {
        let path = FixtureFiles.fixture("encrypted.pdf")
        #expect(throws: PageImageError.encryptedPDF(path: path)) { try Document(path: path) }
    }

    @Test func pageLimitsAndRanges() throws {
        let document = try Document(path: invoice, limits: Limits(maxPixelsPerPage: 1_000_000))
        #expect(throws: PageImageError.tooManyPixels(path: invoice, page: 1, width: 2481, height: 3508, limit: 1_000_000)) {
            try document.page(1, dpi: 300)
        }
        #expect(throws: PageImageError.pageOutOfRange(path: invoice, page: 2, pageCount: 1)) { try document.page(2) }
        #expect(throws: PageImageError.invalidDPI(path: invoice, dpi: 0)) { try document.page(1, dpi: 0) }
    }

    @Test func pdfPageCountLimit() {
        #expect(throws: PageImageError.tooManyPages(path: invoice, pages: 1, limit: 0)) {
            try Document(path: invoice, limits: Limits(maxPages: 0))
        }
    }

    @Test func inMemoryPDFMatchesFile() throws {
        let fromFile = try Document(path: invoice).page(1, dpi: 50)
        let upload = try Document(data: Data(contentsOf: URL(fileURLWithPath: invoice)), name: "upload")
        #expect(upload.path == "upload")
        #expect(try upload.page(1, dpi: 50).gray == fromFile.gray)
    }

    @Test func assemblerSplitsWordsAndLines() {
        let scalars = Array("ab c\nd".unicodeScalars)
        let boxes: [(Double, Double, Double, Double)] = [(0, 0, 1, 2), (1, 0, 2, 2), (2, 0, 3, 2), (3, 0, 4, 2),
                                                         (4, 0, 5, 2), (0, 3, 1, 5)]
        let words = TextLayerAssembler.words(scalars: scalars, boxes: boxes, scale: 2)
        #expect(words.map(\.text) == ["ab", "c", "d"])
        #expect(words.map(\.line) == [0, 0, 1])
        #expect(words[0].x0 == 0 && words[0].x1 == 4 && words[0].y1 == 4)
        #expect(words[2].y0 == 6)
    }

    @Test func assemblerSplitsTableCellsLaidOutWithoutSpaces() {
        // "878" and "727" in two columns, "1,9" tightly kerned: no space characters between cells.
        let scalars = Array("8787271,9".unicodeScalars)
        let xs: [Double] = [0, 5, 10, 40, 45, 50, 80, 84.5, 86]
        let boxes = xs.map { ($0, 0.0, $0 + 5, 10.0) }
        let words = TextLayerAssembler.words(scalars: scalars, boxes: boxes, scale: 1)
        #expect(words.map(\.text) == ["878", "727", "1,9"])
        #expect(words.map(\.line) == [0, 0, 0])
    }

    @Test func assemblerEndsAWordWhereTheTextStepsBackToTheLeft() {
        let scalars = Array("abcd".unicodeScalars)
        let boxes: [(Double, Double, Double, Double)] = [(100, 0, 105, 10), (105, 0, 110, 10), (0, 20, 5, 30), (5, 20, 10, 30)]
        #expect(TextLayerAssembler.words(scalars: scalars, boxes: boxes, scale: 1).map(\.text) == ["ab", "cd"])
    }
}
