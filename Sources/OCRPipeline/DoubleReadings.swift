import CRNN

/// One glyph read as two neighbouring characters. CTC collapses repeated frames of one class,
/// but when the argmax flips between two look-alike classes along a wide glyph without a blank
/// between them, both are emitted: an en dash comes out as `-–` (`737-–8`, `W12-–140`). No text
/// sets two different dashes side by side, so such a pair is one dash, the likelier reading.
enum DoubleReadings {
    static let dashes: Set<Unicode.Scalar> = ["-", "‐", "‑", "–", "—", "−"]

    static func collapse(_ line: RecognisedLine) -> RecognisedLine {
        let chars = line.characters
        guard chars.count >= 2 else { return line }
        var out: [RecognisedCharacter] = []
        out.reserveCapacity(chars.count)
        for c in chars {
            if let last = out.last, dashes.contains(last.character), dashes.contains(c.character),
               last.character != c.character {
                if c.confidence > last.confidence { out[out.count - 1] = c }
                continue
            }
            out.append(c)
        }
        guard out.count < chars.count else { return line }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: out.map(\.character))
        let mean = out.reduce(0) { $0 + $1.confidence } / Double(out.count)
        return RecognisedLine(text: String(text), confidence: mean, characters: out, spaceHints: [])
    }
}
