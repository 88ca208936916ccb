import Foundation
import Testing
@testable import CRNN

/// Parity with the PyTorch model on the fixtures `training/make_fixtures.py` exports (a small
/// random model, rendered lines, their inputs, logits and greedy decodes, PIL resize references).
@Suite struct ParityTests {
    struct Manifest: Decodable {
        struct Line: Decodable {
            struct Char: Decodable {
                var char: String
                var confidence: Double
                var frame: Int
                var x: Double
            }
            var name: String
            var gray: String
            var width: Int
            var height: Int
            var input: String
            var input_shape: [Int]
            var logits: String
            var logits_shape: [Int]
            var text: String
            var chars: [Char]
            var line_confidence: Double
        }
        struct Resize: Decodable {
            var name: String
            var src: String
            var src_width: Int
            var src_height: Int
            var dst: String
            var dst_width: Int
            var dst_height: Int
        }
        var lines: [Line]
        var resize: [Resize]
    }

    let directory: URL
    let manifest: Manifest
    let model: CRNNModel

    init() throws {
        directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        manifest = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: directory.appendingPathComponent("manifest.json")))
        model = try CRNNModel(directory: directory)
    }

    private func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    private func floats(_ name: String) throws -> [Float] {
        let raw = try bytes(name)
        return stride(from: 0, to: raw.count, by: 4).map { i in
            Float(bitPattern: UInt32(raw[i]) | UInt32(raw[i + 1]) << 8 | UInt32(raw[i + 2]) << 16 | UInt32(raw[i + 3]) << 24)
        }
    }

    private func lineImage(_ line: Manifest.Line) throws -> LineImage {
        LineImage(width: line.width, height: line.height, pixels: try bytes(line.gray))
    }

    @Test func resizeMatchesPIL() throws {
        #expect(manifest.resize.count >= 3)
        for item in manifest.resize {
            let source = LineImage(width: item.src_width, height: item.src_height, pixels: try bytes(item.src))
            #expect(LineImage.scaledWidth(width: item.src_width, height: item.src_height, targetHeight: 32) == item.dst_width)
            let resized = PILBilinear.resize(source, width: item.dst_width, height: item.dst_height)
            let expected = try bytes(item.dst)
            let worst = zip(resized.pixels, expected).map { abs(Int($0) - Int($1)) }.max() ?? 0
            #expect(resized.pixels.count == expected.count && worst <= 1, "\(item.name): worst difference \(worst)")
        }
    }

    @Test func normalisedInputMatches() throws {
        for line in manifest.lines {
            let image = try lineImage(line)
            let width = LinePreprocessor.paddedWidth(of: image, config: model.config)
            #expect([model.config.inputHeight, width] == line.input_shape, "\(line.name)")
            var input = [Float](repeating: .nan, count: model.config.inputHeight * width)
            LinePreprocessor.normalise(image, config: model.config, width: width, into: &input)
            let expected = try floats(line.input)
            let worst = zip(input, expected).map { abs($0 - $1) }.max() ?? .infinity
            #expect(input.count == expected.count && worst <= 1.0 / 255 + 1e-6, "\(line.name): worst \(worst)")
        }
    }

    @Test func logitsMatchWithinTolerance() throws {
        let images = try manifest.lines.map(lineImage)
        // Alone and all together: batching must not change a line's logits.
        let together = RecognitionSession(model: model).logits(images)
        let single = RecognitionSession(model: model, maxBatchLines: 1)
        for (index, line) in manifest.lines.enumerated() {
            let expected = try floats(line.logits)
            #expect(expected.count == line.logits_shape[0] * line.logits_shape[1])
            for logits in [together[index], single.logits([images[index]])[0]] {
                #expect(logits.count == expected.count, "\(line.name)")
                let worst = zip(logits, expected).map { abs($0 - $1) }.max() ?? .infinity
                #expect(worst <= 1e-3, "\(line.name): worst logit difference \(worst)")
            }
        }
    }

    @Test func decodedTextAndConfidencesMatch() throws {
        let results = RecognitionSession(model: model).recognise(try manifest.lines.map(lineImage))
        for (line, result) in zip(manifest.lines, results) {
            #expect(result.text == line.text, "\(line.name)")
            #expect(result.characters.map { String($0.character) } == line.chars.map(\.char))
            #expect(result.characters.map(\.frame) == line.chars.map(\.frame), "\(line.name)")
            for (actual, expected) in zip(result.characters, line.chars) {
                #expect(abs(actual.confidence - expected.confidence) <= 1e-3, "\(line.name) \(expected.char)")
                #expect(abs(actual.x - expected.x) < 1e-9)
            }
            #expect(abs(result.confidence - line.line_confidence) <= 1e-3, "\(line.name)")
        }
    }
}
