import Foundation
import Testing
@testable import ArchiveStore

/// A small archive of invoices and a letter, shared by the search tests.
func makeSearchArchive() throws -> TemporaryArchive {
    let temporary = try TemporaryArchive()
    for document in SearchCorpus.documents { try temporary.archive.store(document: document) }
    return temporary
}

enum SearchCorpus {
    static let pages: [(String, [[String]])] = [
        ("invoice-a.png", [[
            "发票号码：24412000000012345678",
            "开票日期：2024年5月12日",
            "购买方名称：上海星辰贸易有限公司",
            "价税合计（大写）捌佰陆拾圆整 （小写）¥860.00",
        ], [
            "ACME GmbH Rechnung Nr. 2024-0042",
            "Total amount 1,234.50 EUR",
        ]]),
        ("invoice-b.pdf", [[
            "增值税专用发票",
            "销售方：北京测试科技有限公司",
            "合计金额 1234.50",
            "发票号码 No. 2024-00815",
            "Invoice date 2024-05-12",
        ]]),
        ("letter.tiff", [[
            "Dear ACME team, thank you for the invoices.",
            "我们已经收到贵公司的发票。",
            "Acmeville is not ACME",
            "Reference INV-1005",
        ]]),
    ]

    static var documents: [NewDocument] { pages.map { makeDocument($0.0, pages: $0.1) } }
    static var allLines: [String] { pages.flatMap { $0.1.flatMap { $0 } } }
}

let everything = SearchOptions(limit: 100, linesPerDocument: 100, fuzzyFallback: false)

@Suite struct ChineseSearchTests {
    /// Every run of hanzi of the given length that occurs in the corpus.
    static func hanziSubstrings(length: Int) -> Set<String> {
        var result = Set<String>()
        for line in SearchCorpus.allLines {
            let characters = Array(line)
            guard characters.count >= length else { continue }
            for start in 0...(characters.count - length) {
                let piece = characters[start..<(start + length)]
                if piece.allSatisfy({ $0.unicodeScalars.allSatisfy(TokenScanner.isCJK) }) {
                    result.insert(String(piece))
                }
            }
        }
        return result
    }

    @Test(arguments: [1, 2, 4, 10])
    func everyContainingLineIsFound(length: Int) throws {
        let temporary = try makeSearchArchive()
        let queries = Self.hanziSubstrings(length: length)
        #expect(!queries.isEmpty)
        for query in queries {
            let found = try temporary.archive.search(query, options: everything).lineTexts.sorted()
            let expected = SearchCorpus.allLines.filter { $0.contains(query) }.sorted()
            #expect(found == expected, "query \(query)")
        }
    }

    @Test func theFilteredPathFindsTheSameLines() throws {
        let temporary = try makeSearchArchive()
        var filtered = everything
        filtered.minConfidence = 0  // forces the joined query
        for query in Self.hanziSubstrings(length: 2) {
            let plain = try temporary.archive.search(query, options: everything).lineTexts.sorted()
            #expect(try temporary.archive.search(query, options: filtered).lineTexts.sorted() == plain, "\(query)")
        }
    }

    @Test func aSmallRankingWindowStillReturnsMatches() throws {
        let temporary = try makeSearchArchive()
        var narrow = everything
        narrow.rankingWindow = 1
        let results = try temporary.archive.search("发票", options: narrow)
        #expect(results.lineTexts.count == 1)
    }

    @Test func highlightCoversTheWholeHanziPhrase() throws {
        let temporary = try makeSearchArchive()
        let results = try temporary.archive.search("专用发票", options: everything)
        let line = try #require(results.documents.first?.lines.first)
        #expect(line.snippet.text == "增值税专用发票")
        #expect(line.snippet.highlights == [Snippet.Highlight(start: 3, end: 7)])
        #expect(line.snippet.marked(open: "[", close: "]") == "增值税[专用发票]")
        #expect(line.pageNumber == 1 && line.lineNumber == 1)
        #expect(line.box == LineBox(x0: 100, y0: 100, x1: 1200, y1: 140))
    }
}

@Suite struct MixedSearchTests {
    func texts(_ query: String) throws -> [String] {
        let temporary = try makeSearchArchive()
        return try temporary.archive.search(query, options: everything).lineTexts.sorted()
    }

    @Test func invoiceNumberWithYear() throws {
        #expect(try texts("发票号码 2024") == ["发票号码 No. 2024-00815"])
        #expect(try texts("发票号码 24412000000012345678") == ["发票号码：24412000000012345678"])
    }

    @Test func companyName() throws {
        #expect(try texts("ACME GmbH") == ["ACME GmbH Rechnung Nr. 2024-0042"])
        #expect(try texts("acme gmbh") == ["ACME GmbH Rechnung Nr. 2024-0042"])
    }

    @Test func amountsMeetWhateverTheGrouping() throws {
        #expect(try texts("¥860.00") == ["价税合计（大写）捌佰陆拾圆整 （小写）¥860.00"])
        #expect(try texts("￥860.00") == ["价税合计（大写）捌佰陆拾圆整 （小写）¥860.00"])
        let both = ["Total amount 1,234.50 EUR", "合计金额 1234.50"]
        #expect(try texts("1,234.50") == both)
        #expect(try texts("1234.50") == both)
    }

    @Test func chineseDates() throws {
        #expect(try texts("2024年5月12日") == ["开票日期：2024年5月12日"])
        #expect(try texts("2024年05月12日") == ["开票日期：2024年5月12日"])
    }

    @Test func phrasesOperatorsAndPrefixes() throws {
        #expect(try texts("\"thank you\"") == ["Dear ACME team, thank you for the invoices."])
        #expect(try texts("\"you thank\"").isEmpty)
        #expect(try texts("GmbH OR 增值税") == ["ACME GmbH Rechnung Nr. 2024-0042", "增值税专用发票"])
        #expect(try texts("ACME -GmbH") == ["Acmeville is not ACME", "Dear ACME team, thank you for the invoices."])
        #expect(try texts("ACME NOT GmbH") == ["Acmeville is not ACME", "Dear ACME team, thank you for the invoices."])
        #expect(try texts("acme*").count == 3)
        #expect(try texts("Rech*") == ["ACME GmbH Rechnung Nr. 2024-0042"])
        #expect(try texts("Rech") == [])
        // One-letter and hanzi "prefixes" are plain terms.
        #expect(SearchQuery(parsing: "a*").required == [[SearchQuery.Term(text: "a", isPrefix: false)]])
        #expect(SearchQuery(parsing: "发*").required == [[SearchQuery.Term(text: "发", isPrefix: false)]])
        #expect(SearchQuery(parsing: "2024-0*").matchExpression == "\"2024-0\"")
        #expect(try texts("INV-10*") == ["Reference INV-1005"])
        // Prefixes longer than the prefix indexes are searched as their completions.
        #expect(try texts("Rechn*") == ["ACME GmbH Rechnung Nr. 2024-0042"])
        #expect(try texts("invoic*") == ["Dear ACME team, thank you for the invoices.", "Invoice date 2024-05-12"])
        #expect(try texts("invoic* -date") == ["Dear ACME team, thank you for the invoices."])
    }

    @Test func longPrefixesExpandToTheirFewCompletions() throws {
        let temporary = try makeSearchArchive()
        let expanded = try temporary.archive.read { db in
            try Archive.expandingLongPrefixes(SearchQuery(parsing: "invoic* acme*"), db)
        }
        #expect(expanded.required == [
            [SearchQuery.Term(text: "invoice", isPrefix: false), SearchQuery.Term(text: "invoices", isPrefix: false)],
            [SearchQuery.Term(text: "acme", isPrefix: true)],
        ])
    }

    @Test func matchingLinesCountsEveryMatchOfTheDocument() throws {
        let temporary = try TemporaryArchive()
        try temporary.archive.store(document: makeDocument("other", pages: [["发票 x"]]))
        try temporary.archive.store(document: makeDocument("many", pages: [["发票 1", "无关", "发票 2"], ["发票 3"]],
                                                           confidence: 0.5))
        try temporary.archive.store(document: makeDocument("later", pages: [["发票 y", "发票 z"]]))
        let options = SearchOptions(linesPerDocument: 1)
        let counts = try temporary.archive.search("发票", options: options).documents
            .map { ($0.document.path, $0.matchingLines) }
        #expect(Dictionary(uniqueKeysWithValues: counts) == ["/archive/other": 1, "/archive/many": 3, "/archive/later": 2])
        let sure = try temporary.archive.search("发票", options: SearchOptions(minConfidence: 0.8)).documents
        #expect(sure.map(\.matchingLines).sorted() == [1, 2])
    }

    @Test func resultsAreGroupedByDocumentBestFirst() throws {
        let temporary = try makeSearchArchive()
        let options = SearchOptions(limit: 2, linesPerDocument: 1, fuzzyFallback: false)
        let results = try temporary.archive.search("发票", options: options)
        #expect(results.documents.count == 2)
        #expect(results.documents.allSatisfy { $0.lines.count == 1 })
        #expect(results.documents[0].score >= results.documents[1].score)
        #expect(Set(results.documents.map(\.document.id)).count == 2)
    }
}

@Suite struct SearchFilterTests {
    @Test func minimumConfidenceDocumentAndDate() throws {
        let temporary = try TemporaryArchive()
        let archive = temporary.archive
        let sure = try archive.store(document: makeDocument("sure.png", pages: [["发票 sure"]], confidence: 0.95),
                                     ingestedAt: Date(timeIntervalSince1970: 1_000))
        let unsure = try archive.store(document: makeDocument("unsure.png", pages: [["发票 unsure"]], confidence: 0.4),
                                       ingestedAt: Date(timeIntervalSince1970: 2_000))
        func ids(_ options: SearchOptions) throws -> [Int64] {
            try archive.search("发票", options: options).documents.map(\.document.id).sorted()
        }
        #expect(try ids(SearchOptions()) == [sure.id, unsure.id])
        #expect(try ids(SearchOptions(minConfidence: 0.5)) == [sure.id])
        #expect(try ids(SearchOptions(documentID: unsure.id)) == [unsure.id])
        #expect(try ids(SearchOptions(since: Date(timeIntervalSince1970: 1_500))) == [unsure.id])
    }
}

@Suite struct FuzzySearchTests {
    @Test func ocrConfusionsAreTriedWhenNothingMatches() throws {
        let temporary = try makeSearchArchive()
        let hanzi = try temporary.archive.search("己经收到")
        #expect(hanzi.isFuzzy)
        #expect(hanzi.lineTexts == ["我们已经收到贵公司的发票。"])
        let latin = try temporary.archive.search("INV-1OO5")
        #expect(latin.isFuzzy)
        #expect(latin.lineTexts == ["Reference INV-1005"])
        let exact = try temporary.archive.search("已经收到")
        #expect(!exact.isFuzzy)
        #expect(try temporary.archive.search("己经收到", options: everything).documents.isEmpty)
    }
}

@Suite struct HostileQueryTests {
    static let queries = [
        "", "   ", "\"", "\"\"", "\"unclosed", "(", ")", "((()", "*", "**", "a*b", "*发票*", "AND", "OR", "NOT",
        "AND OR NOT", "OR 发票", "发票 OR", "NOT 发票", "-发票", "-", "--x", "NEAR(a b)", "text:发票", "{text}: x",
        "^abc", "a + b", "'; DROP TABLE lines; --", "\\", "发票\"", "\"发票", "\"\"\"", "¥", "，。！",
        "x\u{0}y", "\u{2}\u{3}", "lines_fts", "rank:1", "a NEAR/2 b", String(repeating: "发票 ", count: 200),
    ]

    @Test(arguments: queries)
    func neverASyntaxError(query: String) throws {
        let temporary = try makeSearchArchive()
        _ = try temporary.archive.search(query)
        let sink = temporary.directory.appendingPathComponent("export.csv")
        FileManager.default.createFile(atPath: sink.path, contents: nil)
        let handle = try FileHandle(forWritingTo: sink)
        defer { try? handle.close() }
        _ = try temporary.archive.export(.csv(excel: false), query: query, to: handle)
    }

    @Test func operatorsAloneSearchNothing() throws {
        for query in ["AND OR NOT", "", "*", "()", "\"\""] {
            #expect(SearchQuery(parsing: query).matchExpression == nil, "\(query)")
        }
        #expect(SearchQuery(parsing: "a\"b").matchExpression == "\"a\" AND \"b\"")
        #expect(SearchQuery(parsing: "发票 OR \"x y\" -z").matchExpression == "((\"发票\" OR \"x y\")) NOT (\"z\")")
    }
}
