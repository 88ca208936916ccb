import CRNN
import Foundation

/// Repairs English words the recogniser was unsure of with a word list: where a word is not in the
/// lexicon but swapping some of its uncertain characters for the runners-up the network itself
/// held at those frames (or dropping them, where the runner-up is the blank) gives one that is, the
/// likeliest such word is taken. Faxed and thermal text loses single strokes (`bercby`, `notifcd`,
/// `Tolal`); the network's second choice is usually the right letter, and the lexicon tells which.
///
/// Conservative by design, because a wrong repair is worse than none: only words of ASCII letters
/// (no digits: codes and amounts are never touched), of at least `minimumLength` letters, not
/// all-capital acronyms of up to four, in a line whose other words are mostly English (German,
/// Dutch and name-only lines are left as read), and only where the repaired reading is at least
/// 1/`maximumOddsAgainst` as likely as the one read, changes at most `maximumChanges` characters,
/// keeps its first letter and at least `minimumLength` letters.
enum LexiconCorrection {
    static let minimumLength = 3
    static let maximumOddsAgainst = 100.0
    /// Words with more uncertain characters than this are left alone (3^5 readings at most).
    static let maximumUncertain = 5
    /// A reading that changes more characters than this is another word, not a repair.
    static let maximumChanges = 2
    /// Punctuation around a word that is not part of it.
    static let edgePunctuation: Set<Unicode.Scalar> = [".", ",", ":", ";", "!", "?", "(", ")", "\"", "'", "[", "]", "“", "”", "‘", "’"]

    static func correct(_ line: RecognisedLine, lexicon: Lexicon?) -> RecognisedLine {
        guard let lexicon, line.characters.contains(where: { !$0.alternatives.isEmpty }) else { return line }
        let words = wordRanges(line.characters)
        var out = line.characters
        var changed = false
        // Right to left, so a dropped character does not move the ranges still to come.
        for (i, range) in words.enumerated().reversed() {
            let word = Array(line.characters[range])
            guard isCandidate(word, lexicon: lexicon),
                  mostlyEnglish(words.enumerated().filter { $0.offset != i }.map { Array(line.characters[$0.element]) }, lexicon: lexicon),
                  let repaired = bestReading(word, lexicon: lexicon)
            else { continue }
            out.replaceSubrange(range, with: repaired)
            changed = true
        }
        guard changed, !out.isEmpty else { return line }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: out.map(\.character))
        let mean = out.reduce(0) { $0 + $1.confidence } / Double(out.count)
        return RecognisedLine(text: String(text), confidence: mean, characters: out, spaceHints: [])
    }

    /// The index ranges of the words' cores: split at spaces, edge punctuation left out.
    static func wordRanges(_ characters: [RecognisedCharacter]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        func close(_ end: Int) {
            var lo = start, hi = end
            while lo < hi, edgePunctuation.contains(characters[lo].character) { lo += 1 }
            while hi > lo, edgePunctuation.contains(characters[hi - 1].character) { hi -= 1 }
            if lo < hi { ranges.append(lo..<hi) }
        }
        for (i, c) in characters.enumerated() where c.character == " " || c.character == "\t" {
            close(i)
            start = i + 1
        }
        close(characters.count)
        return ranges
    }

    private static func isASCIILetter(_ s: Unicode.Scalar) -> Bool {
        (s.value >= 65 && s.value <= 90) || (s.value >= 97 && s.value <= 122)
    }

    private static func spelling(_ word: [RecognisedCharacter]) -> String {
        var s = String.UnicodeScalarView()
        s.append(contentsOf: word.map(\.character))
        return String(s)
    }

    static func isCandidate(_ word: [RecognisedCharacter], lexicon: Lexicon) -> Bool {
        guard word.count >= minimumLength, word.allSatisfy({ isASCIILetter($0.character) }),
              word.contains(where: { !$0.alternatives.isEmpty })
        else { return false }
        let acronym = word.count <= 4 && word.allSatisfy { $0.character.value <= 90 }
        return !acronym && !lexicon.contains(spelling(word))
    }

    /// At least half of the line's other words of three or more letters are in the lexicon (a
    /// line without such words, e.g. a lone word, passes).
    static func mostlyEnglish(_ others: [[RecognisedCharacter]], lexicon: Lexicon) -> Bool {
        let words = others.filter { $0.count >= minimumLength && $0.allSatisfy { isASCIILetter($0.character) } }
        return words.isEmpty || 2 * words.filter { lexicon.contains(spelling($0)) }.count >= words.count
    }

    /// The likeliest lexicon word among the readings the alternatives allow, as characters.
    static func bestReading(_ word: [RecognisedCharacter], lexicon: Lexicon) -> [RecognisedCharacter]? {
        // Per position: the character read (log-odds 0) and its alternatives that keep the word
        // ASCII letters (nil = dropped), with their log-odds against the reading.
        // The first letter is never dropped: a word that loses its start is another word (`Jate` → `ate`).
        let options: [[(character: Unicode.Scalar?, logOdds: Double, confidence: Double)]] = word.enumerated().map { i, c in
            [(c.character, 0, c.confidence)] + c.alternatives.compactMap { alt in
                guard alt.character.map(isASCIILetter) ?? (i > 0) else { return nil }
                return (alt.character, log(alt.probability / c.confidence), alt.probability)
            }
        }
        guard options.filter({ $0.count > 1 }).count <= maximumUncertain else { return nil }
        let floor = -log(maximumOddsAgainst)
        var best: (logOdds: Double, choice: [Int])?
        var choice = [Int](repeating: 0, count: word.count)
        func visit(_ i: Int, _ logOdds: Double, _ changes: Int) {
            guard logOdds > floor, changes <= maximumChanges else { return }
            if i == word.count {
                guard changes > 0, best.map({ logOdds > $0.logOdds }) ?? true else { return }
                var s = String.UnicodeScalarView()
                for (k, o) in zip(choice, options) { if let c = o[k].character { s.append(c) } }
                if s.count >= minimumLength, lexicon.contains(String(s)) { best = (logOdds, choice) }
                return
            }
            for k in options[i].indices {
                choice[i] = k
                visit(i + 1, logOdds + options[i][k].logOdds, changes + (k == 0 ? 0 : 1))
            }
            choice[i] = 0
        }
        visit(0, 0, 0)
        guard let best else { return nil }
        return zip(word, zip(best.choice, options)).compactMap { c, pick in
            let (k, o) = pick
            guard k != 0 else { return c }
            guard let replacement = o[k].character else { return nil }
            return RecognisedCharacter(character: replacement, confidence: o[k].confidence, frame: c.frame, x: c.x)
        }
    }
}
