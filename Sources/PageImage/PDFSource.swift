import CPoppler
import Foundation

/// Installed once per process before poppler sees its first document: damaged PDFs make poppler
/// log through GLib, which would otherwise print to stderr.
private let glibLogSilenced: Void = { dv_poppler_silence() }()

/// PDF pages through poppler-glib, rasterised by cairo on a white background.
final class PDFSource: PageSource {
    private let name: String
    private let limits: Limits
    private let document: OpaquePointer // PopplerDocument*, owned (one reference)
    let pageCount: Int
    private lazy var textLayerPresent: Bool = scanForText()
    /// What the last render of each page could not draw, by page index (see `warnings(page:)`).
    private(set) var renderWarnings: [Int: [String]] = [:]
    /// Set when the file declares an image too large to decode again just to tell a dropped image
    /// from a white one: a blank image area is then reported as dropped at once, naming the size.
    private let oversizedImage: String?

    init(bytes: [UInt8], name: String, limits: Limits) throws {
        _ = glibLogSilenced
        self.name = name
        self.limits = limits
        // poppler silently rebuilds a missing cross-reference table, so a cut-off download would
        // render as fewer or blank pages; an intact PDF ends with %%EOF (plus a little slack).
        let tail = bytes.suffix(2048)
        guard tail.firstRange(of: Array("%%EOF".utf8)) != nil else {
            throw PageImageError.corrupt(path: name, reason: "PDF ends without %%EOF (truncated)")
        }
        let gbytes = bytes.withUnsafeBytes { g_bytes_new($0.baseAddress, gsize($0.count)) }
        defer { g_bytes_unref(gbytes) }
        var error: UnsafeMutablePointer<GError>?
        guard let document = poppler_document_new_from_bytes(gbytes, nil, &error) else {
            defer { if error != nil { g_error_free(error) } }
            if dv_gerror_is_encrypted(error) != 0 { throw PageImageError.encryptedPDF(path: name) }
            let reason = error.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "poppler could not open it"
            throw PageImageError.corrupt(path: name, reason: reason)
        }
        let count = Int(poppler_document_get_n_pages(document))
        guard count > 0 else {
            g_object_unref(UnsafeMutableRawPointer(document))
            throw PageImageError.corrupt(path: name, reason: "PDF has no pages")
        }
        self.document = document
        self.pageCount = count
        self.oversizedImage = DeclaredImages.oversized(in: bytes, pixelLimit: limits.maxPixelsPerPage)
            .map { "the file declares a \($0.width)x\($0.height) image" }
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(document)) }

    var hasTextLayer: Bool { textLayerPresent }

    func warnings(page index: Int) -> [String] { renderWarnings[index] ?? [] }

    /// Runs `body` with page `index` (a new reference, released afterwards).
    private func withPage<T>(_ index: Int, _ body: (OpaquePointer) throws -> T) throws -> T {
        guard let page = poppler_document_get_page(document, Int32(index)) else {
            throw PageImageError.renderFailed(path: name, page: index + 1, reason: "poppler cannot load the page")
        }
        defer { g_object_unref(UnsafeMutableRawPointer(page)) }
        return try body(page)
    }

    /// Matches `pdftoppm -r dpi`: the scaled size rounded up, except that a product which is an
    /// integer up to floating-point noise (792 pt * 300/72 = 3300.0000000000005) stays that integer.
    static func pixels(points: Double, dpi: Double) -> Int {
        let exact = points * (dpi / 72.0)
        let nearest = exact.rounded()
        let value = abs(exact - nearest) < 1e-6 ? nearest : exact.rounded(.up)
        return max(1, Int(value))
    }

    func size(ofPage index: Int, dpi: Double) throws -> PageSize {
        try withPage(index) { page in
            var width = 0.0, height = 0.0
            poppler_page_get_size(page, &width, &height) // points, page rotation applied
            return PageSize(width: Self.pixels(points: width, dpi: dpi),
                            height: Self.pixels(points: height, dpi: dpi), dpi: dpi)
        }
    }

    func render(page index: Int, dpi: Double, colour: Bool) throws -> PageBitmap {
        let size = try size(ofPage: index, dpi: dpi)
        let (width, height) = (size.width, size.height)
        if width * height > limits.maxPixelsPerPage || width > 32767 || height > 32767 {
            throw PageImageError.tooManyPixels(path: name, page: index + 1, width: width, height: height,
                                               limit: limits.maxPixelsPerPage)
        }
        return try withPage(index) { page in
            let stride = cairo_format_stride_for_width(CAIRO_FORMAT_RGB24, Int32(width))
            guard stride > 0, let memory = dv_page_buffer(Int(stride) * height) else {
                throw PageImageError.renderFailed(path: name, page: index + 1, reason: "cannot allocate \(width)x\(height) surface")
            }
            defer { free(memory) }
            guard let surface = cairo_image_surface_create_for_data(memory, CAIRO_FORMAT_RGB24, Int32(width), Int32(height), stride),
                  cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
                throw PageImageError.renderFailed(path: name, page: index + 1, reason: "cannot create \(width)x\(height) surface")
            }
            defer { cairo_surface_destroy(surface) }
            let context = cairo_create(surface)
            cairo_set_source_rgb(context, 1, 1, 1)
            cairo_paint(context)
            cairo_scale(context, dpi / 72.0, dpi / 72.0)
            poppler_page_render(page, context)
            let status = cairo_status(context)
            cairo_destroy(context)
            guard status == CAIRO_STATUS_SUCCESS else {
                let reason = String(cString: cairo_status_to_string(status))
                throw PageImageError.renderFailed(path: name, page: index + 1, reason: reason)
            }
            cairo_surface_flush(surface)
            let bitmap = Self.bitmap(from: surface, width: width, height: height, number: index + 1, dpi: dpi, colour: colour)
            var reason: UnsafePointer<CChar>?
            let dropped = withOptionalCString(oversizedImage) { oversized in
                dv_dropped_images(page, memory, stride, Int32(width), Int32(height), dpi / 72.0, oversized, &reason)
            }
            if dropped > 0 {
                // A blank area where poppler could not draw an image must not pass for a blank page.
                // (`reason` may point into `oversizedImage`'s C copy, gone by now: named again here.)
                let why = oversizedImage ?? reason.map { String(cString: $0) } ?? "unknown reason"
                renderWarnings[index] = ["\(dropped == 1 ? "an image" : "\(dropped) images") could not be drawn (\(why); "
                                         + "over the reader's memory limit or damaged), so the page is missing that content"]
            } else {
                renderWarnings[index] = nil
            }
            return bitmap
        }
    }

    private static func bitmap(from surface: OpaquePointer, width: Int, height: Int, number: Int,
                               dpi: Double, colour: Bool) -> PageBitmap {
        let data = cairo_image_surface_get_data(surface)
        let stride = cairo_image_surface_get_stride(surface)
        var hasColour = false
        let gray = [UInt8](unsafeUninitializedCapacity: width * height) { buffer, count in
            hasColour = dv_xrgb_to_gray(data, stride, Int32(width), Int32(height), buffer.baseAddress) != 0
            count = width * height
        }
        var rgb: RGBImage?
        if hasColour && colour {
            let pixels = [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
                dv_xrgb_to_rgb(data, stride, Int32(width), Int32(height), buffer.baseAddress)
                count = width * height * 3
            }
            rgb = RGBImage(width: width, height: height, pixels: pixels)
        }
        return PageBitmap(number: number, gray: GrayImage(width: width, height: height, pixels: gray), rgb: rgb, dpi: dpi)
    }

    func words(onPage index: Int, dpi: Double) throws -> [TextLayerWord] {
        try withPage(index) { page in
            guard let cText = poppler_page_get_text(page) else { return [] }
            defer { g_free(cText) }
            var rects: UnsafeMutablePointer<PopplerRectangle>?
            var rectCount: guint = 0
            guard poppler_page_get_text_layout(page, &rects, &rectCount) != 0, let rects else { return [] }
            defer { g_free(rects) }
            let scalars = Array(String(cString: cText).unicodeScalars)
            let boxes = UnsafeBufferPointer(start: rects, count: Int(rectCount))
            return TextLayerAssembler.words(scalars: scalars, boxes: boxes.map {
                ($0.x1, $0.y1, $0.x2, $0.y2)
            }, scale: dpi / 72.0)
        }
    }

    private func scanForText() -> Bool {
        for index in 0..<pageCount {
            let found = (try? withPage(index) { page -> Bool in
                guard let cText = poppler_page_get_text(page) else { return false }
                defer { g_free(cText) }
                return String(cString: cText).contains { !$0.isWhitespace }
            }) ?? false
            if found { return true }
        }
        return false
    }
}

/// Groups poppler's one-box-per-character layout into words (split at white space) and lines
/// (split at newlines). Kept apart from poppler so it can be tested with plain values.
/// Tables are often laid out as positioned runs with no space characters between cells, so a
/// horizontal gap wider than a quarter of the character's height (more than letter spacing, less
/// than a space) or a step back to the left also ends a word.
enum TextLayerAssembler {
    static let wordGap = 0.25

    static func words(scalars: [Unicode.Scalar], boxes: [(Double, Double, Double, Double)], scale: Double) -> [TextLayerWord] {
        var words: [TextLayerWord] = []
        var line = 0
        var text = String.UnicodeScalarView()
        var box = (Double.infinity, Double.infinity, -Double.infinity, -Double.infinity)
        var previous: (Double, Double, Double, Double)?
        func flush() {
            if !text.isEmpty {
                words.append(TextLayerWord(text: String(text), x0: box.0 * scale, y0: box.1 * scale,
                                           x1: box.2 * scale, y1: box.3 * scale, line: line))
            }
            text = String.UnicodeScalarView()
            box = (Double.infinity, Double.infinity, -Double.infinity, -Double.infinity)
        }
        for (offset, scalar) in scalars.enumerated() where offset < boxes.count {
            if scalar == "\n" {
                flush()
                line += 1
            } else if scalar.properties.isWhitespace {
                flush()
            } else {
                let b = boxes[offset]
                if !text.isEmpty, let last = previous {
                    let height = max(last.3 - last.1, b.3 - b.1, 0.01)
                    if b.0 - last.2 > wordGap * height || b.0 < last.0 - 0.5 * height { flush() }
                }
                previous = b
                text.append(scalar)
                box = (min(box.0, b.0), min(box.1, b.1), max(box.2, b.2), max(box.3, b.3))
            }
        }
        flush()
        return words
    }
}

/// Runs `body` with `text` as a C string, or with NULL.
private func withOptionalCString<T>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}
