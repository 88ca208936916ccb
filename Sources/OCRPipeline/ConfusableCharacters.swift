/// Repairs the recogniser's commonest confusions between digits and letters from their context
/// within a word: `T0TAL` → `TOTAL`, `P0S:` → `POS:`, `2O24` → `2024`, `l0.00` → `10.00`. Printed
/// 0 and O (and 1, l, I) are often the same glyph in receipt and typewriter faces, so only the
/// neighbours can tell them apart. Each character is replaced by exactly one, so per-character
/// confidences stay aligned; words the rules are unsure of are left as they are.
enum ConfusableCharacters {
    static func repair(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: suspects.contains)
        else { return text }
        var out: [Character] = []
        var word: [Character] = []
        for c in text {
            if c == " " || c == "\t" {
                out += repairWord(word)
                word.removeAll(keepingCapacity: true)
                out.append(c)
            } else {
                word.append(c)
            }
        }
        out += repairWord(word)
        return String(out)
    }

    /// Characters some rule may replace; text without any is returned at once.
    private static let suspects: Set<Unicode.Scalar> = ["0", "O", "o", "l", "I", "〇", "$", "§"]

    private static func isLetter(_ c: Character) -> Bool { c.isASCII && c.isLetter }
    private static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }

    private static func hasNeighbour(_ word: [Character], _ i: Int, _ test: (Character) -> Bool) -> Bool {
        (i > 0 && test(word[i - 1])) || (i + 1 < word.count && test(word[i + 1]))
    }

    static func repairWord(_ word: [Character]) -> [Character] {
        let word = signsForS(latinCircles(word))
        let letters = word.filter(isLetter)
        let digits = word.filter(isDigit)
        // An upper-case word whose only digits are zeros, each touching a letter: they are O's.
        if !digits.isEmpty, digits.allSatisfy({ $0 == "0" }), letters.count >= 2,
           letters.allSatisfy(\.isUppercase),
           word.indices.allSatisfy({ word[$0] != "0" || hasNeighbour(word, $0, isLetter) }) {
            return word.map { $0 == "0" ? "O" : $0 }
        }
        // A number whose only letters are O, o, l or I, each touching a digit: they are 0's and 1's.
        let lookalikes: Set<Character> = ["O", "o", "l", "I"]
        if !letters.isEmpty, digits.count >= 2, letters.allSatisfy(lookalikes.contains),
           word.indices.allSatisfy({ !lookalikes.contains(word[$0]) || hasNeighbour(word, $0, isDigit) }) {
            return word.map { c in
                switch c {
                case "O", "o": "0"
                case "l", "I": "1"
                default: c
                }
            }
        }
        return word
    }

    /// A dollar or section sign in front of a word of letters is an S (`$PRITZER`, `§TORES`):
    /// both signs stand before amounts and numbers, never before four letters and more. Trailing
    /// punctuation is allowed (`§TORES)`).
    private static func signsForS(_ word: [Character]) -> [Character] {
        guard let first = word.first, first == "$" || first == "§" else { return word }
        let letters = word.dropFirst().prefix(while: isLetter)
        let rest = word.dropFirst(1 + letters.count)
        guard letters.count >= 4, rest.allSatisfy({ !$0.isLetter && !$0.isNumber }) else { return word }
        return ["S"] + word.dropFirst()
    }

    /// The ideographic zero 〇 (二〇二四年) is drawn like O and 0: beside a Latin letter it is an O
    /// (`OY〇` → `OYO`), beside a digit a 0; among hanzi it stays.
    private static func latinCircles(_ word: [Character]) -> [Character] {
        guard word.contains("〇") else { return word }
        return word.indices.map { i in
            guard word[i] == "〇" else { return word[i] }
            if hasNeighbour(word, i, isLetter) { return "O" }
            if hasNeighbour(word, i, isDigit) { return "0" }
            return "〇"
        }
    }
}
