import Foundation

/// RFC 4180 CSV: one row per line with its document, page, line number, text, confidence and box.
struct CSVExportWriter: ExportWriter {
    static let header = ["document", "page", "line", "text", "confidence", "x0", "y0", "x1", "y1"]

    let sink: ExportSink
    let excel: Bool
    private var lineEnd: String { excel ? "\r\n" : "\n" }

    init(sink: ExportSink, excel: Bool) {
        self.sink = sink
        self.excel = excel
    }

    func begin() throws {
        if excel { try sink.write([0xEF, 0xBB, 0xBF]) }  // BOM: Excel then reads UTF-8, not ANSI
        try sink.write(Self.header.joined(separator: ",") + lineEnd)
    }

    func write(_ row: ExportRow) throws {
        let cells = [
            Self.textCell(row.path), String(row.pageNumber), String(row.lineNumber), Self.textCell(row.text),
            String(format: "%.4f", row.confidence),
            String(row.box.x0), String(row.box.y0), String(row.box.x1), String(row.box.y1),
        ]
        try sink.write(cells.joined(separator: ",") + lineEnd)
    }

    func finish() throws { try sink.flush() }

    /// A free-text cell: neutralised against formula injection (a spreadsheet would run `=...`,
    /// `+...`, `-...`, `@...`, and cells starting with tab or CR), then quoted when needed.
    static func textCell(_ value: String) -> String {
        var text = value
        if let first = text.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            text = "'" + text
        }
        let needsQuotes = text.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// JSON (one array) or JSON Lines (one object per line) of documents → pages → lines, in the
/// evaluation corpus's truth format plus identifiers. One document is held in memory at a time.
struct JSONExportWriter: ExportWriter {
    struct Line: Encodable {
        var line: Int
        var text: String
        var confidence: Double
        var bbox: [Int]
    }

    struct Page: Encodable {
        var page: Int
        var width: Int
        var height: Int
        var dpi: Double
        var source: String
        var lines: [Line]
    }

    struct Document: Encodable {
        var id: Int64
        var path: String
        var sha256: String
        var kind: String
        var pages: [Page]
    }

    let sink: ExportSink
    let lineDelimited: Bool
    private var current: Document?
    private var written = 0
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    init(sink: ExportSink, lineDelimited: Bool) {
        self.sink = sink
        self.lineDelimited = lineDelimited
    }

    func begin() throws {
        if !lineDelimited { try sink.write("[") }
    }

    mutating func write(_ row: ExportRow) throws {
        if let current, current.id != row.documentID { try flushDocument() }
        if current == nil {
            current = Document(id: row.documentID, path: row.path, sha256: row.sha256, kind: row.kind, pages: [])
        }
        if current!.pages.last?.page != row.pageNumber {
            current!.pages.append(Page(page: row.pageNumber, width: row.width, height: row.height,
                                       dpi: row.dpi, source: row.source, lines: []))
        }
        let box = row.box
        current!.pages[current!.pages.count - 1].lines.append(
            Line(line: row.lineNumber, text: row.text, confidence: row.confidence,
                 bbox: [box.x0, box.y0, box.x1, box.y1]))
    }

    mutating func finish() throws {
        try flushDocument()
        if !lineDelimited { try sink.write(written == 0 ? "]\n" : "\n]\n") }
        try sink.flush()
    }

    private mutating func flushDocument() throws {
        guard let document = current else { return }
        current = nil
        let json: Data
        do {
            json = try encoder.encode(document)
        } catch {
            throw ArchiveError.cannotWrite(reason: "\(document.path): \(error)")
        }
        if lineDelimited {
            try sink.write(Array(json) + [UInt8(ascii: "\n")])
        } else {
            try sink.write((written == 0 ? "\n" : ",\n"))
            try sink.write(Array(json))
        }
        written += 1
    }
}
