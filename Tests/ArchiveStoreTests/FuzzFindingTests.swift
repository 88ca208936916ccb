import Foundation
import Testing
@testable import ArchiveStore

/// Queries found by scripts/fuzz-run (docvault-fuzz query) that made `search` throw: FTS5 saw a
/// quote that the parser had missed because a combining mark (U+0301) joined it into one grapheme.
@Suite struct QueryFuzzFindingTests {
    static let findings = [
        "\"\"\u{301} OR \"\" ",                               // unterminated string
        "text: ab*-发票 \"\"\u{301} １２３ + &",               // syntax error near "&"
        "\"\u{301}a ",                                        // unterminated string
        "😀\"\u{301}AND \u{7}ab* ",                          // unterminated string
        "\"\u{301}invoice\u{301}\" OR \"\u{301}",
        "-(\u{301} \"\u{301}\"\u{301}\"",
    ]

    @Test(arguments: findings)
    func searchNeverThrowsForTypedText(_ query: String) throws {
        let temporary = try makeSearchArchive()
        _ = try temporary.archive.search(query, options: everything)
    }

    @Test(arguments: findings)
    func everyQuoteInTheExpressionIsBalanced(_ query: String) {
        guard let expression = SearchQuery(parsing: query).matchExpression else { return }
        let quotes = expression.unicodeScalars.filter { $0 == "\"" }.count
        #expect(quotes % 2 == 0, "odd number of quote scalars in \(expression)")
    }

    @Test func aQuoteJoinedByACombiningMarkStillOpensAPhrase() {
        let query = SearchQuery(parsing: "\"\u{301}invoice date\"")
        #expect(query.required.count == 1)
        #expect(query.required.first?.first?.text == "\u{301}invoice date")
    }

    @Test func quotingDoublesQuoteScalarsInsideGraphemes() {
        let quoted = SearchQuery.quote(SearchQuery.Term(text: "a\"\u{301}b", isPrefix: false))
        #expect(quoted == "\"a\"\"\u{301}b\"")
    }
}
