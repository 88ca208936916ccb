import ArchiveStore
import CRNN
import Foundation
import LineSegmentation
import PageImage

/// One page as read: what the truth format shows plus what the archive records.
public struct ReadPage: Sendable, Codable {
    public var result: OCRPage
    public var rotation: Int
    public var skew: Double
    public var characterConfidences: [[Double]]
    public var timings: [String: Double]
    /// What the page's decoder could not draw (`Document.renderWarnings`): the page was read, but
    /// without that content. `DocumentReader.read` reports them among the document's failures.
    public var warnings: [String] = []
}

/// One document as read. `failures` names the pages that could not be read, or were read with
/// content missing, and why.
public struct ReadDocument: Sendable, Codable {
    public var path: String
    public var format: DocumentFormat
    public var pageCount: Int
    public var pages: [ReadPage]
    public var failures: [String]

    public var result: OCRDocument { OCRDocument(path: path, pages: pages.map(\.result)) }

    public init(path: String, format: DocumentFormat, pageCount: Int, pages: [ReadPage], failures: [String]) {
        self.path = path
        self.format = format
        self.pageCount = pageCount
        self.pages = pages
        self.failures = failures
    }
}

/// Reads documents page by page (render → segment → recognise, or the text layer). Not shareable
/// between threads: it owns the recogniser's scratch buffers.
public final class DocumentReader {
    let engine: OCREngine
    private let session: RecognitionSession

    init(engine: OCREngine) {
        self.engine = engine
        self.session = RecognitionSession(model: engine.model)
    }

    public func read(path: String) throws -> ReadDocument {
        try read(Document(path: path, limits: engine.options.limits), path: path)
    }

    public func read(data: Data, name: String) throws -> ReadDocument {
        try read(Document(data: data, name: name, limits: engine.options.limits), path: name)
    }

    /// Reads every page; a page that fails is recorded in `failures` and the rest go on.
    /// Throws only when the whole document cannot be read or the per-file time limit passes.
    public func read(_ document: Document, path: String) throws -> ReadDocument {
        let deadline = Deadline(seconds: engine.options.perFileTimeout, path: path)
        var pages: [ReadPage] = []
        var failures: [String] = []
        for number in 1...max(document.pageCount, 1) where number <= document.pageCount {
            try deadline.check()
            do {
                let page = try read(page: number, of: document, deadline: deadline)
                pages.append(page)
                failures += page.warnings.map { "page \(number): \($0)" }
            } catch let error as PageImageError {
                failures.append("page \(number): \(error.reason)")
            }
        }
        if pages.isEmpty, let first = failures.first {
            throw PipelineError.unreadable(path: path, reason: first)
        }
        return ReadDocument(path: path, format: document.format, pageCount: document.pageCount,
                            pages: pages, failures: failures)
    }

    /// Reads page `number` (1-based), for callers that run the page loop themselves (the server
    /// checks for cancellation between pages). `rendered` gets the bitmap the boxes refer to when
    /// the page was rendered for OCR; text-layer pages are not rendered.
    public func read(page number: Int, of document: Document,
                     rendered: ((PageBitmap) -> Void)? = nil) throws -> ReadPage {
        try read(page: number, of: document, deadline: .unlimited, rendered: rendered)
    }

    private func read(page number: Int, of document: Document, deadline: Deadline,
                      rendered: ((PageBitmap) -> Void)? = nil) throws -> ReadPage {
        let options = engine.options
        if document.hasTextLayer && options.textLayer != .ocr {
            let clock = Date()
            let words = try document.textLayer(page: number, dpi: options.dpi)
            if options.textLayer == .only || TextLayerLines.isTrustworthy(words) {
                let size = try document.pageSize(number, dpi: options.dpi)
                let lines = TextLayerLines.lines(from: words)
                return ReadPage(result: OCRPage(page: number, width: size.width, height: size.height, dpi: size.dpi,
                                                source: "text-layer", lines: lines),
                                rotation: 0, skew: 0, characterConfidences: lines.map { _ in [] },
                                timings: ["text-layer": Date().timeIntervalSince(clock)])
            }
        }
        if options.textLayer == .only {
            let size = try document.pageSize(number, dpi: options.dpi)
            return ReadPage(result: OCRPage(page: number, width: size.width, height: size.height, dpi: size.dpi,
                                            source: "text-layer", lines: []),
                            rotation: 0, skew: 0, characterConfidences: [], timings: [:])
        }
        return try recognisePage(number, of: document, deadline: deadline, rendered: rendered)
    }

    /// Lines recognised between two looks at the clock: a page of a few hundred lines is then
    /// given up within a few seconds of the limit instead of at its end.
    static let linesPerDeadlineCheck = 48

    private func recognisePage(_ number: Int, of document: Document, deadline: Deadline,
                               rendered: ((PageBitmap) -> Void)?) throws -> ReadPage {
        var clock = Date()
        var timings: [String: Double] = [:]
        func lap(_ stage: String) {
            let now = Date()
            timings[stage] = now.timeIntervalSince(clock)
            clock = now
        }
        let bitmap = try document.page(number, dpi: engine.options.dpi)
        lap("render")
        rendered?(bitmap)
        try deadline.check()
        let layout = engine.segmenter.segment(bitmap)
        lap("segment")
        try deadline.check()
        var recognised: [RecognisedLine] = []
        recognised.reserveCapacity(layout.lines.count)
        let margin = engine.segmenter.options.cropMargin
        for start in stride(from: 0, to: layout.lines.count, by: Self.linesPerDeadlineCheck) {
            let batch = layout.lines[start..<min(start + Self.linesPerDeadlineCheck, layout.lines.count)]
            let crops = batch.map { line in
                let crop = layout.lineImage(line)
                return CRNN.LineImage(width: crop.width, height: crop.height, pixels: crop.pixels)
            }
            recognised += session.recogniseOriented(crops, vertical: batch.map(\.vertical)).map { reading in
                let spaced = WordSpacing.restore(reading.line, crop: reading.image, margin: margin)
                let cleaned = WordSpacing.separateLabelValues(LineContent.droppingEmptyBrackets(DoubleReadings.collapse(spaced)))
                return LexiconCorrection.correct(cleaned, lexicon: engine.lexicon)
            }
            try deadline.check()
        }
        lap("recognise")
        var lines: [OCRLine] = []
        var confidences: [[Double]] = []
        for (box, line) in zip(layout.lines, recognised) {
            let text = ConfusableCharacters.repair(line.text.trimmingCharacters(in: .whitespaces))
            guard LineContent.carriesText(text), line.confidence >= engine.options.minimumLineConfidence else { continue }
            lines.append(OCRLine(text: text, confidence: line.confidence, bbox: box.bbox))
            confidences.append(Self.perCharacter(line, text: text))
        }
        return ReadPage(result: OCRPage(page: number, width: bitmap.gray.width, height: bitmap.gray.height,
                                        dpi: bitmap.dpi, source: "ocr", lines: lines),
                        rotation: layout.rotation, skew: layout.skewDegrees,
                        characterConfidences: confidences, timings: timings,
                        warnings: document.renderWarnings(page: number))
    }

    /// One confidence per Character of the stored text (trimmed spaces dropped).
    private static func perCharacter(_ line: RecognisedLine, text: String) -> [Double] {
        var values = line.characters.map(\.confidence)
        let leading = line.text.prefix { $0 == " " }.count
        values.removeFirst(min(leading, values.count))
        return Array(values.prefix(text.count))
    }
}

/// The per-file time limit (`PipelineOptions.perFileTimeout`), checked between pages and between
/// the stages of a page, so one slow page cannot carry a file far past it.
struct Deadline {
    let limit: Double?
    let path: String
    private let started = Date()

    static let unlimited = Deadline(seconds: nil, path: "")

    init(seconds: Double?, path: String) {
        self.limit = seconds
        self.path = path
    }

    func check() throws {
        if let limit, Date().timeIntervalSince(started) > limit {
            throw PipelineError.timedOut(path: path, seconds: limit)
        }
    }
}
