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

    /// Doubles every quote scalar: working on Characters would miss a quote that a combining mark
    /// joins into one grapheme (`"` + U+0301), and the phrase would end early in FTS5's eyes.
    static func quote(_ term: Term) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in term.text.unicodeScalars {
            escaped.append(scalar)
            if scalar == "\"" { escaped.append(scalar) }
        }
        return "\"" + String(escaped) + "\"" + (term.isPrefix ? "*" : "")
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

    /// Splits the input on Unicode scalars, not Characters: a combining mark after a quote or a
    /// parenthesis must not hide it inside a grapheme (the mark then belongs to the next word).
    private static func lex(_ input: String) -> [Word] {
        var words: [Word] = []
        // Control characters (NUL above all, which ends an FTS5 string early) separate words.
        let scalars = input.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }
        func isSpace(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace }
        func isBreak(_ scalar: Unicode.Scalar) -> Bool { isSpace(scalar) || scalar == "\"" || scalar == "(" || scalar == ")" }
        var index = 0
        while index < scalars.count {
            let first = scalars[index]
            if isSpace(first) || first == "(" || first == ")" {
                index += 1
                continue
            }
            var negated = false
            if first == "-", index + 1 < scalars.count, !isSpace(scalars[index + 1]) {
                negated = true
                index += 1
            }
            if scalars[index] == "\"" {
                let start = index + 1
                var end = start
                while end < scalars.count && scalars[end] != "\"" { end += 1 }
                words.append(.term(text(scalars[start..<end]), negated: negated, quoted: true))
                index = end + 1
                continue
            }
            let start = index
            while index < scalars.count && !isBreak(scalars[index]) { index += 1 }
            let word = text(scalars[start..<index])
            switch (negated, word) {
            case (false, "OR"), (false, "|"): words.append(.operatorOr)
            case (false, "AND"), (false, "&"): words.append(.operatorAnd)
            case (false, "NOT"): words.append(.operatorNot)
            default: words.append(.term(word, negated: negated, quoted: false))
            }
        }
        return words
    }

    private static func text(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
