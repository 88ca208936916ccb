import Foundation
import PageImage

/// Paths of the committed fixtures (made by scripts/make-test-fixtures) and examples (made by
/// scripts/make-examples), and small crafted byte sequences for error paths.
enum FixtureFiles {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repository = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()

    static func fixture(_ name: String) -> String { testsDirectory.appendingPathComponent("Fixtures/\(name)").path }
    static func example(_ name: String) -> String { repository.appendingPathComponent("examples/\(name)").path }
    static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    static func temporaryFile(_ bytes: [UInt8], suffix: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("pageimage-\(UUID().uuidString)\(suffix)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return ~crc
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    /// A PNG whose header claims width x height; the (empty) pixel data never gets read.
    static func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        let ihdr = Array("IHDR".utf8) + bigEndian(width) + bigEndian(height) + [8, 0, 0, 0, 0]
        let idat = Array("IDAT".utf8) + [0x78, 0x01]
        let iend = Array("IEND".utf8)
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            + bigEndian(13) + ihdr + bigEndian(crc32(ihdr))
            + bigEndian(2) + idat + bigEndian(crc32(idat))
            + bigEndian(0) + iend + bigEndian(crc32(iend))
    }

    /// A little-endian TIFF whose only directory claims width x height, 8-bit gray, one strip
    /// (whose bytes are missing: the file ends after the directory).
    static func tiffHeader(width: UInt32, height: UInt32) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
        func entry(_ tag: UInt16, _ type: UInt16, _ value: UInt32) -> [UInt8] {
            u16(tag) + u16(type) + u32(1) + (type == 3 ? u16(UInt16(value)) + [0, 0] : u32(value))
        }
        let entries = [entry(256, 4, width), entry(257, 4, height), entry(258, 3, 8), entry(259, 3, 1),
                       entry(262, 3, 1), entry(273, 4, 8), entry(277, 3, 1), entry(278, 4, height),
                       entry(279, 4, width &* height)]
        return [0x49, 0x49, 42, 0] + u32(8) + u16(UInt16(entries.count)) + entries.flatMap { $0 } + u32(0)
    }

    /// `jpeg` with the frame header's size replaced (a JPEG bomb: tiny file, huge claimed size).
    static func jpeg(_ jpeg: [UInt8], claimingWidth width: UInt16, height: UInt16) -> [UInt8] {
        var bytes = jpeg
        for i in 0..<(bytes.count - 9) where bytes[i] == 0xFF && (bytes[i + 1] == 0xC0 || bytes[i + 1] == 0xC2) {
            bytes[i + 5] = UInt8(height >> 8); bytes[i + 6] = UInt8(height & 0xFF)
            bytes[i + 7] = UInt8(width >> 8); bytes[i + 8] = UInt8(width & 0xFF)
            return bytes
        }
        return bytes
    }
}
