import Foundation
import Testing
@testable import CRNN
import TestSupport

/// The shipped weights (weights/ at the repository root) against the decodes PyTorch made of them
/// (`python -m training.make_fixtures --real` writes Fixtures/real/): identical argmax per frame,
/// text, peak frames, and confidences within 1e-3. Fails when the fixtures describe other weights than
/// the ones checked out: a weights change must come with `make_fixtures --real`.
@Suite struct ShippedModelTests {
    struct Decodes: Decodable {
        struct Character: Decodable {
            let char: String
            let confidence: Double
            let frame: Int
        }
        struct Line: Decodable {
            let name: String
            let gray: String
            let width: Int
            let height: Int
            let frames: Int
            let argmax: [Int]
            let text: String
            let chars: [Character]
        }
        let weights_sha256: String
        let lines: [Line]
    }

    static let weights = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../weights").standardizedFileURL

    let fixtures: URL
    let decodes: Decodes

    init() throws {
        fixtures = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil)).appendingPathComponent("real")
        decodes = try JSONDecoder().decode(Decodes.self, from: Data(contentsOf: fixtures.appendingPathComponent("decodes.json")))
    }

    private func lineImage(_ line: Decodes.Line) throws -> LineImage {
        LineImage(width: line.width, height: line.height, pixels: [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(line.gray))))
    }

    @Test func decodesMatchPyTorch() async throws {
        let modelFile = Self.weights.appendingPathComponent("crnn.safetensors")
        let digest = SHA256.hex([UInt8](try Data(contentsOf: modelFile)))
        try #require(digest == decodes.weights_sha256, "Fixtures/real describe weights \(decodes.weights_sha256), not \(digest)")
        let model = try CRNNModel(directory: Self.weights)
        let lines = try decodes.lines.map(lineImage)
        // Seconds of inference: off the pool (see `offPool`).
        let (logits, results) = try await offPool {
            let session = RecognitionSession(model: model)
            return (session.logits(lines), session.recognise(lines))
        }
        for (index, expected) in decodes.lines.enumerated() {
            let classes = model.config.numClasses
            #expect(logits[index].count == expected.frames * classes, "\(expected.name)")
            let argmax = (0..<expected.frames).map { t in
                (0..<classes).max { logits[index][t * classes + $0] < logits[index][t * classes + $1] }!
            }
            #expect(argmax == expected.argmax, "\(expected.name)")
            #expect(results[index].text == expected.text, "\(expected.name)")
            #expect(results[index].characters.map(\.frame) == expected.chars.map(\.frame), "\(expected.name)")
            for (got, want) in zip(results[index].characters, expected.chars) {
                #expect(abs(got.confidence - want.confidence) < 1e-3, "\(expected.name) \(want.char)")
            }
        }
    }

    /// White-on-dark lines (header bars) read like their dark-on-light originals.
    /// A line set vertically, turned either way, reads as it does upright; upright lines are left
    /// as `recognise` reads them.
    @Test func verticalLinesAreReadTurned() async throws {
        let model = try CRNNModel(directory: Self.weights)
        let lines = try decodes.lines.map(lineImage)
        let (upright, oriented) = try await offPool {
            let session = RecognitionSession(model: model)
            let turned = lines.map { $0.turnedQuarter(counterClockwise: false) } + lines.map { $0.turnedQuarter(counterClockwise: true) }
            return (session.recognise(lines), session.recogniseOriented(lines + turned))
        }
        let n = lines.count
        for i in 0..<n {
            let name = decodes.lines[i].name
            #expect(oriented[i].quarterTurns == 0 && oriented[i].image == lines[i], "\(name)")
            // Turned clockwise, it takes a counter-clockwise quarter turn to stand upright, and back.
            #expect(oriented[n + i].quarterTurns == 1 && oriented[n + i].image == lines[i], "\(name)")
            #expect(oriented[2 * n + i].quarterTurns == 3 && oriented[2 * n + i].image == lines[i], "\(name)")
            for reading in [oriented[i], oriented[n + i], oriented[2 * n + i]] {
                #expect(reading.line.text == upright[i].text, "\(name)")
                #expect(abs(reading.line.confidence - upright[i].confidence) < 1e-4, "\(name)")
            }
        }
    }

    @Test func lightOnDarkLinesReadLikeTheirNegatives() throws {
        let model = try CRNNModel(directory: Self.weights)
        let session = RecognitionSession(model: model)
        for line in decodes.lines.prefix(2) {
            let normal = try lineImage(line)
            let negative = LineImage(width: line.width, height: line.height, pixels: normal.pixels.map { 255 - $0 })
            #expect(!LinePreprocessor.isLightOnDark(normal), "\(line.name)")
            #expect(LinePreprocessor.isLightOnDark(negative), "\(line.name)")
            #expect(session.recognise(negative).text == session.recognise(normal).text, "\(line.name)")
        }
    }

    @Test func flatAndLowContrastLinesKeepTheirPolarity() {
        #expect(!LinePreprocessor.isLightOnDark(LineImage(width: 10, height: 4, pixels: [UInt8](repeating: 20, count: 40))))
        // Mostly dark but only 20 gray levels of contrast: not a decision to make.
        let dim = (0..<40).map { UInt8($0 < 30 ? 100 : 120) }
        #expect(!LinePreprocessor.isLightOnDark(LineImage(width: 10, height: 4, pixels: dim)))
    }
}
