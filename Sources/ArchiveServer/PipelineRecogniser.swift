import Foundation
import OCRPipeline
import PageImage

/// The real `DocumentRecogniser`: OCRPipeline's reader, the same one `docvault ocr` and `ingest`
/// use, run on a thread of its own so a page of segmentation and CRNN never blocks Swift's
/// cooperative pool (one thread per core: blocking it would stall the deadline timers and every
/// other request). Cancellation (the request's deadline, or the client going away) is checked
/// between pages; the request's worker slot is only given back when the thread has stopped.
public final class PipelineRecogniser: DocumentRecogniser {
    public let engine: OCREngine
    private let readers: ReaderShelf
    private let pageCount = PageTally()

    /// Pages read since start, over all requests (a cancelled request stops adding to it).
    public var pagesRead: Int { pageCount.value }

    /// `engine` holds the model, loaded once; its `perFileTimeout` is not used here (the server's
    /// per-request deadline cancels instead).
    public init(engine: OCREngine) {
        self.engine = engine
        self.readers = ReaderShelf(engine: engine)
    }

    public func recognise(_ upload: Upload, renderPageImages: Bool) async throws -> Recognition {
        let flag = CancellationFlag(deadline: RecognitionDeadline.current)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Recognition, any Error>) in
                let dpi = engine.options.dpi
                let thread = Thread { [readers, pageCount] in
                    let reader = readers.take()
                    let result = Result {
                        try UploadReading(upload: upload, reader: reader, dpi: dpi, cancelled: flag, tally: pageCount)
                            .recognition(renderPageImages: renderPageImages)
                    }
                    // Back on the shelf before the worker slot is freed, so readers never outnumber workers.
                    readers.giveBack(reader)
                    continuation.resume(with: result)
                }
                // Segmentation and the CRNN want more stack than a secondary thread's default (as ingest).
                thread.stackSize = 8 << 20
                thread.name = "docvault-recognise"
                thread.start()
            }
        } onCancel: {
            flag.cancel()
        }
    }
}

/// One upload read page by page on a recognition thread.
struct UploadReading {
    let upload: Upload
    let reader: DocumentReader
    /// The engine's rasterising resolution for PDF pages.
    let dpi: Double
    let cancelled: CancellationFlag
    let tally: PageTally

    func recognition(renderPageImages: Bool) throws -> Recognition {
        try checkCancellation()
        let document = try open()
        try refuseOversizedPages(document)
        var pages: [ReadPage] = []
        var images: [[UInt8]] = []
        var failures: [String] = []
        for number in 1...max(document.pageCount, 1) where number <= document.pageCount {
            try checkCancellation()
            var bitmap: PageBitmap?
            do {
                let page = try reader.read(page: number, of: document, rendered: { bitmap = $0 })
                if renderPageImages {
                    try checkCancellation()
                    images.append(try pageImage(bitmap ?? document.page(number, dpi: page.result.dpi)))
                }
                pages.append(page)
                failures += page.warnings.map { "page \(number): \($0)" }
                tally.add()
            } catch let error as PageImageError {
                if case .tooManyPixels = error { throw ArchiveServerError.tooLarge("\(upload.filename): \(error.reason)") }
                failures.append("page \(number): \(error.reason)")
            }
        }
        if pages.isEmpty, let first = failures.first {
            throw ArchiveServerError.badInput("\(upload.filename): \(first)")
        }
        let read = ReadDocument(path: upload.filename, format: document.format, pageCount: document.pageCount,
                                pages: pages, failures: failures)
        return Recognition(document: read.result, pageImages: images, failures: failures, pipelineResult: read)
    }

    private func checkCancellation() throws {
        // Past the deadline, the answer is a timeout even if the deadline timer has not fired yet.
        if let deadline = cancelled.deadline, deadline.hasPassed { throw ArchiveServerError.timedOut(seconds: deadline.seconds) }
        if cancelled.isSet { throw CancellationError() }
    }

    private func open() throws -> Document {
        let limits = Limits(maxFileBytes: max(upload.bytes.count, 1), maxPixelsPerPage: upload.limits.maxPixelsPerPage,
                            maxPages: upload.limits.maxPages)
        do {
            return try Document(bytes: upload.bytes, name: upload.filename, limits: limits)
        } catch let error as PageImageError {
            throw Self.clientError(error, filename: upload.filename)
        }
    }

    /// Page sizes come from the file's header or page dictionary, so an oversized page is
    /// refused before anything is rendered or decoded.
    private func refuseOversizedPages(_ document: Document) throws {
        for number in 1...max(document.pageCount, 1) where number <= document.pageCount {
            let size: PageSize
            do {
                size = try document.pageSize(number, dpi: dpi)
            } catch let error as PageImageError {
                throw Self.clientError(error, filename: upload.filename)
            }
            let (pixels, overflow) = size.width.multipliedReportingOverflow(by: size.height)
            if overflow || pixels > upload.limits.maxPixelsPerPage {
                throw ArchiveServerError.tooLarge("\(upload.filename): page \(number) is \(size.width)×\(size.height) "
                                                  + "pixels, over the \(upload.limits.maxPixelsPerPage)-pixel limit per page")
            }
        }
    }

    /// The page as the boxes see it: colour when the page has colour, else gray.
    private func pageImage(_ bitmap: PageBitmap) throws -> [UInt8] {
        do {
            if let rgb = bitmap.rgb { return try PNGEncoder.encode(rgb, dpi: bitmap.dpi, name: upload.filename) }
            return try PNGEncoder.encode(bitmap.gray, dpi: bitmap.dpi, name: upload.filename)
        } catch let error as PageImageError {
            throw Self.clientError(error, filename: upload.filename)
        }
    }

    /// What the client did wrong, in its own file's name; server-side failures stay 500s.
    static func clientError(_ error: PageImageError, filename: String) -> any Error {
        switch error {
        case .fileTooLarge, .tooManyPixels, .tooManyPages:
            return ArchiveServerError.tooLarge("\(filename): \(error.reason)")
        case .unknownFormat:
            return ArchiveServerError.unsupportedType("\(filename): \(error.reason)")
        case .emptyFile, .unreadable, .encryptedPDF, .corrupt, .pageOutOfRange, .renderFailed:
            return ArchiveServerError.badInput("\(filename): \(error.reason)")
        case .invalidDPI, .encodeFailed:
            return error
        }
    }
}

/// Set once, from the cancellation handler; read by the recognition thread between pages, which
/// also compares the clock with `deadline` itself.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    let deadline: RecognitionDeadline?

    init(deadline: RecognitionDeadline? = nil) { self.deadline = deadline }

    func cancel() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

final class PageTally: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// Readers kept between requests: each owns the recogniser's scratch buffers, so reusing them
/// keeps memory flat instead of allocating per request. At most as many as ran at once.
final class ReaderShelf: @unchecked Sendable {
    private let engine: OCREngine
    private let lock = NSLock()
    private var idle: [DocumentReader] = []

    init(engine: OCREngine) { self.engine = engine }

    func take() -> DocumentReader {
        lock.withLock { idle.popLast() } ?? engine.makeReader()
    }

    func giveBack(_ reader: DocumentReader) {
        lock.withLock { idle.append(reader) }
    }
}
