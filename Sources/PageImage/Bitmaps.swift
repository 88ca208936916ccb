/// An 8-bit grayscale bitmap, row-major, origin top left, no row padding. 0 = black, 255 = white.
public struct GrayImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height, "pixel count must equal width * height")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int, fill: UInt8 = 255) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: fill, count: width * height))
    }

    @inlinable public subscript(x: Int, y: Int) -> UInt8 {
        get { pixels[y * width + x] }
        set { pixels[y * width + x] = newValue }
    }
}

/// An 8-bit RGB bitmap, interleaved R,G,B, row-major, origin top left, no row padding.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3, "pixel count must equal width * height * 3")
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}

/// One page of a document as pixels. `rgb` is present when the source has colour
/// (seal suppression needs it); `gray` always is. Boxes everywhere are in these pixels.
public struct PageBitmap: Sendable {
    /// 1-based page number within its document.
    public let number: Int
    public var gray: GrayImage
    public var rgb: RGBImage?
    /// Dots per inch of this bitmap (the render dpi for PDFs, the file's resolution tag or 300 otherwise).
    public let dpi: Double

    public init(number: Int, gray: GrayImage, rgb: RGBImage?, dpi: Double) {
        self.number = number
        self.gray = gray
        self.rgb = rgb
        self.dpi = dpi
    }
}
