import Foundation
import Testing
@testable import PageImage

/// poppler's cairo backend skips an image it cannot allocate (over a memory limit, or wider than
/// cairo's 32767-pixel surfaces) and the page renders blank there without an error; `Document`
/// must say so instead of passing the page off as read.
@Suite struct DroppedImageTests {
    /// One page (200x200 pt) drawing one uncompressed 1-bit gray image of `width`x`height` pixels
    /// over a 100x100 pt square, every pixel `bit`.
    static func pdf(imageWidth width: Int, height: Int, bit: UInt8) -> [UInt8] {
        let rowBytes = (width + 7) / 8
        let pixels = [UInt8](repeating: bit == 0 ? 0x00 : 0xFF, count: rowBytes * height)
        let content = Array("q 100 0 0 100 50 50 cm /Im Do Q".utf8)
        let objects: [[UInt8]] = [
            Array("<< /Type /Catalog /Pages 2 0 R >>".utf8),
            Array("<< /Type /Pages /Kids [3 0 R] /Count 1 >>".utf8),
            Array("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources << /XObject << /Im 5 0 R >> >> /Contents 4 0 R >>".utf8),
            Array("<< /Length \(content.count) >>\nstream\n".utf8) + content + Array("\nendstream".utf8),
            Array("<< /Type /XObject /Subtype /Image /Width \(width) /Height \(height) /ColorSpace /DeviceGray /BitsPerComponent 1 /Length \(pixels.count) >>\nstream\n".utf8)
                + pixels + Array("\nendstream".utf8),
        ]
        var out = Array("%PDF-1.4\n".utf8)
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(out.count)
            out += Array("\(index + 1) 0 obj\n".utf8) + object + Array("\nendobj\n".utf8)
        }
        let xref = out.count
        out += Array("xref\n0 \(objects.count + 1)\n0000000000 65535 f \n".utf8)
        for offset in offsets { out += Array(String(format: "%010d 00000 n \n", offset).utf8) }
        out += Array("trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n".utf8)
        return out
    }

    @Test func anImageCairoCannotHoldIsReportedNotBlank() throws {
        // 33,000 pixels wide: over cairo's surface limit, so poppler drops it whatever the memory.
        let document = try Document(bytes: Self.pdf(imageWidth: 33_000, height: 2, bit: 0), name: "wide.pdf")
        let page = try document.page(1, dpi: 72)
        #expect(page.gray.pixels.allSatisfy { $0 == 255 }, "poppler drew it after all: the test no longer tests anything")
        let warnings = document.renderWarnings(page: 1)
        #expect(warnings.count == 1)
        // Named from the file's declaration, without decoding the image again (which for a
        // 20000x20000 bomb took 12-25 s and the memory the render could not have).
        #expect(warnings.first == "an image could not be drawn (the file declares a 33000x2 image; over the reader's "
                + "memory limit or damaged), so the page is missing that content", "\(warnings)")
    }

    @Test func declaredImageSizesAreReadFromTheDictionariesAlone() {
        func sizes(_ text: String) -> [[Int]] { DeclaredImages.sizes(in: Array(text.utf8)).map { [$0.width, $0.height] } }
        #expect(sizes("5 0 obj\n<< /Type /XObject /Subtype /Image /Width 20000 /Height 30000 /Length 9 >>\nstream\n") == [[20000, 30000]])
        #expect(sizes("7 0 obj<</Height 12/Subtype/Image/Width 34/BitsPerComponent 8>>stream") == [[34, 12]])
        // Not an image: an image mask flag, a form; a size given by reference is not followed.
        #expect(sizes("1 0 obj << /ImageMask true /Width 5 /Height 5 >> stream") == [])
        #expect(sizes("2 0 obj << /Subtype /Form /BBox [0 0 10 10] >> stream") == [])
        #expect(sizes("3 0 obj << /Subtype /Image /Width 9 0 R /Height 40 >> stream") == [])
        // Each image's own dictionary, not its neighbour's.
        let two = "4 0 obj << /Subtype /Image /Width 10 /Height 20 >> stream\nxx\nendstream endobj\n"
            + "6 0 obj << /Subtype /Image /Width 40000 /Height 3 >> stream"
        #expect(sizes(two) == [[10, 20], [40000, 3]])
        let oversized = DeclaredImages.oversized(in: Array(two.utf8), pixelLimit: 100_000_000)
        #expect(oversized?.width == 40000 && oversized?.height == 3)
        // A 64x64 image is decoded to check it, unless pages may only have fewer pixels.
        #expect(DeclaredImages.oversized(in: Self.pdf(imageWidth: 64, height: 64, bit: 0), pixelLimit: 100_000_000) == nil)
        #expect(DeclaredImages.oversized(in: Self.pdf(imageWidth: 64, height: 64, bit: 0), pixelLimit: 4095)?.width == 64)
    }

    @Test func drawnAndTrulyWhiteImagesAreNotReported() throws {
        let black = try Document(bytes: Self.pdf(imageWidth: 64, height: 64, bit: 0), name: "black.pdf")
        #expect(try black.page(1, dpi: 72).gray.pixels.contains(0))
        #expect(black.renderWarnings(page: 1).isEmpty)
        // A white image leaves its area as white as a dropped one: decoding it settles that it was drawn.
        let white = try Document(bytes: Self.pdf(imageWidth: 64, height: 64, bit: 1), name: "white.pdf")
        #expect(try white.page(1, dpi: 72).gray.pixels.allSatisfy { $0 == 255 })
        #expect(white.renderWarnings(page: 1).isEmpty)
        #expect(white.renderWarnings(page: 2).isEmpty)
    }
}
