import CImageCodecs

/// The resolution assumed for images that do not state one.
public let defaultImageDPI = 300.0

private func checkPixels(_ width: Int, _ height: Int, page: Int, name: String, limits: Limits) throws {
    if width <= 0 || height <= 0 {
        throw PageImageError.corrupt(path: name, reason: "image has no pixels (\(width)x\(height))")
    }
    if width.multipliedReportingOverflow(by: height).partialValue > limits.maxPixelsPerPage || width > 1 << 20 || height > 1 << 20 {
        throw PageImageError.tooManyPixels(path: name, page: page, width: width, height: height, limit: limits.maxPixelsPerPage)
    }
}

/// A single-page PNG (palette, 1-16 bit, gray/RGB with or without alpha, interlaced).
final class PNGSource: PageSource {
    private let bytes: [UInt8]
    private let name: String
    private let width: Int, height: Int, dpi: Double
    let pageCount = 1
    let hasTextLayer = false

    init(bytes: [UInt8], name: String, limits: Limits) throws {
        self.bytes = bytes
        self.name = name
        (width, height, dpi) = try bytes.withUnsafeBufferPointer { buffer in
            guard let png = dv_png_open(buffer.baseAddress, buffer.count) else {
                throw PageImageError.renderFailed(path: name, page: 1, reason: "out of memory")
            }
            defer { dv_png_close(png) }
            if dv_png_failed(png) != 0 { throw PageImageError.corrupt(path: name, reason: String(cString: dv_png_message(png))) }
            let dpi = dv_png_dpi(png)
            return (Int(dv_png_width(png)), Int(dv_png_height(png)), dpi > 0 ? dpi : defaultImageDPI)
        }
        try checkPixels(width, height, page: 1, name: name, limits: limits)
    }

    func size(ofPage index: Int, dpi: Double) throws -> PageSize { PageSize(width: width, height: height, dpi: self.dpi) }

    func render(page index: Int, dpi: Double, colour: Bool) throws -> PageBitmap {
        let name = self.name, width = self.width, height = self.height
        let (samples, channels, hasColour) = try bytes.withUnsafeBufferPointer { buffer -> ([UInt8], Int, Bool) in
            guard let png = dv_png_open(buffer.baseAddress, buffer.count) else {
                throw PageImageError.renderFailed(path: name, page: 1, reason: "out of memory")
            }
            defer { dv_png_close(png) }
            let channels = Int(dv_png_prepare(png))
            var failed = channels < 1
            let samples = [UInt8](unsafeUninitializedCapacity: failed ? 0 : width * height * channels) { out, n in
                if !failed { failed = dv_png_decode(png, out.baseAddress) != 0 }
                n = out.count
            }
            if failed { throw PageImageError.corrupt(path: name, reason: String(cString: dv_png_message(png))) }
            return (samples, channels, dv_png_has_colour(png) != 0)
        }
        let (gray, rgb) = PixelConversion.split(samples, width: width, height: height, channels: channels,
                                                keepColour: colour && hasColour)
        return PageBitmap(number: 1, gray: gray, rgb: rgb, dpi: self.dpi)
    }

    func words(onPage index: Int, dpi: Double) throws -> [TextLayerWord] { [] }
}

/// A single-page JPEG: gray, YCbCr, CMYK/YCCK (Adobe-inverted or not), EXIF orientation applied.
final class JPEGSource: PageSource {
    private let bytes: [UInt8]
    private let name: String
    private let width: Int, height: Int, orientation: Int
    let pageCount = 1
    let hasTextLayer = false

    init(bytes: [UInt8], name: String, limits: Limits) throws {
        self.bytes = bytes
        self.name = name
        (width, height, orientation) = try bytes.withUnsafeBufferPointer { buffer in
            guard let jpeg = dv_jpeg_open(buffer.baseAddress, UInt(buffer.count)) else {
                throw PageImageError.renderFailed(path: name, page: 1, reason: "out of memory")
            }
            defer { dv_jpeg_close(jpeg) }
            if dv_jpeg_failed(jpeg) != 0 { throw PageImageError.corrupt(path: name, reason: String(cString: dv_jpeg_message(jpeg))) }
            var length: UInt32 = 0
            var orientation = 1
            if let exif = dv_jpeg_exif(jpeg, &length) {
                orientation = ExifOrientation.read(Array(UnsafeBufferPointer(start: exif, count: Int(length))))
            }
            return (Int(dv_jpeg_width(jpeg)), Int(dv_jpeg_height(jpeg)), orientation)
        }
        try checkPixels(width, height, page: 1, name: name, limits: limits)
    }

    func size(ofPage index: Int, dpi: Double) throws -> PageSize {
        orientation >= 5 ? PageSize(width: height, height: width, dpi: defaultImageDPI)
                         : PageSize(width: width, height: height, dpi: defaultImageDPI)
    }

    func render(page index: Int, dpi: Double, colour: Bool) throws -> PageBitmap {
        let name = self.name, width = self.width, height = self.height, count = width * height
        var (samples, components, cmyk, inverted) = try bytes.withUnsafeBufferPointer { buffer -> ([UInt8], Int, Bool, Bool) in
            guard let jpeg = dv_jpeg_open(buffer.baseAddress, UInt(buffer.count)) else {
                throw PageImageError.renderFailed(path: name, page: 1, reason: "out of memory")
            }
            defer { dv_jpeg_close(jpeg) }
            let cmyk = dv_jpeg_is_cmyk(jpeg) != 0
            let components = cmyk ? 4 : dv_jpeg_is_gray(jpeg) != 0 ? 1 : 3
            var failed = false
            let samples = [UInt8](unsafeUninitializedCapacity: count * components) { out, n in
                failed = dv_jpeg_decode(jpeg, out.baseAddress) != 0
                n = out.count
            }
            if failed { throw PageImageError.corrupt(path: name, reason: String(cString: dv_jpeg_message(jpeg))) }
            if dv_jpeg_truncated(jpeg) != 0 { throw PageImageError.corrupt(path: name, reason: "JPEG data ends early") }
            return (samples, components, cmyk, dv_jpeg_adobe_inverted(jpeg) != 0)
        }
        if cmyk {
            samples = PixelConversion.rgbFromCMYK(samples, count: count, adobeInverted: inverted)
            components = 3
        }
        let (upright, w, h) = ExifOrientation.apply(orientation, to: samples, width: width, height: height, channels: components)
        let (gray, rgb) = PixelConversion.split(upright, width: w, height: h, channels: components, keepColour: colour)
        return PageBitmap(number: 1, gray: gray, rgb: rgb, dpi: defaultImageDPI)
    }

    func words(onPage index: Int, dpi: Double) throws -> [TextLayerWord] { [] }
}
