import CRNN

/// What a recognised line must hold to be stored, and marks that hold nothing.
enum LineContent {
    /// Whether `text` has a letter, a digit or a hanzi. A line of bare punctuation (`.`, `●`,
    /// `''`, `-）`) is a speck, a bullet, a rule or a piece of a logo read as marks: nothing in it
    /// can be searched for, and stored it only adds wrong tokens to the page.
    static func carriesText(_ text: String) -> Bool {
        text.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil }
    }

    static let openings: Set<Unicode.Scalar> = ["(", "（", "[", "［", "{", "｛"]
    static let closings: Set<Unicode.Scalar> = [")", "）", "]", "］", "}", "｝"]

    /// `line` without bracket pairs that enclose nothing but spaces (`Price （ )`): the brackets
    /// held a sign the recogniser has no class for (a currency symbol such as ₹) or nothing, so
    /// they carry no text. The line's confidence becomes the mean of the characters kept.
    static func droppingEmptyBrackets(_ line: RecognisedLine) -> RecognisedLine {
        let chars = line.characters
        var out: [RecognisedCharacter] = []
        out.reserveCapacity(chars.count)
        for c in chars {
            if closings.contains(c.character),
               let open = out.lastIndex(where: { $0.character != " " }), openings.contains(out[open].character) {
                out.removeSubrange(open...)
                continue
            }
            out.append(c)
        }
        guard out.count < chars.count else { return line }
        guard !out.isEmpty else { return .empty }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: out.map(\.character))
        let mean = out.reduce(0) { $0 + $1.confidence } / Double(out.count)
        return RecognisedLine(text: String(text), confidence: mean, characters: out)
    }
}
