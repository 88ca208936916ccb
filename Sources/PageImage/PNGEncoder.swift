import CImageCodecs
import Foundation

/// Writes page bitmaps as 8-bit PNG (gray or RGB), with the dpi in a pHYs chunk.
public enum PNGEncoder {
    public static func encode(_ image: GrayImage, dpi: Double? = nil, name: String = "PNG") throws -> [UInt8] {
        try encode(image.pixels, width: image.width, height: image.height, channels: 1, dpi: dpi, name: name)
    }

    public static func encode(_ image: RGBImage, dpi: Double? = nil, name: String = "PNG") throws -> [UInt8] {
        try encode(image.pixels, width: image.width, height: image.height, channels: 3, dpi: dpi, name: name)
    }

    /// Writes the page's colour bitmap when it has one, else its gray bitmap, to `path`.
    public static func write(_ page: PageBitmap, to path: String) throws {
        let bytes = try page.rgb.map { try encode($0, dpi: page.dpi, name: path) }
            ?? encode(page.gray, dpi: page.dpi, name: path)
        try write(bytes, to: path)
    }

    public static func write(_ image: GrayImage, dpi: Double? = nil, to path: String) throws {
        try write(try encode(image, dpi: dpi, name: path), to: path)
    }

    private static func write(_ bytes: [UInt8], to path: String) throws {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw PageImageError.encodeFailed(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    private static func encode(_ pixels: [UInt8], width: Int, height: Int, channels: Int32, dpi: Double?, name: String) throws -> [UInt8] {
        guard width > 0 && height > 0 else { throw PageImageError.encodeFailed(path: name, reason: "empty image") }
        var buffer = dv_png_buffer()
        defer { free(buffer.bytes) }
        // Level 3: pages are large and mostly white; higher levels cost much time for little size.
        let status = pixels.withUnsafeBufferPointer {
            dv_png_encode($0.baseAddress, UInt32(width), UInt32(height), channels, dpi ?? 0, 3, &buffer)
        }
        guard status == 0, let bytes = buffer.bytes else {
            let reason = withUnsafeBytes(of: buffer.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw PageImageError.encodeFailed(path: name, reason: reason.isEmpty ? "libpng failed" : reason)
        }
        return Array(UnsafeBufferPointer(start: bytes, count: buffer.size))
    }
}
