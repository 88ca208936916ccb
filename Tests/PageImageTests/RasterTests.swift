import Foundation
import Testing
@testable import PageImage

@Suite struct PNGTests {
    @Test func sixteenBitGrayIsScaledTo8Bit() throws {
        let page = try Document(path: FixtureFiles.fixture("gray16.png")).page(1)
        #expect(page.gray.width == 8 && page.gray.height == 4)
        #expect(page.gray[0, 0] == 0 && page.gray[7, 3] == 255)
        #expect(page.rgb == nil)
        #expect(page.dpi == 300)
    }

    @Test func paletteBecomesColour() throws {
        let page = try Document(path: FixtureFiles.fixture("palette.png")).page(1)
        let rgb = try #require(page.rgb)
        #expect(Array(rgb.pixels[0..<3]) == [255, 0, 0])
        #expect(page.gray[0, 0] == PixelConversion.luma(255, 0, 0))
        #expect(page.gray[7, 7] == 255)
    }

    @Test func alphaIsCompositedOnWhite() throws {
        let rgba = try Document(path: FixtureFiles.fixture("rgba.png")).page(1)
        #expect(rgba.gray[0, 0] == 0)      // opaque black
        #expect(rgba.gray[7, 0] == 255)    // fully transparent -> paper
        #expect(rgba.gray[7, 7] == 127)    // half-transparent black
        #expect(Array(try #require(rgba.rgb).pixels[(7 * 8) * 3..<(7 * 8) * 3 + 3]) == [255, 0, 0])
        let grayAlpha = try Document(path: FixtureFiles.fixture("gray-alpha.png")).page(1)
        #expect(grayAlpha.gray[0, 0] == 0 && grayAlpha.gray[7, 0] == 255 && grayAlpha.gray[0, 7] == 100)
        #expect(grayAlpha.gray[7, 7] == 127)
    }

    @Test func interlacedDecodesLikePlain() throws {
        let interlaced = try Document(path: FixtureFiles.fixture("interlaced.png")).page(1)
        let plain = try Document(path: FixtureFiles.fixture("plain.png")).page(1)
        #expect(interlaced.gray == plain.gray)
        #expect(interlaced.rgb == plain.rgb)
    }

    @Test func encoderRoundTrips() throws {
        var image = GrayImage(width: 5, height: 3)
        image[1, 2] = 0
        image[4, 0] = 77
        let bytes = try PNGEncoder.encode(image, dpi: 200)
        let page = try Document(bytes: bytes, name: "memory.png").page(1)
        #expect(page.gray == image)
        #expect(abs(page.dpi - 200) < 0.1)
        let colour = RGBImage(width: 2, height: 1, pixels: [255, 0, 0, 0, 0, 255])
        #expect(try Document(bytes: PNGEncoder.encode(colour), name: "c.png").page(1).rgb == colour)
    }

    @Test func truncatedPNGIsCorrupt() throws {
        let bytes = try FixtureFiles.bytes(FixtureFiles.fixture("plain.png"))
        let document = try Document(bytes: Array(bytes.prefix(bytes.count - 20)), name: "cut.png")
        #expect(throws: PageImageError.self) { try document.page(1) }
        #expect {
            try document.page(1)
        } throws: { error in
            guard case PageImageError.corrupt(let path, _) = error else { return false }
            return path == "cut.png"
        }
    }

    @Test func pngBombIsRefusedFromItsHeader() {
        let bomb = FixtureFiles.pngHeader(width: 100_000, height: 100_000)
        #expect(throws: PageImageError.tooManyPixels(path: "bomb.png", page: 1, width: 100_000, height: 100_000,
                                                     limit: Limits.default.maxPixelsPerPage)) {
            try Document(bytes: bomb, name: "bomb.png")
        }
    }
}

@Suite struct JPEGTests {
    @Test func grayJPEG() throws {
        let page = try Document(path: FixtureFiles.fixture("gray.jpg")).page(1)
        #expect(page.rgb == nil)
        #expect(page.gray[0, 0] < 20 && page.gray[15, 0] > 235 && page.gray[15, 15] < 20)
    }

    @Test func adobeCMYKBecomesRGB() throws {
        let rgb = try #require(try Document(path: FixtureFiles.fixture("cmyk.jpg")).page(1).rgb)
        func pixel(_ x: Int, _ y: Int) -> [Int] { (0..<3).map { Int(rgb.pixels[(y * 16 + x) * 3 + $0]) } }
        func near(_ a: [Int], _ b: [Int]) -> Bool { zip(a, b).allSatisfy { abs($0 - $1) < 24 } }
        #expect(near(pixel(2, 2), [255, 0, 0]))     // C0 M255 Y255 K0
        #expect(near(pixel(13, 2), [255, 255, 255])) // no ink
        #expect(near(pixel(2, 13), [0, 0, 0]))       // K255
        #expect(near(pixel(13, 13), [0, 255, 0]))    // C255 Y255
    }

    @Test func exifOrientationIsApplied() throws {
        let document = try Document(path: FixtureFiles.fixture("exif-rotate90.jpg"))
        #expect(try document.pageSize(1) == PageSize(width: 16, height: 32, dpi: 300))
        let page = try document.page(1)
        #expect(page.gray.width == 16 && page.gray.height == 32)
        #expect(page.gray[12, 4] < 40)   // the stored top-left block, turned clockwise, is top right
        #expect(page.gray[3, 4] > 215 && page.gray[3, 28] > 215)
    }

    @Test func orientationTableTurnsAllEightWays() {
        // 2x1 image [a b]; expected layouts after each orientation.
        let pixels: [UInt8] = [1, 2]
        let expected: [Int: ([UInt8], Int, Int)] = [1: ([1, 2], 2, 1), 2: ([2, 1], 2, 1), 3: ([2, 1], 2, 1),
                                                    4: ([1, 2], 2, 1), 5: ([1, 2], 1, 2), 6: ([1, 2], 1, 2),
                                                    7: ([2, 1], 1, 2), 8: ([2, 1], 1, 2)]
        for (orientation, want) in expected {
            let got = ExifOrientation.apply(orientation, to: pixels, width: 2, height: 1, channels: 1)
            #expect(got.0 == want.0 && got.1 == want.1 && got.2 == want.2, "orientation \(orientation)")
        }
    }

    @Test func jpegBombIsRefusedFromItsHeader() throws {
        let bomb = FixtureFiles.jpeg(try FixtureFiles.bytes(FixtureFiles.fixture("gray.jpg")), claimingWidth: 60000, height: 60000)
        #expect(throws: PageImageError.tooManyPixels(path: "bomb.jpg", page: 1, width: 60000, height: 60000,
                                                     limit: Limits.default.maxPixelsPerPage)) {
            try Document(bytes: bomb, name: "bomb.jpg")
        }
    }

    @Test func truncatedJPEGIsCorrupt() throws {
        let bytes = try FixtureFiles.bytes(FixtureFiles.example("receipt-photo.jpg"))
        let document = try Document(bytes: Array(bytes.prefix(bytes.count / 2)), name: "cut.jpg")
        #expect(throws: PageImageError.corrupt(path: "cut.jpg", reason: "JPEG data ends early")) { try document.page(1) }
    }
}

@Suite struct TIFFTests {
    @Test func multiPageLZW() throws {
        let document = try Document(path: FixtureFiles.fixture("two-page.tif"))
        #expect(document.pageCount == 2)
        let first = try document.page(1)
        #expect(first.number == 1 && first.dpi == 150)
        #expect(Array(try #require(first.rgb).pixels[0..<3]) == [255, 0, 0])
        let second = try document.page(2)
        #expect(second.number == 2 && second.gray[0, 0] == 255 && second.gray[15, 0] == 0)
    }

    @Test func bilevelG4WithResolution() throws {
        let page = try Document(path: FixtureFiles.fixture("g4.tif")).page(1)
        #expect(page.dpi == 200 && page.rgb == nil)
        #expect(page.gray.width == 64 && page.gray.height == 32)
        #expect(page.gray[0, 0] == 0 && page.gray[63, 0] == 255 && page.gray[63, 31] == 0)
    }

    @Test func jpegInTIFFAndCentimetres() throws {
        let page = try Document(path: FixtureFiles.fixture("jpeg.tif")).page(1)
        #expect(page.gray[1, 1] > 230 && page.gray[14, 1] < 25)
        #expect(abs(try Document(path: FixtureFiles.fixture("cm.tif")).page(1).dpi - 127) < 0.01)
    }

    @Test func tiffBombIsRefusedAtOpen() {
        #expect(throws: PageImageError.tooManyPixels(path: "bomb.tif", page: 1, width: 200_000, height: 100_000,
                                                     limit: Limits.default.maxPixelsPerPage)) {
            try Document(bytes: FixtureFiles.tiffHeader(width: 200_000, height: 100_000), name: "bomb.tif")
        }
    }

    @Test func truncatedTIFFIsCorrupt() throws {
        // Refused at open since strips past the end of the file are checked there (issue 10).
        #expect {
            try Document(bytes: FixtureFiles.tiffHeader(width: 100, height: 100), name: "cut.tif").page(1)
        } throws: { error in
            guard case PageImageError.corrupt(let path, _) = error else { return false }
            return path == "cut.tif"
        }
    }

    @Test func tooManyPages() {
        let path = FixtureFiles.fixture("two-page.tif")
        #expect(throws: PageImageError.tooManyPages(path: path, pages: 2, limit: 1)) {
            try Document(path: path, limits: Limits(maxPages: 1))
        }
    }
}

@Suite struct OpeningTests {
    @Test func emptyFile() throws {
        let path = try FixtureFiles.temporaryFile([], suffix: ".pdf")
        #expect(throws: PageImageError.emptyFile(path: path)) { try Document(path: path) }
        #expect(throws: PageImageError.emptyFile(path: "upload")) { try Document(data: Data(), name: "upload") }
    }

    @Test func unknownFormatIgnoresExtension() throws {
        let path = try FixtureFiles.temporaryFile(Array("hello, not an image".utf8), suffix: ".png")
        #expect(throws: PageImageError.unknownFormat(path: path)) { try Document(path: path) }
    }

    @Test func formatComesFromContentNotName() throws {
        let bytes = try FixtureFiles.bytes(FixtureFiles.fixture("gray.jpg"))
        let path = try FixtureFiles.temporaryFile(bytes, suffix: ".pdf")
        #expect(try Document(path: path).format == .jpeg)
    }

    @Test func fileSizeLimit() {
        let path = FixtureFiles.example("invoice-en.pdf")
        #expect {
            try Document(path: path, limits: Limits(maxFileBytes: 1000))
        } throws: { error in
            guard case PageImageError.fileTooLarge(let p, _, 1000) = error else { return false }
            return p == path
        }
    }

    @Test func missingFileAndDirectory() {
        #expect(throws: PageImageError.unreadable(path: "/nonexistent/x.pdf", reason: "no such file")) {
            try Document(path: "/nonexistent/x.pdf")
        }
        #expect(throws: PageImageError.unreadable(path: "/tmp", reason: "is a directory")) { try Document(path: "/tmp") }
    }

    @Test func errorsReadAsOneLineNamingTheFile() {
        let error = PageImageError.encryptedPDF(path: "a/b.pdf")
        #expect(error.description == "a/b.pdf: encrypted PDF (password required)")
        #expect(!PageImageError.corrupt(path: "x", reason: "y").description.contains("\n"))
    }

    @Test func examplesOpen() throws {
        #expect(try Document(path: FixtureFiles.example("scan-2page.tif")).pageCount == 2)
        #expect(try Document(path: FixtureFiles.example("receipt-photo.jpg")).page(1).rgb != nil)
    }
}
