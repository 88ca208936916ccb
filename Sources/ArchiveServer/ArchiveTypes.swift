import OCRPipeline

// The JSON the archive endpoints answer with. Keys are snake_case; boxes are `[x0, y0, x1, y1]`
// in pixels of the page as rasterised, origin top left (the truth format's convention).

public struct SearchRequest: Sendable, Equatable {
    /// The user's words, exactly as typed; the store escapes them before they reach FTS5 MATCH.
    public var text: String
    public var limit: Int
    public var minConfidence: Double?
    public var documentID: Int64?

    public init(text: String, limit: Int = 20, minConfidence: Double? = nil, documentID: Int64? = nil) {
        self.text = text
        self.limit = limit
        self.minConfidence = minConfidence
        self.documentID = documentID
    }
}

public struct SearchAnswer: Codable, Sendable, Equatable {
    public var query: String
    /// True when nothing matched exactly and these are near matches (OCR confusions: 0/O, 1/l ...).
    public var fuzzy: Bool
    /// Documents in rank order, each with its best lines.
    public var documents: [SearchDocument]

    public init(query: String, fuzzy: Bool = false, documents: [SearchDocument]) {
        self.query = query
        self.fuzzy = fuzzy
        self.documents = documents
    }
}

public struct SearchDocument: Codable, Sendable, Equatable {
    public var id: Int64
    public var path: String
    /// bm25 relevance of the best line; higher is better (as ArchiveStore reports it).
    public var score: Double
    /// Every matching line of the document; `hits` are the best few of them.
    public var matchingLines: Int
    public var hits: [SearchHit]

    public init(id: Int64, path: String, score: Double, matchingLines: Int? = nil, hits: [SearchHit]) {
        self.id = id
        self.path = path
        self.score = score
        self.matchingLines = matchingLines ?? hits.count
        self.hits = hits
    }

    enum CodingKeys: String, CodingKey {
        case id, path, score, hits
        case matchingLines = "matching_lines"
    }
}

public struct SearchHit: Codable, Sendable, Equatable {
    public var page: Int
    /// 1-based position of the line on its page in reading order.
    public var line: Int
    public var text: String
    public var confidence: Double
    public var bbox: [Int]
    /// Highlighted ranges of `text` as `[start, end)` offsets counted in Unicode code points
    /// (what JavaScript's `Array.from(text)` indexes), so the page escapes first, then highlights.
    public var highlights: [[Int]]

    public init(page: Int, line: Int, text: String, confidence: Double, bbox: [Int], highlights: [[Int]]) {
        self.page = page
        self.line = line
        self.text = text
        self.confidence = confidence
        self.bbox = bbox
        self.highlights = highlights
    }
}

public struct DocumentSummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var path: String
    public var kind: String
    public var pages: Int
    public var lines: Int
    public var sha256: String
    /// ISO 8601, UTC.
    public var ingestedAt: String

    public init(id: Int64, path: String, kind: String, pages: Int, lines: Int, sha256: String, ingestedAt: String) {
        self.id = id
        self.path = path
        self.kind = kind
        self.pages = pages
        self.lines = lines
        self.sha256 = sha256
        self.ingestedAt = ingestedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, path, kind, pages, lines, sha256
        case ingestedAt = "ingested_at"
    }
}

/// `GET /api/documents/{id}`: the truth format (`path`, `pages`) plus the archive's id.
public struct ArchivedDocument: Codable, Sendable, Equatable {
    public var id: Int64
    public var path: String
    public var pages: [OCRPage]

    public init(id: Int64, path: String, pages: [OCRPage]) {
        self.id = id
        self.path = path
        self.pages = pages
    }
}
