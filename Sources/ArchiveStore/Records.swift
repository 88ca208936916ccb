import Foundation

// Value types of the archive. Boxes are pixels of the page as rasterised at its stored dpi,
// origin top left, [x0, y0, x1, y1]. Confidences are 0...1. Page and line numbers are 1-based.

public enum DocumentKind: String, Codable, Sendable, CaseIterable {
    case pdf, png, jpeg, tiff
}

public enum DocumentStatus: String, Codable, Sendable {
    /// Every page was read.
    case complete
    /// Some pages failed; `error` says which and why.
    case partial
    /// Nothing could be read; stored so that re-ingesting skips the file until it changes.
    case failed
}

/// Where a page's lines came from.
public enum PageSource: String, Codable, Sendable {
    case ocr
    case textLayer = "text-layer"
}

public struct LineBox: Codable, Hashable, Sendable {
    public var x0: Int, y0: Int, x1: Int, y1: Int
    public init(x0: Int, y0: Int, x1: Int, y1: Int) {
        self.x0 = x0; self.y0 = y0; self.x1 = x1; self.y1 = y1
    }
}

/// A recognised line to store. `characterConfidences` has one entry per Character of `text`
/// (may be empty, e.g. for a text layer); stored as one byte each (confidence × 255).
public struct NewLine: Sendable {
    public var text: String
    public var confidence: Double
    public var box: LineBox
    public var characterConfidences: [Double]
    public init(text: String, confidence: Double, box: LineBox, characterConfidences: [Double] = []) {
        self.text = text
        self.confidence = confidence
        self.box = box
        self.characterConfidences = characterConfidences
    }
}

public struct NewPage: Sendable {
    public var number: Int
    public var width: Int
    public var height: Int
    public var dpi: Double
    /// Rotation applied to upright the page: 0, 90, 180 or 270 degrees.
    public var rotation: Int
    /// Deskew applied, in degrees.
    public var skew: Double
    public var source: PageSource
    /// Stage name → seconds (e.g. "render", "segment", "recognise").
    public var timings: [String: Double]
    /// In reading order; stored with numbers 1, 2, 3 ...
    public var lines: [NewLine]
    public init(number: Int, width: Int, height: Int, dpi: Double, rotation: Int = 0, skew: Double = 0,
                source: PageSource, timings: [String: Double] = [:], lines: [NewLine]) {
        self.number = number; self.width = width; self.height = height; self.dpi = dpi
        self.rotation = rotation; self.skew = skew; self.source = source
        self.timings = timings; self.lines = lines
    }
}

public struct NewDocument: Sendable {
    public var path: String
    public var size: Int64
    public var modified: Date
    /// Lowercase hex SHA-256 of the file content: the document's identity.
    public var sha256: String
    public var kind: DocumentKind
    /// Pages in the file; may exceed `pages.count` when some failed.
    public var pageCount: Int
    public var status: DocumentStatus
    public var error: String?
    public var timings: [String: Double]
    public var pages: [NewPage]
    public init(path: String, size: Int64, modified: Date, sha256: String, kind: DocumentKind,
                pageCount: Int? = nil, status: DocumentStatus = .complete, error: String? = nil,
                timings: [String: Double] = [:], pages: [NewPage]) {
        self.path = path; self.size = size; self.modified = modified; self.sha256 = sha256
        self.kind = kind; self.pageCount = pageCount ?? pages.count; self.status = status
        self.error = error; self.timings = timings; self.pages = pages
    }
}

public struct StoredDocument: Codable, Hashable, Sendable {
    public var id: Int64
    public var path: String
    public var size: Int64
    public var modified: Date
    public var sha256: String
    public var kind: DocumentKind
    public var pageCount: Int
    public var status: DocumentStatus
    public var error: String?
    public var ingestedAt: Date
    public var timings: [String: Double]
}

public struct StoredPage: Codable, Hashable, Sendable {
    public var id: Int64
    public var documentID: Int64
    public var number: Int
    public var width: Int
    public var height: Int
    public var dpi: Double
    public var rotation: Int
    public var skew: Double
    public var source: PageSource
    public var timings: [String: Double]
}

public struct StoredLine: Codable, Hashable, Sendable {
    public var id: Int64
    public var pageID: Int64
    public var number: Int
    public var box: LineBox
    public var text: String
    public var confidence: Double
    public var characterConfidences: [Double]
}

/// A document with everything stored for it, for `show`.
public struct DocumentContent: Codable, Sendable {
    public var document: StoredDocument
    public var pages: [PageContent]
}

public struct PageContent: Codable, Sendable {
    public var page: StoredPage
    public var lines: [StoredLine]
}

public struct ArchiveStats: Codable, Sendable, Equatable {
    public var documents: Int
    public var documentsByStatus: [String: Int]
    public var pages: Int
    public var pagesBySource: [String: Int]
    public var lines: Int
    /// Bytes of the database file, its WAL included.
    public var databaseBytes: Int64
    public var lastIngestedAt: Date?
}

/// One-byte-per-character confidences: compact, and precise enough (1/255) for display.
enum CharacterConfidences {
    static func encode(_ values: [Double]) -> Data? {
        guard !values.isEmpty else { return nil }
        return Data(values.map { UInt8((min(max($0, 0), 1) * 255).rounded()) })
    }

    static func decode(_ data: Data?) -> [Double] {
        guard let data else { return [] }
        return data.map { Double($0) / 255 }
    }
}
