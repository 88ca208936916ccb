import Foundation
import Testing
@testable import CRNN

@Suite struct DecoderTests {
    let charset = try! Charset(bytes: Array("a\nb\n".utf8), path: "test")

    /// Logits whose softmax gives `probability` to `winner` and splits the rest over the others.
    private func frame(_ winner: Int, probability: Double, classes: Int = 3) -> [Float] {
        let other = (1 - probability) / Double(classes - 1)
        return (0..<classes).map { Float(log($0 == winner ? probability : other)) }
    }

    @Test func collapsesRunsDropsBlanksAndTakesThePeak() {
        // frames: a a - a b b -  → "aab"; first a peaks at frame 1, b at frame 4.
        let frames = [frame(1, probability: 0.6), frame(1, probability: 0.9), frame(0, probability: 0.8),
                      frame(1, probability: 0.7), frame(2, probability: 0.95), frame(2, probability: 0.5),
                      frame(0, probability: 0.99)]
        let logits = frames.flatMap { $0 }
        let line = CTCDecoder.decode(logits, frames: frames.count, classes: 3, charset: charset,
                                     stride: 4, inputHeight: 32, lineHeight: 64)
        #expect(line.text == "aab")
        #expect(line.characters.map(\.frame) == [1, 3, 4])
        let confidences = line.characters.map(\.confidence)
        for (actual, expected) in zip(confidences, [0.9, 0.7, 0.95]) { #expect(abs(actual - expected) < 1e-5) }
        #expect(abs(line.confidence - (0.9 + 0.7 + 0.95) / 3) < 1e-5)
        // x = (4·t + 2)·(64 / 32)
        #expect(line.characters.map(\.x) == [12, 28, 36])
    }

    @Test func uncertainCharactersCarryTheirRunnersUpSureOnesNone() {
        // Classes 0 blank, 1 a, 2 b, 3 c. Frame 0: a sure (0.97); frame 1: b 0.5, c 0.3, blank 0.15,
        // a 0.05; frame 2: blank; frame 3: c 0.6, a 0.39, b 0.005, blank 0.005 (b falls under 0.02).
        let abc = try! Charset(bytes: Array("a\nb\nc\n".utf8), path: "test")
        let frames: [[Double]] = [[0.01, 0.97, 0.01, 0.01], [0.15, 0.05, 0.5, 0.3], [0.97, 0.01, 0.01, 0.01],
                                  [0.005, 0.39, 0.005, 0.6]]
        let line = CTCDecoder.decode(frames.flatMap { $0.map { Float(log($0)) } }, frames: 4, classes: 4, charset: abc,
                                     stride: 4, inputHeight: 32, lineHeight: 32)
        #expect(line.text == "abc")
        #expect(line.characters[0].alternatives.isEmpty)
        let b = line.characters[1].alternatives
        #expect(b.map(\.character) == ["c", nil])
        #expect(abs(b[0].probability - 0.3) < 1e-5 && abs(b[1].probability - 0.15) < 1e-5)
        let c = line.characters[2].alternatives
        #expect(c.map(\.character) == ["a"])
        #expect(abs(c[0].probability - 0.39) < 1e-5)
    }

    @Test func allBlankIsEmptyWithZeroConfidence() {
        let logits = (0..<4).flatMap { _ in frame(0, probability: 0.9) }
        let line = CTCDecoder.decode(logits, frames: 4, classes: 3, charset: charset, stride: 4, inputHeight: 32, lineHeight: 32)
        #expect(line == .empty)
    }

    /// Classes: 0 blank, 1 " ", 2 "a", 3 "b". A blank frame where `second` is the likeliest
    /// non-blank class, at `secondProbability`, the rest spread evenly.
    private func blank(_ probability: Double, second: Int, secondProbability: Double) -> [Float] {
        let rest = (1 - probability - secondProbability) / 2
        return (0..<4).map { c in Float(log(c == 0 ? probability : c == second ? secondProbability : rest)) }
    }

    @Test func aSpaceThatCameSecondInAGapIsHinted() {
        let spaced = try! Charset(bytes: Array(" \na\nb\n".utf8), path: "test")
        #expect(spaced.spaceClass == 1)
        let a = (0..<4).map { Float(log($0 == 2 ? 0.97 : 0.01)) }
        let b = (0..<4).map { Float(log($0 == 3 ? 0.97 : 0.01)) }
        // a, gap where the space comes second (0.3 then 0.4), b, gap where "a" comes second, a.
        let frames = [a, blank(0.6, second: 1, secondProbability: 0.3), blank(0.55, second: 1, secondProbability: 0.4), b,
                      blank(0.6, second: 2, secondProbability: 0.3), a]
        let line = CTCDecoder.decode(frames.flatMap { $0 }, frames: frames.count, classes: 4, charset: spaced,
                                     stride: 4, inputHeight: 32, lineHeight: 32)
        #expect(line.text == "aba")
        #expect(line.spaceHints.count == 1)
        let hint = line.spaceHints[0]
        #expect(hint.after == 0 && hint.frame == 2 && hint.x == 10)
        #expect(abs(hint.probability - 0.4) < 1e-5)
    }

    @Test func aSpaceFarLessLikelyThanTheBlankIsNoHint() {
        let spaced = try! Charset(bytes: Array(" \na\nb\n".utf8), path: "test")
        let a = (0..<4).map { Float(log($0 == 2 ? 0.97 : 0.01)) }
        // Second to the blank, but at 0.04 against 0.9: under a twentieth of it.
        let frames = [a, blank(0.9, second: 1, secondProbability: 0.04), a]
        let line = CTCDecoder.decode(frames.flatMap { $0 }, frames: frames.count, classes: 4, charset: spaced,
                                     stride: 4, inputHeight: 32, lineHeight: 32)
        #expect(line.text == "aa")
        #expect(line.spaceHints.isEmpty)
    }

    @Test func noHintBesideASpaceThatWasRead() {
        let spaced = try! Charset(bytes: Array(" \na\nb\n".utf8), path: "test")
        let a = (0..<4).map { Float(log($0 == 2 ? 0.97 : 0.01)) }
        let space = (0..<4).map { Float(log($0 == 1 ? 0.97 : 0.01)) }
        // "a", a gap with a near-space, then a space that was read: the read one is enough.
        let frames = [a, blank(0.6, second: 1, secondProbability: 0.3), space, a]
        let line = CTCDecoder.decode(frames.flatMap { $0 }, frames: frames.count, classes: 4, charset: spaced,
                                     stride: 4, inputHeight: 32, lineHeight: 32)
        #expect(line.text == "a a")
        #expect(line.spaceHints.isEmpty)
    }

    @Test func logSoftmaxNormalises() {
        var row: [Float] = [1, 2, 3, -4]
        CTCDecoder.logSoftmax(&row, count: 4)
        let total = row.reduce(0) { $0 + exp(Double($1)) }
        #expect(abs(total - 1) < 1e-6)
        #expect(abs(Double(row[2] - row[1]) - 1) < 1e-6)
    }
}
