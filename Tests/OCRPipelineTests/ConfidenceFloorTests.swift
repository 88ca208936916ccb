import CRNN
import Foundation
import Testing
@testable import OCRPipeline
import TestSupport

/// The confidence floor drops exactly the recognised lines below it, and nothing else changes.
@Suite struct ConfidenceFloorTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardizedFileURL

    private func lines(floor: Double) throws -> [OCRLine] {
        let model = try CRNNModel(directory: Self.root.appendingPathComponent("weights"))
        let engine = OCREngine(model: model, options: PipelineOptions(textLayer: .ocr, perFileTimeout: nil,
                                                                    minimumLineConfidence: floor))
        let read = try engine.makeReader().read(path: Self.root.appendingPathComponent("examples/receipt-photo.jpg").path)
        return read.pages.flatMap(\.result.lines)
    }

    @Test func linesBelowTheFloorAreDroppedAndOnlyThose() async throws {
        // Two OCR runs of a photo, seconds of work: off the pool (see `offPool`).
        let (everything, kept) = try await offPool { [self] in (try lines(floor: 0), try lines(floor: 0.5)) }
        #expect(!kept.isEmpty)
        #expect(kept.allSatisfy { $0.confidence >= 0.5 })
        #expect(kept.map(\.text) == everything.filter { $0.confidence >= 0.5 }.map(\.text))
        #expect(kept.map(\.bbox) == everything.filter { $0.confidence >= 0.5 }.map(\.bbox))
    }
}
