import Foundation

public struct SearchOptions: Sendable {
    /// Documents returned at most.
    public var limit: Int
    /// Best lines shown per document.
    public var linesPerDocument: Int
    public var minConfidence: Double?
    public var documentID: Int64?
    /// Only documents ingested at or after this instant.
    public var since: Date?
    /// When nothing matches exactly, retry with OCR confusions (0/O, 1/l/I, 已/己/巳 ...).
    public var fuzzyFallback: Bool
    /// Matching lines ranked per query, newest first. A query matching more lines than this
    /// (a very common character) ranks the newest `rankingWindow` of them, which keeps latency
    /// flat on large archives; rare terms are ranked over every match.
    public var rankingWindow: Int

    public init(limit: Int = 20, linesPerDocument: Int = 3, minConfidence: Double? = nil,
                documentID: Int64? = nil, since: Date? = nil, fuzzyFallback: Bool = true,
                rankingWindow: Int = 2000) {
        self.limit = limit; self.linesPerDocument = linesPerDocument
        self.minConfidence = minConfidence; self.documentID = documentID; self.since = since
        self.fuzzyFallback = fuzzyFallback; self.rankingWindow = rankingWindow
    }
}

/// A line's text with the parts that matched. Offsets count Unicode scalars (code points, as
/// Python and JSON consumers index strings), end exclusive.
public struct Snippet: Codable, Hashable, Sendable {
    public struct Highlight: Codable, Hashable, Sendable {
        public var start: Int
        public var end: Int
    }

    public var text: String
    public var highlights: [Highlight]

    /// The text with each highlight wrapped, e.g. in ANSI bold for a terminal.
    public func marked(open: String, close: String) -> String {
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        var position = 0
        for highlight in highlights {
            result.append(contentsOf: scalars[position..<highlight.start])
            result.append(contentsOf: open.unicodeScalars)
            result.append(contentsOf: scalars[highlight.start..<highlight.end])
            result.append(contentsOf: close.unicodeScalars)
            position = highlight.end
        }
        result.append(contentsOf: scalars[position...])
        return String(result)
    }

    static let openMarker: Unicode.Scalar = "\u{2}"
    static let closeMarker: Unicode.Scalar = "\u{3}"

    /// Parses FTS5 highlight() output made with the two control-character markers;
    /// adjacent highlights (the characters of one hanzi phrase) are merged.
    init(marked: String) {
        var plain = String.UnicodeScalarView()
        var highlights: [Highlight] = []
        var offset = 0
        var start: Int?
        for scalar in marked.unicodeScalars {
            if scalar == Self.openMarker {
                start = offset
            } else if scalar == Self.closeMarker, let open = start {
                if let last = highlights.last, last.end == open {
                    highlights[highlights.count - 1].end = offset
                } else {
                    highlights.append(Highlight(start: open, end: offset))
                }
                start = nil
            } else {
                plain.append(scalar)
                offset += 1
            }
        }
        text = String(plain)
        self.highlights = highlights
    }

    public init(text: String, highlights: [Highlight]) {
        self.text = text
        self.highlights = highlights
    }
}

public struct LineHit: Codable, Hashable, Sendable {
    public var lineID: Int64
    public var pageNumber: Int
    public var lineNumber: Int
    public var box: LineBox
    public var confidence: Double
    /// bm25 relevance, higher is better.
    public var score: Double
    public var snippet: Snippet
}

public struct DocumentHit: Codable, Hashable, Sendable {
    public var document: StoredDocument
    /// The best line's score.
    public var score: Double
    /// Lines of this document that match (and pass the confidence filter), all of them.
    public var matchingLines: Int
    /// The best lines, best first, at most SearchOptions.linesPerDocument.
    public var lines: [LineHit]
}

public struct SearchResults: Codable, Sendable {
    public var query: String
    /// The FTS5 expression that ran; nil when the query held nothing to search for.
    public var matchExpression: String?
    /// True when nothing matched exactly and these come from the OCR-confusion fallback.
    public var isFuzzy: Bool
    public var documents: [DocumentHit]
}
