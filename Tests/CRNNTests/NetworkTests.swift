import Foundation
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

    /// No bottleneck, one LSTM layer, a 5×5 kernel and a pool after the first layer only.
    @Test func otherArchitecturesMatchReference() throws {
        let config = ModelConfig(
            inputHeight: 32,
            conv: [.init(out: 3, kernel: 5, pool: [4, 4]), .init(out: 5, kernel: 3, pool: nil), .init(out: 4, kernel: 1, pool: [2, 1])],
            lstmHidden: 4, lstmLayers: 1, bottleneck: 0, numClasses: 6, horizontalStride: 4, charsetSha256: "")
        let other = TestModel(config: config, seed: 3)
        let model = try other.load()
        #expect(model.projection == nil)
        let line = LineImage.random(width: 77, height: 29, seed: 8)
        let width = LinePreprocessor.paddedWidth(of: line, config: model.config)
        var input = [Float](repeating: .nan, count: 32 * width)
        LinePreprocessor.normalise(line, config: model.config, width: width, into: &input)
        let expected = ReferenceLayers.network(input, width: width, model: other)
        let logits = RecognitionSession(model: model).logits([line])[0]
        #expect(logits.count == expected.count)
        #expect((zip(logits, expected).map { abs($0 - $1) }.max() ?? .infinity) < 1e-4)
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

    @Test func emptyAndAbsurdlyWideImagesGiveEmptyLines() throws {
        let session = RecognitionSession(model: try testModel.load())
        let sliver = LineImage(width: 600, height: 2, pixels: [UInt8](repeating: 0, count: 1200))  // 9600 px at height 32
        let results = session.recognise([LineImage(width: 0, height: 0, pixels: []), sliver,
                                         LineImage.random(width: 64, height: 32, seed: 1)])
        #expect(results[0] == .empty)
        #expect(results[1] == .empty)
        #expect(results.count == 3)
        // 512 px at height 2 scales to exactly the 8192-px limit, which still runs.
        #expect(LinePreprocessor.frameCount(of: LineImage.random(width: 512, height: 2, seed: 2), config: session.model.config) == 2048)
    }
}

@Suite struct SharedModelTests {
    /// One model, one session per thread, all at once: every thread gets the single-threaded result.
    @Test func sessionsOnSeveralThreadsShareOneModel() throws {
        let model = try TestModel().load()
        let lines = (0..<6).map { LineImage.random(width: 40 + 23 * $0, height: 28, seed: UInt64(50 + $0)) }
        let expected = RecognitionSession(model: model).recognise(lines).map(\.text)
        let results = ThreadResults(count: 4)
        DispatchQueue.concurrentPerform(iterations: 4) { worker in
            let session = RecognitionSession(model: model, maxBatchLines: 1 + worker)
            results.set(worker, session.recognise(lines).map(\.text))
        }
        #expect(results.all() == Array(repeating: expected, count: 4))
    }
}

/// Collects per-thread results behind a lock.
private final class ThreadResults: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [[String]]
    init(count: Int) { values = Array(repeating: [], count: count) }
    func set(_ index: Int, _ value: [String]) { lock.withLock { values[index] = value } }
    func all() -> [[String]] { lock.withLock { values } }
}
