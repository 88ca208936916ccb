import PageImage

/// Turns a PDF text layer into lines like the segmenter's, and decides whether to trust it.
enum TextLayerLines {
    /// Words of one poppler line, split where the gap between words is wider than the line's
    /// height times `gapFactor` (table columns stay separate lines, as on the page).
    static func lines(from words: [TextLayerWord], gapFactor: Double = 1.2) -> [OCRLine] {
        var byLine: [Int: [TextLayerWord]] = [:]
        var order: [Int] = []
        for word in words where !word.text.allSatisfy(\.isWhitespace) {
            if byLine[word.line] == nil { order.append(word.line) }
            byLine[word.line, default: []].append(word)
        }
        var result: [OCRLine] = []
        for key in order {
            let sorted = byLine[key]!.sorted { $0.x0 < $1.x0 }
            var group: [TextLayerWord] = []
            for word in sorted {
                if let last = group.last {
                    let height = max(last.y1 - last.y0, word.y1 - word.y0, 1)
                    if word.x0 - last.x1 > height * gapFactor {
                        result.append(line(of: group))
                        group = []
                    }
                }
                group.append(word)
            }
            if !group.isEmpty { result.append(line(of: group)) }
        }
        return result
    }

    private static func line(of words: [TextLayerWord]) -> OCRLine {
        var text = ""
        for (index, word) in words.enumerated() {
            if index > 0 && needsSpace(between: words[index - 1], and: word) { text += " " }
            text += word.text
        }
        let box = [Int(words.map(\.x0).min()!.rounded(.down)), Int(words.map(\.y0).min()!.rounded(.down)),
                   Int(words.map(\.x1).max()!.rounded(.up)), Int(words.map(\.y1).max()!.rounded(.up))]
        return OCRLine(text: text, confidence: 1, bbox: box)
    }

    /// CJK text carries no spaces between words; Latin words do.
    private static func needsSpace(between left: TextLayerWord, and right: TextLayerWord) -> Bool {
        guard let a = left.text.unicodeScalars.last, let b = right.text.unicodeScalars.first else { return false }
        return !(isCJK(a) && isCJK(b))
    }

    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2E80...0x2FFF, 0x3000...0x303F, 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFFEF: return true
        default: return false
        }
    }

    /// A text layer is trusted when it has text and that text is made of real characters: layers
    /// without a ToUnicode map come out as private-use code points, U+FFFD or control characters.
    static func isTrustworthy(_ words: [TextLayerWord]) -> Bool {
        var total = 0, bad = 0
        for word in words {
            for scalar in word.text.unicodeScalars where !scalar.properties.isWhitespace {
                total += 1
                let value = scalar.value
                if (0xE000...0xF8FF).contains(value) || value == 0xFFFD || value < 0x20
                    || (0xF0000...0x10FFFF).contains(value) {
                    bad += 1
                }
            }
        }
        return total >= 3 && Double(bad) <= 0.02 * Double(total)
    }
}
