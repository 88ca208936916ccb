/// Why a document could not be opened or a page could not be produced. Every case names the file
/// (`path`: a file path, or the name given with in-memory data) and `description` says the reason
/// in one line, ready for a CLI to print.
public enum PageImageError: Error, Equatable, Sendable, CustomStringConvertible {
    case emptyFile(path: String)
    case unreadable(path: String, reason: String)
    case unknownFormat(path: String)
    case fileTooLarge(path: String, bytes: Int, limit: Int)
    case encryptedPDF(path: String)
    /// Truncated or otherwise damaged data; `reason` is the decoder's own explanation.
    case corrupt(path: String, reason: String)
    case tooManyPixels(path: String, page: Int, width: Int, height: Int, limit: Int)
    case tooManyPages(path: String, pages: Int, limit: Int)
    case pageOutOfRange(path: String, page: Int, pageCount: Int)
    case invalidDPI(path: String, dpi: Double)
    case renderFailed(path: String, page: Int, reason: String)
    case encodeFailed(path: String, reason: String)

    public var path: String {
        switch self {
        case .emptyFile(let path), .unreadable(let path, _), .unknownFormat(let path),
             .fileTooLarge(let path, _, _), .encryptedPDF(let path), .corrupt(let path, _),
             .tooManyPixels(let path, _, _, _, _), .tooManyPages(let path, _, _),
             .pageOutOfRange(let path, _, _), .invalidDPI(let path, _), .renderFailed(let path, _, _),
             .encodeFailed(let path, _):
            return path
        }
    }

    public var reason: String {
        switch self {
        case .emptyFile: return "empty file (0 bytes)"
        case .unreadable(_, let reason): return "cannot read file: \(reason)"
        case .unknownFormat: return "unknown format (not PDF, PNG, JPEG or TIFF)"
        case .fileTooLarge(_, let bytes, let limit): return "file too large (\(bytes) bytes, limit \(limit))"
        case .encryptedPDF: return "encrypted PDF (password required)"
        case .corrupt(_, let reason): return "corrupt or truncated: \(reason)"
        case .tooManyPixels(_, let page, let width, let height, let limit):
            return "page \(page) too large (\(width)x\(height) pixels, limit \(limit))"
        case .tooManyPages(_, let pages, let limit): return "too many pages (\(pages), limit \(limit))"
        case .pageOutOfRange(_, let page, let count): return "no page \(page) (document has \(count))"
        case .invalidDPI(_, let dpi): return "invalid dpi \(dpi) (must be between 1 and 2400)"
        case .renderFailed(_, let page, let reason): return "page \(page) could not be rendered: \(reason)"
        case .encodeFailed(_, let reason): return "cannot write image: \(reason)"
        }
    }

    public var description: String { "\(path): \(reason)" }
}

/// Resource limits applied before any page memory is allocated.
public struct Limits: Sendable, Equatable {
    /// Largest input accepted, in bytes.
    public var maxFileBytes: Int
    /// Largest page accepted, in pixels (width * height), checked from the header or the PDF page
    /// size before decoding, so a decompression bomb is refused without allocating.
    public var maxPixelsPerPage: Int
    /// Most pages accepted in one document.
    public var maxPages: Int

    /// 512 MiB files; 100 megapixels per page (A3 at 600 dpi is 70 MP); 5,000 pages.
    public init(maxFileBytes: Int = 512 << 20, maxPixelsPerPage: Int = 100_000_000, maxPages: Int = 5_000) {
        self.maxFileBytes = maxFileBytes
        self.maxPixelsPerPage = maxPixelsPerPage
        self.maxPages = maxPages
    }

    public static let `default` = Limits()
}
