import Foundation

/// The container formats PageImage reads, recognised by their first bytes (never the file name).
public enum DocumentFormat: String, Sendable, Codable {
    case pdf, png, jpeg, tiff

    /// The format whose signature `bytes` (the start of a file) carries, or nil.
    public static func sniff<Bytes: Collection>(_ bytes: Bytes) -> DocumentFormat? where Bytes.Element == UInt8 {
        let head = Array(bytes.prefix(1024))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A])
            || head.starts(with: [0x49, 0x49, 0x2B, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2B]) {
            return .tiff
        }
        // PDF readers accept junk before the header within the first KiB; so do we.
        if head.firstRange(of: Array("%PDF-".utf8)) != nil { return .pdf }
        return nil
    }
}

/// A page's pixel size at a given resolution, known without rendering it.
public struct PageSize: Sendable, Equatable, Codable {
    public let width: Int
    public let height: Int
    public let dpi: Double
}

/// One word of a PDF's text layer with its box in the pixels of the page rendered at the requested
/// dpi, origin top left, `[x0, y0, x1, y1]` with x1/y1 exclusive edges (floating point).
public struct TextLayerWord: Sendable, Equatable {
    public let text: String
    public let x0: Double
    public let y0: Double
    public let x1: Double
    public let y1: Double
    /// 0-based index of the text line this word belongs to (poppler's reading order).
    public let line: Int
}

/// What every decoder provides. Page indices here are 0-based; `Document` does the 1-based API.
protocol PageSource: AnyObject {
    var pageCount: Int { get }
    var hasTextLayer: Bool { get }
    func size(ofPage index: Int, dpi: Double) throws -> PageSize
    func render(page index: Int, dpi: Double, colour: Bool) throws -> PageBitmap
    func words(onPage index: Int, dpi: Double) throws -> [TextLayerWord]
    /// What the last render of page `index` could not draw (content missing from the bitmap).
    func warnings(page index: Int) -> [String]
}

extension PageSource {
    func warnings(page index: Int) -> [String] { [] }
}

/// An opened document (PDF, PNG, JPEG or TIFF). Pages are decoded on demand, one at a time, so a
/// 500-page PDF never sits in memory as bitmaps. Not thread-safe: use one `Document` per task.
///
/// Image formats are returned at their own resolution: `dpi` arguments only matter for PDFs, and
/// a bitmap's `dpi` is the file's resolution tag (300 when it has none).
public final class Document {
    /// The file path, or the name given to `init(data:name:)`; every error carries it.
    public let path: String
    public let format: DocumentFormat
    public let limits: Limits
    private let source: PageSource

    /// Opens the file at `path`, recognising its format by content.
    public convenience init(path: String, limits: Limits = .default) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw PageImageError.unreadable(path: path, reason: "no such file")
        }
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw PageImageError.unreadable(path: path, reason: Self.describe(error))
        }
        if attributes[.type] as? FileAttributeType == .typeDirectory {
            throw PageImageError.unreadable(path: path, reason: "is a directory")
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        if size == 0 { throw PageImageError.emptyFile(path: path) }
        if size > limits.maxFileBytes {
            throw PageImageError.fileTooLarge(path: path, bytes: size, limit: limits.maxFileBytes)
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PageImageError.unreadable(path: path, reason: "permission denied or I/O error")
        }
        try self.init(bytes: [UInt8](data), name: path, limits: limits)
    }

    /// Opens a document held in memory (an upload). `name` stands for the file in errors.
    public convenience init(data: Data, name: String, limits: Limits = .default) throws {
        try self.init(bytes: [UInt8](data), name: name, limits: limits)
    }

    public init(bytes: [UInt8], name: String, limits: Limits = .default) throws {
        if bytes.isEmpty { throw PageImageError.emptyFile(path: name) }
        if bytes.count > limits.maxFileBytes {
            throw PageImageError.fileTooLarge(path: name, bytes: bytes.count, limit: limits.maxFileBytes)
        }
        guard let format = DocumentFormat.sniff(bytes) else { throw PageImageError.unknownFormat(path: name) }
        switch format {
        case .pdf: source = try PDFSource(bytes: bytes, name: name, limits: limits)
        case .png: source = try PNGSource(bytes: bytes, name: name, limits: limits)
        case .jpeg: source = try JPEGSource(bytes: bytes, name: name, limits: limits)
        case .tiff: source = try TIFFSource(bytes: bytes, name: name, limits: limits)
        }
        if source.pageCount > limits.maxPages {
            throw PageImageError.tooManyPages(path: name, pages: source.pageCount, limit: limits.maxPages)
        }
        self.path = name
        self.format = format
        self.limits = limits
    }

    public var pageCount: Int { source.pageCount }

    /// Whether the document carries text that can be read without OCR (PDF text layer).
    public var hasTextLayer: Bool { source.hasTextLayer }

    /// The pixel size page `number` (1-based) will have at `dpi`, without rendering it.
    public func pageSize(_ number: Int, dpi: Double = 300) throws -> PageSize {
        try source.size(ofPage: try index(of: number, dpi: dpi), dpi: dpi)
    }

    /// Renders or decodes page `number` (1-based). `gray` is always filled; `rgb` when the page has
    /// colour and `colour` is true (pass false to skip the RGB copy when only gray is needed).
    public func page(_ number: Int, dpi: Double = 300, colour: Bool = true) throws -> PageBitmap {
        try source.render(page: try index(of: number, dpi: dpi), dpi: dpi, colour: colour)
    }

    /// What the last `page(number)` could not draw: a PDF image poppler dropped (it could not be
    /// decoded or allocated, typically over a reader's memory limit), leaving that area blank.
    /// Empty when the page rendered whole. Readers report these instead of passing the page off
    /// as complete.
    public func renderWarnings(page number: Int) -> [String] {
        guard number >= 1 && number <= source.pageCount else { return [] }
        return source.warnings(page: number - 1)
    }

    /// The words of page `number`'s text layer (empty when it has none), boxes in the pixel space
    /// of `page(number, dpi: dpi)`.
    public func textLayer(page number: Int, dpi: Double = 300) throws -> [TextLayerWord] {
        try source.words(onPage: try index(of: number, dpi: dpi), dpi: dpi)
    }

    private func index(of number: Int, dpi: Double) throws -> Int {
        guard number >= 1 && number <= source.pageCount else {
            throw PageImageError.pageOutOfRange(path: path, page: number, pageCount: source.pageCount)
        }
        guard dpi.isFinite && dpi >= 1 && dpi <= 2400 else { throw PageImageError.invalidDPI(path: path, dpi: dpi) }
        return number - 1
    }

    private static func describe(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return ns.localizedDescription
    }
}
