import GRDB
import GRDBSQLite

/// `docvault_rank(lines_fts)`: bm25 (k1 = 1.2, b = 0.75) without its IDF factor; higher is better.
///
/// FTS5's own bm25() computes each phrase's IDF on its first call by walking every row that
/// contains the phrase: for a common hanzi that is a scan of 100,000+ rows per query on a
/// million-line archive, whatever LIMIT says. Without IDF, a one-phrase query (most queries:
/// a word, a hanzi run, a number) orders lines exactly as bm25 does; with several AND-ed
/// phrases, which all occur in every matching line, each phrase weighs the same.
enum LineRank {
    static let name = "docvault_rank"

    static func register(_ db: Database) throws {
        let api = FTS5.api(db)
        let code = api.pointee.xCreateFunction(UnsafeMutablePointer(mutating: api), name, nil, rank, nil)
        guard code == SQLITE_OK else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot register \(name)")
        }
    }

    private static let rank: fts5_extension_function = { api, fts, context, _, _ in
        guard let api = api?.pointee, let fts else { return }
        var rows: sqlite3_int64 = 0
        var totalTokens: sqlite3_int64 = 0
        var instances: Int32 = 0
        var length: Int32 = 0
        guard api.xRowCount(fts, &rows) == SQLITE_OK,
              api.xColumnTotalSize(fts, 0, &totalTokens) == SQLITE_OK,
              api.xInstCount(fts, &instances) == SQLITE_OK,
              api.xColumnSize(fts, 0, &length) == SQLITE_OK else {
            sqlite3_result_error(context, "docvault_rank failed", -1)
            return
        }
        let phrases = Int(api.xPhraseCount(fts))
        var frequencies = [Double](repeating: 0, count: max(phrases, 1))
        for index in 0..<instances {
            var phrase: Int32 = 0, column: Int32 = 0, offset: Int32 = 0
            if api.xInst(fts, index, &phrase, &column, &offset) == SQLITE_OK, Int(phrase) < frequencies.count {
                frequencies[Int(phrase)] += 1
            }
        }
        let k1 = 1.2, b = 0.75
        let averageLength = rows > 0 ? Double(totalTokens) / Double(rows) : 1
        let norm = k1 * (1 - b + b * Double(length) / max(averageLength, 1))
        let score = frequencies.reduce(0) { $0 + $1 * (k1 + 1) / ($1 + norm) }
        sqlite3_result_double(context, score)
    }
}
