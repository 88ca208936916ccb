import CRNN
import Foundation
import Testing
@testable import OCRPipeline

@Suite struct LexiconCorrectionTests {
    let lexicon = Lexicon(words: ["hereby", "notified", "you", "are", "that", "the", "total", "sales", "Inclusive", "of",
                                  "fur", "for", "sure"])

    /// A line read as `text`, every character sure (0.95) except those in `unsure`: position →
    /// (its confidence, its alternatives).
    private func read(_ text: String, unsure: [Int: (Double, [(Unicode.Scalar?, Double)])] = [:]) -> RecognisedLine {
        let chars = text.unicodeScalars.enumerated().map { k, c in
            let (p, alts) = unsure[k] ?? (0.95, [])
            return RecognisedCharacter(character: c, confidence: p, frame: 2 * k, x: Double(8 * k + 2),
                                       alternatives: alts.map { .init(character: $0.0, probability: $0.1) })
        }
        return RecognisedLine(text: text, confidence: chars.reduce(0) { $0 + $1.confidence } / Double(chars.count),
                              characters: chars)
    }

    @Test func lexiconIgnoresCaseAndKeepsOnlyLetterWords() {
        #expect(lexicon.contains("HEREBY") && lexicon.contains("inclusive") && !lexicon.contains("here"))
        #expect(Lexicon(words: ["it's", "Ab", "ab", "x1"]).count == 1)
        #expect(!lexicon.contains("") && !lexicon.contains("hereby1"))
    }

    @Test func unsureLettersTakeTheRunnerUpThatMakesAWord() {
        // "You are bercby notifcd": b→h (0.35 vs 0.45), c→e (0.4 vs 0.5); notifcd lacks a letter: left.
        let line = read("You are bercby notifcd", unsure: [8: (0.45, [("h", 0.35)]), 11: (0.5, [("e", 0.4), ("o", 0.05)])])
        let fixed = LexiconCorrection.correct(line, lexicon: lexicon)
        #expect(fixed.text == "You are hereby notifcd")
        #expect(fixed.characters.count == line.characters.count)
        #expect(fixed.characters[8].confidence == 0.35 && fixed.characters[8].frame == 16)
    }

    @Test func aBlankRunnerUpDropsTheCharacterAndTheConfidencesStayAligned() {
        // "Totall" with the second l unsure between l and the blank.
        let line = read("Totall Sales", unsure: [5: (0.6, [(nil, 0.3)])])
        let fixed = LexiconCorrection.correct(line, lexicon: lexicon)
        #expect(fixed.text == "Total Sales")
        #expect(fixed.characters.map(\.character) == Array("Total Sales".unicodeScalars))
        #expect(fixed.characters.count == fixed.text.unicodeScalars.count)
    }

    @Test func punctuationAroundAWordStays() {
        let line = read("(Tolal)", unsure: [3: (0.5, [("t", 0.3)])])
        #expect(LexiconCorrection.correct(line, lexicon: lexicon).text == "(Total)")
    }

    @Test(arguments: [
        ("INV20l9", 5, "1"),        // digits: a code, never a word
        ("GST", 0, "S"),            // a short all-capital acronym
        ("Tolal", 2, "x"),          // no runner-up makes a word
    ])
    func wordsThatAreNotRepaired(_ text: String, position: Int, alternative: String) {
        let line = read(text, unsure: [position: (0.5, [(alternative.unicodeScalars.first!, 0.4)])])
        #expect(LexiconCorrection.correct(line, lexicon: lexicon) == line)
    }

    @Test func repairsKeepTheFirstLetterThreeLettersAndChangeAtMostTwo() {
        let words = Lexicon(words: ["ate", "bi", "street", "sues", "hereby"])
        // Dropping the first letter would make a word: not done.
        let start = read("Jate", unsure: [0: (0.5, [(nil, 0.45)])])
        #expect(LexiconCorrection.correct(start, lexicon: words) == start)
        // Dropping the z of "Blz" would leave two letters: not done.
        let short = read("Blz", unsure: [2: (0.5, [(nil, 0.45)])])
        #expect(LexiconCorrection.correct(short, lexicon: words) == short)
        // "smeet" → "sues" needs three changes (m→u, e dropped, t→s): not done.
        let far = read("smeet", unsure: [1: (0.5, [("u", 0.4)]), 2: (0.5, [(nil, 0.4)]), 4: (0.5, [("s", 0.4)])])
        #expect(LexiconCorrection.correct(far, lexicon: words) == far)
    }

    @Test func anUnlikelyRunnerUpIsNotTaken() {
        // t at 0.009 against l at 0.95: odds of 1 in 105, beyond the limit of 1 in 100.
        let line = read("Tolal", unsure: [2: (0.95, [("t", 0.009)])])
        #expect(LexiconCorrection.correct(line, lexicon: lexicon) == line)
        let likely = read("Tolal", unsure: [2: (0.95, [("t", 0.0096)])])
        #expect(LexiconCorrection.correct(likely, lexicon: lexicon).text == "Total")
    }

    @Test func linesOfMostlyOtherLanguagesAreLeftAsRead() {
        // German: "Summe fr Lieferung" — "fr" is too short anyway; "Lieferunq" in a German line stays.
        let german = read("Gesamtbetrag Lieferunq Rechnung", unsure: [21: (0.5, [("g", 0.4)])])
        #expect(LexiconCorrection.correct(german, lexicon: Lexicon(words: ["lieferung"])) == german)
        // The same word in an English line is repaired.
        let english = read("the Lieferunq for you", unsure: [12: (0.5, [("g", 0.4)])])
        let lexicon = Lexicon(words: ["lieferung", "the", "for", "you"])
        #expect(LexiconCorrection.correct(english, lexicon: lexicon).text == "the Lieferung for you")
    }

    @Test func withoutALexiconOrUncertaintyNothingChanges() {
        let line = read("You are bercby", unsure: [8: (0.45, [("h", 0.35)])])
        #expect(LexiconCorrection.correct(line, lexicon: nil) == line)
        let sure = read("You are bercby")
        #expect(LexiconCorrection.correct(sure, lexicon: lexicon) == sure)
    }
}

/// The engine takes `lexicon.txt` from beside the weights when there is one, and reports a
/// lexicon it cannot read by its path.
@Suite struct EngineLexiconTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../CRNNTests/Fixtures").standardizedFileURL

    private func modelCopy(lexicon: Data?) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexicon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for file in ["crnn.safetensors", "charset.txt"] {
            try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent(file), to: dir.appendingPathComponent(file))
        }
        if let lexicon { try lexicon.write(to: dir.appendingPathComponent(OCREngine.lexiconFile)) }
        return dir
    }

    @Test func aLexiconBesideTheWeightsIsLoaded() throws {
        let dir = try modelCopy(lexicon: Data("total\nsales\nTotal\n".utf8))
        defer { try? FileManager.default.removeItem(at: dir) }
        let engine = try OCREngine(modelDirectory: dir.path)
        #expect(engine.lexicon?.count == 2)
        #expect(engine.lexicon?.contains("TOTAL") == true)
    }

    @Test func aSortedFileAndAnUnsortedOneHoldTheSameWords() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lexicon-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let sorted = dir.appendingPathComponent("sorted.txt"), unsorted = dir.appendingPathComponent("unsorted.txt")
        try Data("able\nhereby\nsales\ntotal".utf8).write(to: sorted)          // no final newline
        try Data("Total\r\nsales\nhereby\n\nable\nit's\n".utf8).write(to: unsorted)
        for file in [sorted, unsorted] {
            let lexicon = try Lexicon(path: file.path)
            #expect(lexicon.count == 4)
            #expect(["able", "hereby", "sales", "total", "TOTAL"].allSatisfy { lexicon.contains($0) })
            #expect(!lexicon.contains("tota") && !lexicon.contains("totals") && !lexicon.contains("abl"))
        }
    }

    @Test func withoutOneThereIsNone() throws {
        let dir = try modelCopy(lexicon: nil)
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try OCREngine(modelDirectory: dir.path).lexicon == nil)
    }

    @Test func anUnreadableLexiconIsAnErrorNamingIt() throws {
        let dir = try modelCopy(lexicon: nil)
        defer { try? FileManager.default.removeItem(at: dir) }
        // A directory where the file should be: it exists but cannot be read as a file.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(OCREngine.lexiconFile), withIntermediateDirectories: false)
        #expect { try OCREngine(modelDirectory: dir.path) } throws: { error in
            "\(error)".contains(OCREngine.lexiconFile)
        }
    }
}
