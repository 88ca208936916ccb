import Foundation
import GRDB

public enum ExportFormat: Sendable, Equatable {
    /// RFC 4180, UTF-8, one row per line. `excel` adds a byte-order mark and CRLF line ends
    /// so Excel opens Chinese text correctly.
    case csv(excel: Bool)
    /// One JSON array of documents → pages → lines.
    case json
    /// One JSON document (→ pages → lines) per line.
    case jsonl
}

extension Archive {
    private static func exportFilters(_ expression: String, _ options: SearchOptions) -> (String, StatementArguments) {
        var clauses = ["lines.id IN (SELECT rowid FROM lines_fts WHERE lines_fts MATCH ?)"]
        var arguments: StatementArguments = [expression]
        if let minConfidence = options.minConfidence {
            clauses.append("lines.confidence >= ?")
            _ = arguments.append(contentsOf: [minConfidence])
        }
        if let documentID = options.documentID {
            clauses.append("documents.id = ?")
            _ = arguments.append(contentsOf: [documentID])
        }
        if let since = options.since {
            clauses.append("documents.ingested_at >= ?")
            _ = arguments.append(contentsOf: [since.timeIntervalSince1970])
        }
        return ("WHERE " + clauses.joined(separator: " AND "), arguments)
    }

    /// Writes every stored line, or only the lines `query` finds (under the options' filters),
    /// to `output`, streaming: memory stays bounded by one document however big the archive.
    /// Returns the number of lines written.
    @discardableResult
    public func export(_ format: ExportFormat, query: String? = nil, options: SearchOptions = SearchOptions(),
                       to output: FileHandle) throws -> Int {
        let sink = ExportSink(output)
        var writer: any ExportWriter = switch format {
        case .csv(let excel): CSVExportWriter(sink: sink, excel: excel)
        case .json: JSONExportWriter(sink: sink, lineDelimited: false)
        case .jsonl: JSONExportWriter(sink: sink, lineDelimited: true)
        }
        var written = 0
        try read { db in
            try writer.begin()
            var selection = ""
            var arguments: StatementArguments = []
            if let query {
                guard let expression = SearchQuery(parsing: query).matchExpression else {
                    // Nothing searchable finds nothing: an export with no lines.
                    try writer.finish()
                    return
                }
                (selection, arguments) = Self.exportFilters(expression, options)
            }
            if query != nil {
                written += try Self.exportLines(where: selection, arguments: arguments, to: &writer, db)
            } else {
                // Document by document: each statement walks the (page, line) indexes in order,
                // so even a huge archive is exported without sorting all of its lines.
                let documentIDs = try Int64.fetchAll(db, sql: "SELECT id FROM documents ORDER BY path, id")
                for documentID in documentIDs {
                    written += try Self.exportLines(where: "WHERE documents.id = ?", arguments: [documentID],
                                                    to: &writer, db)
                }
            }
            try writer.finish()
        }
        return written
    }
}

extension Archive {
    fileprivate static func exportLines(where selection: String, arguments: StatementArguments,
                                        to writer: inout any ExportWriter, _ db: Database) throws -> Int {
        let rows = try Row.fetchCursor(db, sql: """
            SELECT documents.id AS document_id, documents.path, documents.sha256, documents.kind,
                   pages.id AS page_id, pages.number AS page_number, pages.width, pages.height,
                   pages.dpi, pages.source, lines.number, lines.text, lines.confidence,
                   lines.x0, lines.y0, lines.x1, lines.y1
            FROM documents JOIN pages ON pages.document_id = documents.id
            JOIN lines ON lines.page_id = pages.id
            \(selection)
            ORDER BY documents.path, documents.id, pages.number, lines.number
            """, arguments: arguments)
        var count = 0
        while let row = try rows.next() {
            try writer.write(ExportRow(row))
            count += 1
        }
        return count
    }
}

/// One exported line with the document and page it belongs to.
struct ExportRow {
    var documentID: Int64
    var path: String
    var sha256: String
    var kind: String
    var pageID: Int64
    var pageNumber: Int
    var width: Int
    var height: Int
    var dpi: Double
    var source: String
    var lineNumber: Int
    var text: String
    var confidence: Double
    var box: LineBox

    init(_ row: Row) {
        documentID = row["document_id"]; path = row["path"]; sha256 = row["sha256"]; kind = row["kind"]
        pageID = row["page_id"]; pageNumber = row["page_number"]; width = row["width"]
        height = row["height"]; dpi = row["dpi"]; source = row["source"]
        lineNumber = row["number"]; text = row["text"]; confidence = row["confidence"]
        box = LineBox(x0: row["x0"], y0: row["y0"], x1: row["x1"], y1: row["y1"])
    }
}

protocol ExportWriter {
    mutating func begin() throws
    mutating func write(_ row: ExportRow) throws
    mutating func finish() throws
}

/// Buffers output and hands it to the file handle in 64 KiB chunks.
final class ExportSink {
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private static let chunk = 1 << 16

    init(_ handle: FileHandle) {
        self.handle = handle
        buffer.reserveCapacity(Self.chunk * 2)
    }

    func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.chunk { try flush() }
    }

    func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.chunk { try flush() }
    }

    func flush() throws {
        guard !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw ArchiveError.cannotWrite(reason: "\(error)")
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
