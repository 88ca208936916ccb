// Turns what a user types into an FTS5 MATCH expression without ever passing their text
// through as syntax: every term becomes a double-quoted FTS5 string (quotes doubled), which
// the `docvault` tokenizer then splits; a term of several tokens (a hanzi run, `1,234.50`,
// `ACME-GmbH`) is thereby a phrase. Only our own operators reach FTS5.
//
// Accepted syntax: bare words (AND-ed), "quoted phrases", OR between terms, NOT term or -term,
// word* (prefix of 2 or more characters, Latin and digits only), AND (the default, ignored). Parentheses are treated
// as spaces; unbalanced quotes end at the end of the input; stray * are dropped.

public struct SearchQuery: Equatable, Sendable {
    /// One searchable unit: the text of a phrase and whether it ends in a prefix wildcard.
    public struct Term: Equatable, Sendable {
        public var text: String
        public var isPrefix: Bool
    }

    /// Groups AND-ed together; the terms inside a group are OR-ed.
    public var required: [[Term]]
    /// Terms none of which may appear.
    public var excluded: [Term]

    /// True when there is nothing to search for (empty input, only operators, only exclusions).
    public var isEmpty: Bool { required.isEmpty }

    public init(parsing input: String) {
        var required: [[Term]] = []
        var excluded: [Term] = []
        var pendingOr = false
        var pendingNot = false
        for word in Self.lex(input) {
            switch word {
            case .operatorOr:
                pendingOr = !required.isEmpty
            case .operatorNot:
                pendingNot = true
            case .operatorAnd:
                pendingOr = false
            case .term(let raw, let negated, let quoted):
                guard let term = Self.term(raw, quoted: quoted) else { continue }
                if negated || pendingNot {
                    excluded.append(term)
                } else if pendingOr, !required.isEmpty {
                    required[required.count - 1].append(term)
                } else {
                    required.append([term])
                }
                pendingOr = false
                pendingNot = false
            }
        }
        self.required = required
        self.excluded = excluded
    }

    init(required: [[Term]], excluded: [Term]) {
        self.required = required
        self.excluded = excluded
    }

    /// The FTS5 MATCH expression, or nil when there is nothing to search for.
    public var matchExpression: String? {
        guard !required.isEmpty else { return nil }
        let groups = required.map { group in
            group.count == 1 ? Self.quote(group[0]) : "(" + group.map(Self.quote).joined(separator: " OR ") + ")"
        }
        var expression = groups.joined(separator: " AND ")
        if !excluded.isEmpty {
            expression = "(\(expression)) NOT (" + excluded.map(Self.quote).joined(separator: " OR ") + ")"
        }
        return expression
    }

    static func quote(_ term: Term) -> String {
        "\"" + term.text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" + (term.isPrefix ? "*" : "")
    }

    /// A term, or nil when the text holds nothing the index knows (punctuation, a lone `*`).
    private static func term(_ raw: String, quoted: Bool) -> Term? {
        var text = raw
        var isPrefix = false
        if !quoted {
            isPrefix = text.hasSuffix("*")
            text = String(text.filter { $0 != "*" })
        }
        let tokens = TokenScanner.tokens(of: text)
        guard let last = tokens.last else { return nil }
        // A prefix only makes sense on a Latin or digit token (a hanzi is a whole token already),
        // and needs two characters: lines_fts keeps prefix indexes of 2, 3 and 4 characters, and a
        // one-letter prefix would merge the postings of a large part of the vocabulary.
        if isPrefix, let scalar = last.unicodeScalars.first, TokenScanner.isCJK(scalar) || last.count < 2 {
            isPrefix = false
        }
        return Term(text: text, isPrefix: isPrefix)
    }

    private enum Word: Equatable {
        case term(String, negated: Bool, quoted: Bool)
        case operatorOr, operatorAnd, operatorNot
    }

    private static func lex(_ input: String) -> [Word] {
        var words: [Word] = []
        // Control characters (NUL above all, which ends an FTS5 string early) separate words.
        let cleaned = String(String.UnicodeScalarView(input.unicodeScalars.map {
            $0.properties.generalCategory == .control ? " " : $0
        }))
        var characters = Substring(cleaned)
        while let first = characters.first {
            if first.isWhitespace || first == "(" || first == ")" {
                characters.removeFirst()
                continue
            }
            var negated = false
            if first == "-", characters.count > 1, let next = characters.dropFirst().first, !next.isWhitespace {
                negated = true
                characters.removeFirst()
            }
            if characters.first == "\"" {
                characters.removeFirst()
                let phrase = characters.prefix { $0 != "\"" }
                characters = characters.dropFirst(phrase.count + 1)
                words.append(.term(String(phrase), negated: negated, quoted: true))
                continue
            }
            let word = characters.prefix { !$0.isWhitespace && $0 != "\"" && $0 != "(" && $0 != ")" }
            characters = characters.dropFirst(word.count)
            switch (negated, String(word)) {
            case (false, "OR"), (false, "|"): words.append(.operatorOr)
            case (false, "AND"), (false, "&"): words.append(.operatorAnd)
            case (false, "NOT"): words.append(.operatorNot)
            default: words.append(.term(String(word), negated: negated, quoted: false))
            }
        }
        return words
    }
}
