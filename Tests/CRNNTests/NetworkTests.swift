import Testing
@testable import CRNN

/// The whole fast network against the naive reference built from the unfolded PyTorch tensors.
@Suite struct NetworkTests {
    let testModel = TestModel()

    private func reference(_ line: LineImage, model: CRNNModel) -> [Float] {
        let width = LinePreprocessor.paddedWidth(of: line, config: model.config)
        var input = [Float](repeating: .nan, count: model.config.inputHeight * width)
        LinePreprocessor.normalise(line, config: model.config, width: width, into: &input)
        return ReferenceLayers.network(input, width: width, model: testModel)
    }

    @Test func logitsMatchReferenceForEachLineOfABatch() throws {
        let model = try testModel.load()
        let lines = [LineImage.random(width: 120, height: 30, seed: 1), LineImage.random(width: 50, height: 40, seed: 2),
                     LineImage.random(width: 3, height: 32, seed: 3), LineImage.random(width: 301, height: 33, seed: 4)]
        let session = RecognitionSession(model: model, maxBatchLines: 3)
        let logits = session.logits(lines)
        for (index, line) in lines.enumerated() {
            let expected = reference(line, model: model)
            #expect(logits[index].count == expected.count, "line \(index)")
            let difference = zip(logits[index], expected).map { abs($0 - $1) }.max() ?? 0
            #expect(difference < 1e-4, "line \(index): max difference \(difference)")
        }
    }

    @Test func resultsDoNotDependOnBatching() throws {
        let model = try testModel.load()
        let lines = (0..<7).map { LineImage.random(width: 20 + 37 * $0, height: 24 + $0, seed: UInt64(10 + $0)) }
        let together = RecognitionSession(model: model, maxBatchLines: 16).recognise(lines)
        let single = RecognitionSession(model: model, maxBatchLines: 1)
        let alone = lines.map { single.recognise($0) }
        // sgemm may sum in a different order for a different row count, so equal up to rounding.
        #expect(together.map(\.text) == alone.map(\.text))
        for (a, b) in zip(together, alone) {
            #expect(a.characters.map(\.frame) == b.characters.map(\.frame))
            #expect(zip(a.characters, b.characters).allSatisfy { abs($0.confidence - $1.confidence) < 1e-5 })
        }
        #expect(together.contains { !$0.text.isEmpty })
    }

    @Test func emptyImagesGiveEmptyLines() throws {
        let session = RecognitionSession(model: try testModel.load())
        let results = session.recognise([LineImage(width: 0, height: 0, pixels: []), LineImage.random(width: 64, height: 32, seed: 1)])
        #expect(results[0] == .empty)
        #expect(results.count == 2)
    }
}
