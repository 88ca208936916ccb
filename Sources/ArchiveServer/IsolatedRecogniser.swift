import Foundation
import OCRPipeline

/// The `DocumentRecogniser` (and `StoredPageRendering`) `docvault serve` uses by default: each
/// upload is read, and each stored page drawn, in a child process (`docvault read-worker
/// --uploads`) under an address-space limit, so a decompression bomb, a PDF that crashes poppler
/// or a page stuck inside C code costs that request (a 422 or a 504 naming the reason), never
/// the server. Children are kept between requests (one per busy
/// worker slot at most, since `RecognitionGate` caps the requests that reach here) so a request
/// pays neither process start nor model load; a child that died or was killed is replaced on
/// the next request.
public final class IsolatedRecogniser: DocumentRecogniser, StoredPageRendering {
    private let shelf: WorkerShelf
    private let scratch: UploadScratch
    /// MiB of address space each child may use (0: no limit), for the messages.
    public let memoryLimitMiB: Int
    /// Seconds past the request's deadline a child gets to stop by itself between pages before
    /// it is killed (the deadline's own cancellation usually kills it first).
    let graceSeconds: Double
    /// Where uploads wait for their reader (for tests: it must be empty between requests).
    var scratchFolder: String { scratch.folder }

    public convenience init(command: WorkerCommand, memoryLimitMiB: Int, graceSeconds: Double = 2) throws(IsolatedReadingError) {
        try self.init(command: command, memoryLimitMiB: memoryLimitMiB, graceSeconds: graceSeconds,
                      scratch: UploadScratch())
    }

    init(command: WorkerCommand, memoryLimitMiB: Int, graceSeconds: Double, scratch: UploadScratch) {
        self.shelf = WorkerShelf(command: command)
        self.scratch = scratch
        self.memoryLimitMiB = memoryLimitMiB
        self.graceSeconds = graceSeconds
    }

    /// Starts `count` children now, so the first requests do not wait for them.
    public func prewarm(_ count: Int) throws(IsolatedReadingError) {
        try shelf.prewarm(count)
    }

    /// At shutdown: ends the idle readers and removes the scratch folder (a server killed before
    /// this leaves it to the next one, see `UploadScratch`).
    public func close() {
        shelf.stopIdle()
        scratch.close()
    }

    public func recognise(_ upload: Upload, renderPageImages: Bool) async throws -> Recognition {
        try await onReaderThread { [self] flag in try read(upload, renderPageImages: renderPageImages, flag: flag) }
    }

    /// Draws a stored page in a reader, under the same memory cap and deadline as uploads: a PDF
    /// in the archive with a bomb image costs that request a 422, not the server its memory.
    public func png(of page: StoredPageImage) async throws -> [UInt8] {
        try await onReaderThread { [self] flag in
            let answer: StoredPageAnswer = try exchange(.storedPage(StoredPageJob(page: page)), flag: flag,
                                                        subject: "\(page.label): the reader process stopped while drawing this page")
            if let error = answer.error { throw error }
            if let internalError = answer.internalError { throw IsolatedReadingError.workerFailed(internalError) }
            guard let png = answer.png else { throw IsolatedReadingError.unreadableAnswer("no image and no error") }
            return [UInt8](png)
        }
    }

    /// Runs `work` on a thread of its own with the request's deadline and cancellation in a flag:
    /// waiting on a child's pipe blocks, so it stays off Swift's cooperative pool.
    private func onReaderThread<T: Sendable>(_ work: @escaping @Sendable (CancellationFlag) throws -> T) async throws -> T {
        let flag = CancellationFlag(deadline: RecognitionDeadline.current)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                let thread = Thread { continuation.resume(with: Result { try work(flag) }) }
                thread.name = "docvault-upload-worker"
                thread.start()
            }
        } onCancel: {
            flag.cancel()
        }
    }

    private func read(_ upload: Upload, renderPageImages: Bool, flag: CancellationFlag) throws -> Recognition {
        let deadline = flag.deadline
        let file = try scratch.write(upload.bytes)
        defer { scratch.remove(file) }
        let job = UploadJob(file: file, filename: upload.filename, kind: upload.kind, limits: upload.limits,
                            renderPageImages: renderPageImages,
                            secondsLeft: deadline.map { max(0, $0.date.timeIntervalSinceNow) }, limitSeconds: deadline?.seconds)
        let answer: UploadAnswer = try exchange(.upload(job), flag: flag,
                                                subject: "\(upload.filename): the reader process stopped on this file")
        if let error = answer.error { throw error }
        if let internalError = answer.internalError { throw IsolatedReadingError.workerFailed(internalError) }
        guard let document = answer.document else { throw IsolatedReadingError.unreadableAnswer("no document and no error") }
        return Recognition(document: document.result, pageImages: answer.pageImages.map { [UInt8]($0) },
                           failures: answer.failures, pipelineResult: document)
    }

    /// Sends `job` to an idle reader and decodes its answer. The reader is killed at the deadline
    /// (plus the grace) or when the request goes away; `subject` opens the message of a reader
    /// that stopped without answering.
    private func exchange<Answer: Decodable>(_ job: ReaderJob, flag: CancellationFlag, subject: String) throws -> Answer {
        let deadline = flag.deadline
        let request: Data
        do { request = try WorkerCoding.encoder.encode(job) } catch { throw IsolatedReadingError.unreadableAnswer(String(describing: error)) }
        let grace = graceSeconds
        let worker = shelf.take()
        defer { shelf.giveBack(worker) }
        let line: [UInt8]
        do {
            let secondsLeft = deadline.map { max(0, $0.date.timeIntervalSinceNow) }
            line = try worker.exchange(request, timeout: secondsLeft.map { $0 + grace }) {
                flag.isSet || deadline.map { Date() >= $0.date.addingTimeInterval(grace) } ?? false
            }
        } catch {
            throw failure(error, subject: subject, deadline: deadline)
        }
        do {
            return try WorkerCoding.decoder.decode(Answer.self, from: Data(line))
        } catch {
            worker.kill()  // out of step with us: start afresh
            throw IsolatedReadingError.unreadableAnswer(String(describing: error))
        }
    }

    /// What a child that gave no answer means for this request.
    private func failure(_ error: WorkerExchangeFailure, subject: String, deadline: RecognitionDeadline?) -> any Error {
        switch error {
        case .timedOut, .cancelled:
            if let deadline, deadline.hasPassed { return ArchiveServerError.timedOut(seconds: deadline.seconds) }
            return CancellationError()
        case .crashed(let how), .stoppedBeforeRequest(let how):
            let limit = memoryLimitMiB > 0
                ? "a decoder crashed on it or reading it needs more than the \(memoryLimitMiB) MiB each reader may use (--file-memory)"
                : "a decoder crashed on it"
            return ArchiveServerError.readFailed("\(subject) (\(how)): \(limit)")
        case .cannotStart(let reason):
            return IsolatedReadingError.cannotStartReader(reason)
        }
    }
}

/// Server-side failures of isolated reading: 500s whose details go to the log.
public enum IsolatedReadingError: Error, Equatable, CustomStringConvertible {
    case cannotStartReader(String)
    case scratch(path: String, reason: String)
    case unreadableAnswer(String)
    case workerFailed(String)

    public var description: String {
        switch self {
        case .cannotStartReader(let reason): "cannot start a reader process: \(reason)"
        case .scratch(let path, let reason): "\(path): cannot keep an upload for its reader: \(reason)"
        case .unreadableAnswer(let reason): "a reader process answered something unreadable: \(reason)"
        case .workerFailed(let reason): "a reader process failed: \(reason)"
        }
    }
}
