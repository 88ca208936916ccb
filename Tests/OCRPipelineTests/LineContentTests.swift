import CRNN
import Testing
@testable import OCRPipeline

@Suite struct LineContentTests {
    @Test(arguments: ["Total", "12.50", "金额", "①", "¥860.00", "x"])
    func linesWithALetterDigitOrHanziCarryText(_ text: String) {
        #expect(LineContent.carriesText(text))
    }

    @Test(arguments: [".", "●", "''", "-）", "***", "", "——", "¥"])
    func linesOfBareMarksCarryNone(_ text: String) {
        #expect(!LineContent.carriesText(text))
    }

    private func read(_ text: String) -> RecognisedLine {
        let chars = text.unicodeScalars.enumerated().map { k, c in
            RecognisedCharacter(character: c, confidence: 0.5 + Double(k) / 100, frame: k, x: Double(4 * k + 2))
        }
        return RecognisedLine(text: text, confidence: 0.6, characters: chars)
    }

    @Test(arguments: [("Price （ )", "Price "), ("Tax ｛）", "Tax "), ("Total ()", "Total "), ("a [] b", "a  b"), ("()", "")])
    func emptyBracketPairsAreDropped(_ input: String, _ expected: String) {
        let line = LineContent.droppingEmptyBrackets(read(input))
        #expect(line.text == expected)
        #expect(line.characters.count == expected.unicodeScalars.count)
    }

    @Test(arguments: ["Balance (if any)", "(FAA)", "f(x) = 1", ") (", "Price (₹)"])
    func bracketsAroundSomethingStay(_ input: String) {
        let line = read(input)
        #expect(LineContent.droppingEmptyBrackets(line) == line)
    }
}
