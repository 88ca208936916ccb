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

    /// Writes the page's colour bitmap as PPM when it has one, else its gray bitmap as PGM.
    public static func write(_ page: PageBitmap, to path: String) throws {
        let bytes = page.rgb.map(encode) ?? encode(page.gray)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            throw PageImageError.encodeFailed(path: path, reason: (error as NSError).localizedDescription)
        }
    }
}
