import Foundation
import GRDB

extension Archive {
    /// Stores a document with its pages and lines in one transaction: all of it or nothing.
    /// A stored document with the same content hash or the same path is replaced (a changed
    /// file is re-done; re-storing the same content refreshes it).
    @discardableResult
    public func store(document: NewDocument, ingestedAt: Date = Date()) throws -> StoredDocument {
        try validate(document)
        do {
            return try pool.write { db in
                try db.cachedStatement(sql: "DELETE FROM documents WHERE sha256 = ? OR path = ?")
                    .execute(arguments: [document.sha256, document.path])
                let documentID = try insertDocument(document, ingestedAt: ingestedAt, db)
                for page in document.pages {
                    let pageID = try insertPage(page, documentID: documentID, db)
                    try insertLines(page.lines, pageID: pageID, db)
                }
                return try Self.fetchDocument(sql: "SELECT * FROM documents WHERE id = ?",
                                              arguments: [documentID], db)!
            }
        } catch {
            throw ArchiveError.invalidDocument(path: document.path, reason: Self.reason(error))
        }
    }

    private func validate(_ document: NewDocument) throws {
        func reject(_ reason: String) -> ArchiveError { .invalidDocument(path: document.path, reason: reason) }
        let hex = document.sha256.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        guard document.sha256.utf8.count == 64, hex else {
            throw reject("sha256 must be 64 lowercase hex digits, got \"\(document.sha256)\"")
        }
        var numbers = Set<Int>()
        for page in document.pages where !numbers.insert(page.number).inserted {
            throw reject("page \(page.number) appears twice")
        }
        for page in document.pages {
            for line in page.lines where !line.confidence.isFinite {
                throw reject("page \(page.number): a line's confidence is not a number")
            }
        }
    }

    private func insertDocument(_ document: NewDocument, ingestedAt: Date, _ db: Database) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO documents (path, size, mtime, sha256, kind, page_count, status, error, ingested_at, timings)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [document.path, document.size, document.modified.timeIntervalSince1970,
                             document.sha256, document.kind.rawValue, document.pageCount,
                             document.status.rawValue, document.error,
                             ingestedAt.timeIntervalSince1970, Timings.encode(document.timings)])
        return db.lastInsertedRowID
    }

    private func insertPage(_ page: NewPage, documentID: Int64, _ db: Database) throws -> Int64 {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO pages (document_id, number, width, height, dpi, rotation, skew, source, timings)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try statement.execute(arguments: [documentID, page.number, page.width, page.height, page.dpi,
                                           page.rotation, page.skew, page.source.rawValue,
                                           Timings.encode(page.timings)])
        return db.lastInsertedRowID
    }

    private func insertLines(_ lines: [NewLine], pageID: Int64, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO lines (page_id, number, x0, y0, x1, y1, text, confidence, char_confidences)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (index, line) in lines.enumerated() {
            try statement.execute(arguments: [pageID, index + 1, line.box.x0, line.box.y0, line.box.x1,
                                              line.box.y1, line.text, line.confidence,
                                              CharacterConfidences.encode(line.characterConfidences)])
        }
    }

    /// The document with this content hash, if stored: the pipeline's "already done?" check.
    public func document(withHash sha256: String) throws -> StoredDocument? {
        try read { db in
            try Self.fetchDocument(sql: "SELECT * FROM documents WHERE sha256 = ?", arguments: [sha256], db)
        }
    }

    /// The most recently ingested document stored under this path, if any.
    public func document(atPath path: String) throws -> StoredDocument? {
        try read { db in
            try Self.fetchDocument(sql: "SELECT * FROM documents WHERE path = ? ORDER BY ingested_at DESC LIMIT 1",
                                   arguments: [path], db)
        }
    }

    /// The document a user means by `reference`: an id, a content hash (or a prefix of at least
    /// 6 hex digits naming one document), or a path (as given, or made absolute).
    public func document(matching reference: String) throws -> StoredDocument {
        let found: StoredDocument? = try read { db in
            if let id = Int64(reference),
               let document = try Self.fetchDocument(sql: "SELECT * FROM documents WHERE id = ?", arguments: [id], db) {
                return document
            }
            let lower = reference.lowercased()
            if lower.count >= 6, lower.allSatisfy(\.isHexDigit) {
                let matches = try Self.fetchDocuments(sql: "SELECT * FROM documents WHERE sha256 LIKE ? LIMIT 2",
                                                      arguments: [lower + "%"], db)
                if matches.count == 1 { return matches[0] }
            }
            let absolute = URL(fileURLWithPath: reference).standardizedFileURL.path
            for candidate in [reference, absolute] {
                if let document = try Self.fetchDocument(sql: "SELECT * FROM documents WHERE path = ?",
                                                         arguments: [candidate], db) {
                    return document
                }
            }
            return nil
        }
        guard let found else { throw ArchiveError.documentNotFound(reference: reference) }
        return found
    }

    /// Records that a stored document's file now lives at `path` (a moved file is the same document).
    public func updatePath(documentID: Int64, to path: String, modified: Date? = nil) throws {
        try write { db in
            try db.execute(sql: "UPDATE documents SET path = ?, mtime = coalesce(?, mtime) WHERE id = ?",
                           arguments: [path, modified?.timeIntervalSince1970, documentID])
            if db.changesCount == 0 { throw ArchiveError.documentNotFound(reference: String(documentID)) }
        }
    }

    /// Removes a document with its pages, lines and index entries.
    public func remove(documentID: Int64) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM documents WHERE id = ?", arguments: [documentID])
            if db.changesCount == 0 { throw ArchiveError.documentNotFound(reference: String(documentID)) }
        }
    }

    /// Every stored document, by path.
    public func documents() throws -> [StoredDocument] {
        try read { db in try Self.fetchDocuments(sql: "SELECT * FROM documents ORDER BY path, id", arguments: [], db) }
    }

    /// Lines stored per document id (documents without lines are absent), for listings.
    public func lineCounts() throws -> [Int64: Int] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT pages.document_id, count(*) FROM lines JOIN pages ON pages.id = lines.page_id
                GROUP BY pages.document_id
                """)
            return Dictionary(uniqueKeysWithValues: rows.map { ($0[0] as Int64, $0[1] as Int) })
        }
    }

    /// A document with its pages and their lines, in page and reading order.
    public func content(ofDocument documentID: Int64) throws -> DocumentContent {
        try read { db in
            guard let document = try Self.fetchDocument(sql: "SELECT * FROM documents WHERE id = ?",
                                                        arguments: [documentID], db) else {
                throw ArchiveError.documentNotFound(reference: String(documentID))
            }
            let pages = try Row.fetchAll(db, sql: "SELECT * FROM pages WHERE document_id = ? ORDER BY number",
                                         arguments: [documentID]).map(Self.page(from:))
            var linesByPage: [Int64: [StoredLine]] = [:]
            let lines = try Row.fetchCursor(db, sql: """
                SELECT lines.* FROM lines JOIN pages ON pages.id = lines.page_id
                WHERE pages.document_id = ? ORDER BY lines.page_id, lines.number
                """, arguments: [documentID])
            while let row = try lines.next() {
                let line = Self.line(from: row)
                linesByPage[line.pageID, default: []].append(line)
            }
            return DocumentContent(document: document, pages: pages.map {
                PageContent(page: $0, lines: linesByPage[$0.id] ?? [])
            })
        }
    }

    public func stats() throws -> ArchiveStats {
        let counts = try read { db in
            let byStatus = try Row.fetchAll(db, sql: "SELECT status, count(*) FROM documents GROUP BY status")
            let bySource = try Row.fetchAll(db, sql: "SELECT source, count(*) FROM pages GROUP BY source")
            let lines = try Int.fetchOne(db, sql: "SELECT count(*) FROM lines") ?? 0
            let last = try Double.fetchOne(db, sql: "SELECT max(ingested_at) FROM documents")
            return (byStatus, bySource, lines, last)
        }
        let statuses = Dictionary(uniqueKeysWithValues: counts.0.map { ($0[0] as String, $0[1] as Int) })
        let sources = Dictionary(uniqueKeysWithValues: counts.1.map { ($0[0] as String, $0[1] as Int) })
        let files = [path, path + "-wal"]
        let bytes = files.compactMap { try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int64 }
        return ArchiveStats(documents: statuses.values.reduce(0, +), documentsByStatus: statuses,
                            pages: sources.values.reduce(0, +), pagesBySource: sources, lines: counts.2,
                            databaseBytes: bytes.reduce(0, +),
                            lastIngestedAt: counts.3.map(Date.init(timeIntervalSince1970:)))
    }
}

// MARK: - Rows to records (the one place that knows the column names)

extension Archive {
    static func fetchDocument(sql: String, arguments: StatementArguments, _ db: Database) throws -> StoredDocument? {
        try Row.fetchOne(db, sql: sql, arguments: arguments).map(document(from:))
    }

    static func fetchDocuments(sql: String, arguments: StatementArguments, _ db: Database) throws -> [StoredDocument] {
        try Row.fetchAll(db, sql: sql, arguments: arguments).map(document(from:))
    }

    static func document(from row: Row) -> StoredDocument {
        StoredDocument(id: row["id"], path: row["path"], size: row["size"],
                       modified: Date(timeIntervalSince1970: row["mtime"]), sha256: row["sha256"],
                       kind: DocumentKind(rawValue: row["kind"]) ?? .pdf, pageCount: row["page_count"],
                       status: DocumentStatus(rawValue: row["status"]) ?? .failed, error: row["error"],
                       ingestedAt: Date(timeIntervalSince1970: row["ingested_at"]),
                       timings: Timings.decode(row["timings"]))
    }

    static func page(from row: Row) -> StoredPage {
        StoredPage(id: row["id"], documentID: row["document_id"], number: row["number"], width: row["width"],
                   height: row["height"], dpi: row["dpi"], rotation: row["rotation"], skew: row["skew"],
                   source: PageSource(rawValue: row["source"]) ?? .ocr, timings: Timings.decode(row["timings"]))
    }

    static func line(from row: Row) -> StoredLine {
        StoredLine(id: row["id"], pageID: row["page_id"], number: row["number"],
                   box: LineBox(x0: row["x0"], y0: row["y0"], x1: row["x1"], y1: row["y1"]),
                   text: row["text"], confidence: row["confidence"],
                   characterConfidences: CharacterConfidences.decode(row["char_confidences"]))
    }
}

/// Stage timings as a small JSON object, so the pipeline can add stages without a migration.
enum Timings {
    static func encode(_ timings: [String: Double]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(timings)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func decode(_ json: String?) -> [String: Double] {
        guard let json else { return [:] }
        return (try? JSONDecoder().decode([String: Double].self, from: Data(json.utf8))) ?? [:]
    }
}
