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
    /// English words for `LexiconCorrection`; nil: words are kept as the network read them.
    public let lexicon: Lexicon?

    /// The file beside the weights that holds the lexicon (optional).
    public static let lexiconFile = "lexicon.txt"

    public init(model: CRNNModel, segmenter: LineSegmenter = LineSegmenter(), options: PipelineOptions = PipelineOptions(),
                lexicon: Lexicon? = nil) {
        self.model = model
        self.segmenter = segmenter
        self.options = options
        self.lexicon = lexicon
    }

    /// Loads the model from `directory`, or from where `ModelDirectory` finds one.
    public convenience init(modelDirectory: String?, options: PipelineOptions = PipelineOptions()) throws {
        guard let directory = ModelDirectory.locate(explicit: modelDirectory) else {
            throw PipelineError.modelUnavailable(
                reason: "no weights/crnn.safetensors found; pass --model DIR or set \(ModelDirectory.environmentVariable)")
        }
        let model: CRNNModel
        do {
            model = try CRNNModel(directory: directory)
        } catch {
            throw PipelineError.modelUnavailable(reason: error.description)
        }
        let lexiconPath = directory.appendingPathComponent(Self.lexiconFile).path
        let lexicon = FileManager.default.fileExists(atPath: lexiconPath) ? try Lexicon(path: lexiconPath) : nil
        self.init(model: model, options: options, lexicon: lexicon)
    }

    /// A reader with its own scratch buffers; use one per thread.
    public func makeReader() -> DocumentReader {
        DocumentReader(engine: self)
    }
}
