import CRNN
import Foundation
import LineSegmentation
import PageImage

/// What the pipeline shares between workers: the model (read-only, one copy in memory), the
/// segmenter and the options. Each worker thread takes its own `DocumentReader`.
public final class OCREngine: Sendable {
    public let model: CRNNModel
    public let segmenter: LineSegmenter
    public let options: PipelineOptions

    public init(model: CRNNModel, segmenter: LineSegmenter = LineSegmenter(), options: PipelineOptions = PipelineOptions()) {
        self.model = model
        self.segmenter = segmenter
        self.options = options
    }

    /// Loads the model from `directory`, or from where `ModelDirectory` finds one.
    public convenience init(modelDirectory: String?, options: PipelineOptions = PipelineOptions()) throws {
        guard let directory = ModelDirectory.locate(explicit: modelDirectory) else {
            throw PipelineError.modelUnavailable(
                reason: "no weights/crnn.safetensors found; pass --model DIR or set \(ModelDirectory.environmentVariable)")
        }
        do {
            self.init(model: try CRNNModel(directory: directory), options: options)
        } catch {
            throw PipelineError.modelUnavailable(reason: error.description)
        }
    }

    /// A reader with its own scratch buffers; use one per thread.
    public func makeReader() -> DocumentReader {
        DocumentReader(engine: self)
    }
}
