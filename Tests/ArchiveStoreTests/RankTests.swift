import GRDB
import Testing
@testable import ArchiveStore

@Suite struct RankTests {
    /// For a one-phrase query, docvault_rank must order lines as FTS5's bm25 does (it only
    /// leaves out the IDF factor, which is the same for every line then).
    @Test(arguments: ["发票", "票", "有限公司", "acme", "2024", "1234.50"])
    func ordersLikeBM25ForOnePhrase(query: String) throws {
        let temporary = try makeSearchArchive()
        let expression = try #require(SearchQuery(parsing: query).matchExpression)
        let rows = try temporary.archive.read { db in
            try Row.fetchAll(db, sql: """
                SELECT bm25(lines_fts) AS bm25, docvault_rank(lines_fts) AS ours FROM lines_fts
                WHERE lines_fts MATCH ? ORDER BY bm25(lines_fts)
                """, arguments: [expression])
        }
        #expect(!rows.isEmpty)
        let ours = rows.map { $0["ours"] as Double }
        let bm25 = rows.map { $0["bm25"] as Double }
        for index in ours.indices.dropFirst() {
            #expect(ours[index] <= ours[index - 1] + 1e-9)
            if bm25[index] > bm25[index - 1] + 1e-9 { #expect(ours[index] < ours[index - 1]) }
        }
    }

    @Test func shorterLinesAndRepeatedTermsRankHigher() throws {
        let temporary = try TemporaryArchive()
        try temporary.archive.store(document: makeDocument("long", pages: [["这是一张很长的发票说明文字内容包括很多别的字"]]))
        try temporary.archive.store(document: makeDocument("short", pages: [["发票"]]))
        let results = try temporary.archive.search("发票")
        #expect(results.documents.map(\.document.path) == ["/archive/short", "/archive/long"])
        #expect(results.documents[0].score > results.documents[1].score)
    }
}
