import CImageCodecs

/// A TIFF of one or more pages (directories): bilevel G3/G4, LZW, Deflate, JPEG-in-TIFF, palette,
/// RGB, CMYK. The resolution tag gives the page's dpi.
final class TIFFSource: PageSource {
    private let name: String
    private let limits: Limits
    /// The file's bytes and the stream libtiff reads them through; both owned here because the
    /// TIFF* keeps pointers into them until it is closed.
    private let bytes: UnsafeMutableBufferPointer<UInt8>
    private let stream: UnsafeMutablePointer<dv_tiff_stream>
    private let tiff: OpaquePointer
    let pageCount: Int
    let hasTextLayer = false

    init(bytes source: [UInt8], name: String, limits: Limits) throws {
        self.name = name
        self.limits = limits
        bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: source.count)
        _ = bytes.initialize(from: source)
        stream = UnsafeMutablePointer<dv_tiff_stream>.allocate(capacity: 1)
        stream.initialize(to: dv_tiff_stream())
        stream.pointee.data = UnsafePointer(bytes.baseAddress)
        stream.pointee.size = UInt64(source.count)
        guard let tiff = dv_tiff_open(stream) else {
            let reason = Self.message(stream, fallback: "not a readable TIFF")
            stream.deallocate()
            bytes.deallocate()
            throw PageImageError.corrupt(path: name, reason: reason)
        }
        self.tiff = tiff
        pageCount = Int(TIFFNumberOfDirectories(tiff))
        // A directory chain that leads past the end of the file (the later pages of a cut-off
        // download) makes libtiff count fewer pages and report an error, not fail.
        if stream.pointee.failed != 0 {
            throw PageImageError.corrupt(path: name, reason: Self.message(stream, fallback: "broken page directory chain"))
        }
        if pageCount > limits.maxPages { throw PageImageError.tooManyPages(path: name, pages: pageCount, limit: limits.maxPages) }
        for index in 0..<pageCount { _ = try info(index) } // refuse bombs and broken directories at open
    }

    deinit {
        TIFFClose(tiff)
        stream.deallocate()
        bytes.deallocate()
    }

    private static func message(_ stream: UnsafeMutablePointer<dv_tiff_stream>, fallback: String) -> String {
        guard stream.pointee.failed != 0 else { return fallback }
        return withUnsafeBytes(of: stream.pointee.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    private func info(_ index: Int) throws -> dv_tiff_page {
        var page = dv_tiff_page()
        guard TIFFSetDirectory(tiff, tdir_t(index)) != 0, dv_tiff_page_info(tiff, &page) == 0 else {
            throw PageImageError.corrupt(path: name, reason: Self.message(stream, fallback: "page \(index + 1) has no readable directory"))
        }
        let width = Int(page.width), height = Int(page.height)
        if width <= 0 || height <= 0 {
            throw PageImageError.corrupt(path: name, reason: "page \(index + 1) has no pixels")
        }
        if width * height > limits.maxPixelsPerPage {
            throw PageImageError.tooManyPixels(path: name, page: index + 1, width: width, height: height, limit: limits.maxPixelsPerPage)
        }
        if dv_tiff_data_truncated(tiff, UInt64(bytes.count)) != 0 {
            throw PageImageError.corrupt(path: name, reason: "page \(index + 1) image data runs past the end of the file (truncated)")
        }
        return page
    }

    private static func dpi(of page: dv_tiff_page) -> Double {
        let value = Double(page.x_resolution)
        guard value.isFinite && value > 0 else { return defaultImageDPI }
        switch Int32(page.resolution_unit) {
        case RESUNIT_INCH: return value
        case RESUNIT_CENTIMETER: return value * 2.54
        default: return defaultImageDPI
        }
    }

    func size(ofPage index: Int, dpi: Double) throws -> PageSize {
        let page = try info(index)
        return PageSize(width: Int(page.width), height: Int(page.height), dpi: Self.dpi(of: page))
    }

    func render(page index: Int, dpi: Double, colour: Bool) throws -> PageBitmap {
        let page = try info(index)
        let width = Int(page.width), height = Int(page.height), count = width * height
        stream.pointee.failed = 0
        var ok = false
        let raster = [UInt32](unsafeUninitializedCapacity: count) { out, n in
            ok = dv_tiff_read_rgba(tiff, out.baseAddress, page.width, page.height) == 0
            n = count
        }
        guard ok && stream.pointee.failed == 0 else {
            throw PageImageError.corrupt(path: name, reason: Self.message(stream, fallback: "page \(index + 1) pixel data unreadable"))
        }
        let rgb = PixelConversion.rgbFromTIFFRaster(raster, count: count)
        let photometric = Int32(page.photometric)
        let isColour = photometric != PHOTOMETRIC_MINISWHITE && photometric != PHOTOMETRIC_MINISBLACK
        let gray = GrayImage(width: width, height: height, pixels: PixelConversion.grayFromRGB(rgb, count: count))
        return PageBitmap(number: index + 1, gray: gray,
                          rgb: isColour && colour ? RGBImage(width: width, height: height, pixels: rgb) : nil,
                          dpi: Self.dpi(of: page))
    }

    func words(onPage index: Int, dpi: Double) throws -> [TextLayerWord] { [] }
}
