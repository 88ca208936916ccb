import Foundation
import GRDB

extension Archive {
    /// Ranked full-text search, grouped by document (best document first).
    /// Never throws for what a user typed: a query with nothing searchable returns no documents.
    public func search(_ text: String, options: SearchOptions = SearchOptions()) throws -> SearchResults {
        let parsed = SearchQuery(parsing: text)
        let query = try read { db in try Self.expandingLongPrefixes(parsed, db) }
        guard let expression = query.matchExpression else {
            return SearchResults(query: text, matchExpression: nil, isFuzzy: false, documents: [])
        }
        let hits = try read { db in try Self.rankedLines(expression, options: options, db) }
        if !hits.isEmpty || !options.fuzzyFallback {
            return try results(text, expression, isFuzzy: false, hits: hits, options: options)
        }
        let fuzzy = OCRConfusions.widen(query)
        guard fuzzy != query, let fuzzyExpression = fuzzy.matchExpression else {
            return SearchResults(query: text, matchExpression: expression, isFuzzy: false, documents: [])
        }
        let fuzzyHits = try read { db in try Self.rankedLines(fuzzyExpression, options: options, db) }
        return try results(text, fuzzyExpression, isFuzzy: true, hits: fuzzyHits, options: options)
    }

    /// Prefixes the index covers directly (migrations/0002: `prefix = '2 3 4'`).
    static let longestIndexedPrefix = 4
    /// A longer prefix standing for at most this many terms is searched as those terms.
    static let prefixExpansionLimit = 16

    /// Rewrites each one-token prefix longer than the prefix indexes (`invoi*`) as the whole
    /// terms it stands for (`invoice OR invoices`) when they are few: FTS5 would otherwise merge
    /// every completion's postings in full before LIMIT applies (~100 ms on a 1M-line archive).
    static func expandingLongPrefixes(_ query: SearchQuery, _ db: Database) throws -> SearchQuery {
        func expand(_ term: SearchQuery.Term) throws -> [SearchQuery.Term] {
            let tokens = TokenScanner.tokens(of: term.text)
            guard term.isPrefix, tokens.count == 1, let prefix = tokens.first,
                  prefix.count > longestIndexedPrefix else { return [term] }
            let completions = try String.fetchAll(db, sql: """
                SELECT term FROM lines_vocabulary WHERE term >= ? AND term < ? LIMIT ?
                """, arguments: [prefix, prefix + "\u{10FFFF}", prefixExpansionLimit + 1])
            guard !completions.isEmpty, completions.count <= prefixExpansionLimit else { return [term] }
            return completions.map { SearchQuery.Term(text: $0, isPrefix: false) }
        }
        return SearchQuery(required: try query.required.map { try $0.flatMap(expand) },
                           excluded: try query.excluded.flatMap(expand))
    }

    private struct RankedLine {
        var lineID: Int64
        var score: Double
    }

    private static func filters(_ expression: String, _ options: SearchOptions) -> (String, StatementArguments) {
        var clauses = ["lines_fts MATCH ?"]
        var arguments: StatementArguments = [expression]
        if let minConfidence = options.minConfidence {
            clauses.append("lines.confidence >= ?")
            _ = arguments.append(contentsOf: [minConfidence])
        }
        if let documentID = options.documentID {
            clauses.append("pages.document_id = ?")
            _ = arguments.append(contentsOf: [documentID])
        }
        if let since = options.since {
            clauses.append("documents.ingested_at >= ?")
            _ = arguments.append(contentsOf: [since.timeIntervalSince1970])
        }
        return (clauses.joined(separator: " AND "), arguments)
    }

    /// Scores the newest `rankingWindow` matching lines (LineRank: bm25 less IDF) and returns them
    /// best first. Walking the index by rowid stops after the window, so the cost is bounded
    /// however common the term. Without filters the index alone answers (no join per line).
    private static func rankedLines(_ expression: String, options: SearchOptions, _ db: Database) throws -> [RankedLine] {
        let window = max(options.rankingWindow, 1)
        let rows: RowCursor
        if options.minConfidence == nil && options.documentID == nil && options.since == nil {
            rows = try Row.fetchCursor(db, sql: """
                SELECT rowid, docvault_rank(lines_fts) FROM lines_fts WHERE lines_fts MATCH ?
                ORDER BY rowid DESC LIMIT \(window)
                """, arguments: [expression])
        } else {
            let (filters, arguments) = Self.filters(expression, options)
            rows = try Row.fetchCursor(db, sql: """
                SELECT lines_fts.rowid, docvault_rank(lines_fts) FROM lines_fts
                JOIN lines ON lines.id = lines_fts.rowid
                \(options.documentID != nil || options.since != nil ? "JOIN pages ON pages.id = lines.page_id" : "")
                \(options.since != nil ? "JOIN documents ON documents.id = pages.document_id" : "")
                WHERE \(filters) ORDER BY lines_fts.rowid DESC LIMIT \(window)
                """, arguments: arguments)
        }
        var ranked: [RankedLine] = []
        while let row = try rows.next() {
            ranked.append(RankedLine(lineID: row[0], score: row[1]))
        }
        ranked.sort { $0.score != $1.score ? $0.score > $1.score : $0.lineID > $1.lineID }
        return ranked
    }

    /// Candidates looked up beyond those that fill the document list, to find each shown
    /// document's further good lines. Bounds the per-query lookups on a huge match list.
    private static let extraLookups = 400

    private func results(_ text: String, _ expression: String, isFuzzy: Bool, hits: [RankedLine],
                         options: SearchOptions) throws -> SearchResults {
        let documents = try read { db in
            // Group, best line first: documents in order of their best line, each with its best few lines.
            let owner = try db.cachedStatement(sql: """
                SELECT pages.document_id FROM lines JOIN pages ON pages.id = lines.page_id WHERE lines.id = ?
                """)
            var order: [Int64] = []
            var chosen: [Int64: [RankedLine]] = [:]
            var extra = 0
            for hit in hits {
                if order.count == options.limit {
                    extra += 1
                    if extra > Self.extraLookups { break }
                }
                guard let documentID = try Int64.fetchOne(owner, arguments: [hit.lineID]) else { continue }
                if chosen[documentID] == nil {
                    guard order.count < options.limit else { continue }
                    order.append(documentID)
                }
                if chosen[documentID, default: []].count < options.linesPerDocument {
                    chosen[documentID, default: []].append(hit)
                }
            }
            return try order.compactMap { documentID -> DocumentHit? in
                guard let document = try Self.fetchDocument(sql: "SELECT * FROM documents WHERE id = ?",
                                                            arguments: [documentID], db) else { return nil }
                let lines = try (chosen[documentID] ?? []).compactMap { ranked -> LineHit? in
                    try Self.lineHit(ranked, expression: expression, db)
                }
                let matching = try Self.matchingLineCount(documentID: documentID, expression: expression,
                                                          minConfidence: options.minConfidence, db)
                return DocumentHit(document: document, score: lines.first?.score ?? 0,
                                   matchingLines: max(matching, lines.count), lines: lines)
            }
        }
        return SearchResults(query: text, matchExpression: expression, isFuzzy: isFuzzy, documents: documents)
    }

    /// Counts a document's matching lines without walking the whole match list: a document's
    /// lines get consecutive ids (stored in one transaction by the one writer), so FTS5 can
    /// seek straight to that rowid range.
    private static func matchingLineCount(documentID: Int64, expression: String, minConfidence: Double?,
                                          _ db: Database) throws -> Int {
        let range = try db.cachedStatement(sql: """
            SELECT min(lines.id), max(lines.id) FROM pages JOIN lines ON lines.page_id = pages.id
            WHERE pages.document_id = ?
            """)
        guard let row = try Row.fetchOne(range, arguments: [documentID]),
              let first = row[0] as Int64?, let last = row[1] as Int64? else { return 0 }
        let count = try db.cachedStatement(sql: """
            SELECT count(*) FROM lines_fts JOIN lines ON lines.id = lines_fts.rowid
            WHERE lines_fts MATCH ? AND lines_fts.rowid BETWEEN ? AND ? AND lines.confidence >= ?
            """)
        return try Int.fetchOne(count, arguments: [expression, first, last, minConfidence ?? -1]) ?? 0
    }

    /// Text, box, page and highlighted snippet of one line. `rowid = ?` lets FTS5 seek straight
    /// to the line instead of walking the whole match list.
    private static func lineHit(_ ranked: RankedLine, expression: String, _ db: Database) throws -> LineHit? {
        let statement = try db.cachedStatement(sql: """
            SELECT lines.id, lines.number, lines.x0, lines.y0, lines.x1, lines.y1, lines.confidence,
                   pages.number AS page_number, highlight(lines_fts, 0, ?, ?) AS marked
            FROM lines_fts JOIN lines ON lines.id = lines_fts.rowid JOIN pages ON pages.id = lines.page_id
            WHERE lines_fts MATCH ? AND lines_fts.rowid = ?
            """)
        let arguments: StatementArguments = [String(Snippet.openMarker), String(Snippet.closeMarker), expression,
                                             ranked.lineID]
        guard let row = try Row.fetchOne(statement, arguments: arguments) else { return nil }
        return LineHit(lineID: ranked.lineID, pageNumber: row["page_number"], lineNumber: row["number"],
                       box: LineBox(x0: row["x0"], y0: row["y0"], x1: row["x1"], y1: row["y1"]),
                       confidence: row["confidence"], score: ranked.score,
                       snippet: Snippet(marked: row["marked"]))
    }
}
