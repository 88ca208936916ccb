import Foundation

/// Writes bitmaps as binary netpbm (PGM for gray, PPM for RGB): no compression, so writing costs
/// nothing next to rasterising; `pdftoppm -gray` writes the same format, which keeps
/// scripts/bench-render a like-for-like comparison.
public enum PNMEncoder {
    public static func encode(_ image: GrayImage) -> [UInt8] {
        Array("P5\n\(image.width) \(image.height)\n255\n".utf8) + image.pixels
    }

    public static func encode(_ image: RGBImage) -> [UInt8] {
        Array("P6\n\(image.width) \(image.height)\n255\n".utf8) + image.pixels
    }

    /// Writes the page's colour bitmap as PPM when it has one, else its gray bitmap as PGM. Writes
    /// straight from the bitmap's storage: a 300-dpi page is 8-25 MB, not worth copying.
    public static func write(_ page: PageBitmap, to path: String) throws {
        let (magic, width, height, pixels) = page.rgb.map { ("P6", $0.width, $0.height, $0.pixels) }
            ?? ("P5", page.gray.width, page.gray.height, page.gray.pixels)
        guard let file = fopen(path, "wb") else {
            throw PageImageError.encodeFailed(path: path, reason: String(cString: strerror(errno)))
        }
        let header = Array("\(magic)\n\(width) \(height)\n255\n".utf8)
        var written = fwrite(header, 1, header.count, file)
        written += pixels.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
        let closed = fclose(file) == 0
        guard closed && written == header.count + pixels.count else {
            throw PageImageError.encodeFailed(path: path, reason: "short write (disk full?)")
        }
    }
}
