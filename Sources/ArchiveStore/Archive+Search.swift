import Foundation
import GRDB

extension Archive {
    /// Ranked full-text search, grouped by document (best document first).
    /// Never throws for what a user typed: a query with nothing searchable returns no documents.
    public func search(_ text: String, options: SearchOptions = SearchOptions()) throws -> SearchResults {
        let query = SearchQuery(parsing: text)
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

    private struct RankedLine {
        var lineID: Int64
        var documentID: Int64
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

    /// Scores the newest `rankingWindow` matching lines and returns them best first. Walking the
    /// index by rowid stops after the window, so the cost of bm25 is bounded however common the
    /// term; sorting a few thousand scores is then negligible.
    private static func rankedLines(_ expression: String, options: SearchOptions, _ db: Database) throws -> [RankedLine] {
        let (filters, arguments) = Self.filters(expression, options)
        let needsDocuments = options.since != nil
        let rows = try Row.fetchCursor(db, sql: """
            SELECT lines_fts.rowid, pages.document_id, bm25(lines_fts) FROM lines_fts
            JOIN lines ON lines.id = lines_fts.rowid JOIN pages ON pages.id = lines.page_id
            \(needsDocuments ? "JOIN documents ON documents.id = pages.document_id" : "")
            WHERE \(filters) ORDER BY lines_fts.rowid DESC LIMIT \(max(options.rankingWindow, 1))
            """, arguments: arguments)
        var ranked: [RankedLine] = []
        while let row = try rows.next() {
            // bm25() is lower-is-better and negative; flip it so a higher score is a better line.
            ranked.append(RankedLine(lineID: row[0], documentID: row[1], score: -(row[2] as Double)))
        }
        ranked.sort { $0.score != $1.score ? $0.score > $1.score : $0.lineID > $1.lineID }
        return ranked
    }

    private func results(_ text: String, _ expression: String, isFuzzy: Bool, hits: [RankedLine],
                         options: SearchOptions) throws -> SearchResults {
        // Group: documents in order of their best line; keep each one's best few lines.
        var order: [Int64] = []
        var lines: [Int64: [RankedLine]] = [:]
        var counts: [Int64: Int] = [:]
        for hit in hits {
            counts[hit.documentID, default: 0] += 1
            if lines[hit.documentID] == nil {
                guard order.count < options.limit else { continue }
                order.append(hit.documentID)
            }
            if lines[hit.documentID, default: []].count < options.linesPerDocument {
                lines[hit.documentID, default: []].append(hit)
            }
        }
        let shown = order.flatMap { lines[$0] ?? [] }
        let documents = try read { db in
            let details = try Self.lineDetails(shown.map(\.lineID), expression: expression, db)
            return try order.map { documentID in
                let document = try Self.fetchDocument(sql: "SELECT * FROM documents WHERE id = ?",
                                                      arguments: [documentID], db)!
                let hits = (lines[documentID] ?? []).compactMap { ranked -> LineHit? in
                    guard var hit = details[ranked.lineID] else { return nil }
                    hit.score = ranked.score
                    return hit
                }
                return DocumentHit(document: document, score: hits.first?.score ?? 0,
                                   matchingLines: counts[documentID] ?? hits.count, lines: hits)
            }
        }
        return SearchResults(query: text, matchExpression: expression, isFuzzy: isFuzzy, documents: documents)
    }

    /// Text, box, page and highlighted snippet of a few lines, by id.
    private static func lineDetails(_ ids: [Int64], expression: String, _ db: Database) throws -> [Int64: LineHit] {
        guard !ids.isEmpty else { return [:] }
        let placeholders = Array(repeating: "?", count: ids.count).joined(separator: ",")
        var arguments: StatementArguments = [String(Snippet.openMarker), String(Snippet.closeMarker), expression]
        _ = arguments.append(contentsOf: StatementArguments(ids))
        let rows = try Row.fetchAll(db, sql: """
            SELECT lines.id, lines.number, lines.x0, lines.y0, lines.x1, lines.y1, lines.confidence,
                   pages.number AS page_number, highlight(lines_fts, 0, ?, ?) AS marked
            FROM lines_fts JOIN lines ON lines.id = lines_fts.rowid JOIN pages ON pages.id = lines.page_id
            WHERE lines_fts MATCH ? AND lines_fts.rowid IN (\(placeholders))
            """, arguments: arguments)
        var details: [Int64: LineHit] = [:]
        for row in rows {
            let id: Int64 = row["id"]
            details[id] = LineHit(lineID: id, pageNumber: row["page_number"], lineNumber: row["number"],
                                  box: LineBox(x0: row["x0"], y0: row["y0"], x1: row["x1"], y1: row["y1"]),
                                  confidence: row["confidence"], score: 0,
                                  snippet: Snippet(marked: row["marked"]))
        }
        return details
    }
}
