import CRNN
import Testing
@testable import OCRPipeline

@Suite struct DoubleReadingsTests {
    private func read(_ text: String, confidences: [Double]) -> RecognisedLine {
        let chars = zip(text.unicodeScalars, confidences).enumerated().map { k, pair in
            RecognisedCharacter(character: pair.0, confidence: pair.1, frame: k, x: Double(4 * k + 2))
        }
        return RecognisedLine(text: text, confidence: confidences.reduce(0, +) / Double(confidences.count), characters: chars)
    }

    @Test func twoDifferentDashesSideBySideAreOneDashTheLikelierReading() {
        let line = DoubleReadings.collapse(read("737-–8", confidences: [0.9, 0.9, 0.9, 0.4, 0.7, 0.9]))
        #expect(line.text == "737–8")
        #expect(line.characters.map(\.confidence) == [0.9, 0.9, 0.9, 0.7, 0.9])
        let other = DoubleReadings.collapse(read("W12–-140", confidences: [0.9, 0.9, 0.9, 0.3, 0.6, 0.9, 0.9, 0.9]))
        #expect(other.text == "W12-140")
    }

    @Test(arguments: ["a--b", "2019–NM–035", "x - y", "----", "—"])
    func dashesThatAreNotADoubleReadingStay(_ text: String) {
        let line = read(text, confidences: Array(repeating: 0.8, count: text.unicodeScalars.count))
        #expect(DoubleReadings.collapse(line) == line)
    }
}
