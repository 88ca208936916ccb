import Foundation
import Testing
@testable import PageImage

/// A bilevel G4 scan cut short (scripts/make-hostile's truncations of examples/scan-2page.tif)
/// used to decode "successfully" with the missing rows white, and was stored as complete.
@Suite struct TruncatedTIFFTests {
    /// An uncompressed 8-bit gray TIFF, IFD first, then `height` rows of `width` bytes.
    static func grayTIFF(width: UInt32, height: UInt32) -> [UInt8] {
        func le16(_ v: UInt16) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        let entries: [(UInt16, UInt16, UInt32)] = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
                                                   (273, 4, 0), (277, 3, 1), (278, 4, height), (279, 4, width * height)]
        let dataOffset = UInt32(8 + 2 + 12 * entries.count + 4)
        var bytes: [UInt8] = [0x49, 0x49, 0x2A, 0x00] + le32(8) + le16(UInt16(entries.count))
        for (tag, type, value) in entries {
            bytes += le16(tag) + le16(type) + le32(1) + (type == 3 ? le16(UInt16(value)) + [0, 0] : le32(tag == 273 ? dataOffset : value))
        }
        bytes += le32(0)
        bytes += (0..<Int(width * height)).map { UInt8(truncatingIfNeeded: $0) }
        return bytes
    }

    @Test func intactTIFFDecodes() throws {
        let document = try Document(bytes: Self.grayTIFF(width: 16, height: 8), name: "whole.tif")
        let page = try document.page(1)
        #expect(page.gray.width == 16 && page.gray.height == 8)
        #expect(page.gray.pixels[17] == 17)
    }

    @Test(arguments: [1, 40, 127])
    func tiffWithStripsPastTheEndIsCorrupt(_ cut: Int) throws {
        let whole = Self.grayTIFF(width: 16, height: 8)
        let bytes = Array(whole.dropLast(cut))
        #expect {
            _ = try Document(bytes: bytes, name: "cut.tif").page(1)
        } throws: { error in
            guard case .corrupt(let path, let reason) = error as? PageImageError else { return false }
            return path == "cut.tif" && reason.contains("truncated")
        }
    }

    @Test func truncatedExampleScanIsRefused() throws {
        let whole = try FixtureFiles.bytes(FixtureFiles.example("scan-2page.tif"))
        for fraction in [0.6, 0.75, 0.9, 0.97] {
            let bytes = Array(whole.prefix(Int(Double(whole.count) * fraction)))
            #expect(throws: PageImageError.self) {
                let document = try Document(bytes: bytes, name: "scan.tif")
                for number in 1...document.pageCount { _ = try document.page(number) }
            }
        }
    }
}
