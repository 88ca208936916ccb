import Foundation
import OCRPipeline

/// The `DocumentRecogniser` `docvault serve` uses by default: each upload is read in a child
/// process (`docvault read-worker --uploads`) under an address-space limit, so a decompression
/// bomb, a PDF that crashes poppler or a page stuck inside C code costs that request (a 422 or a
/// 504 naming the reason), never the server. Children are kept between requests (one per busy
/// worker slot at most, since `RecognitionGate` caps the requests that reach here) so a request
/// pays neither process start nor model load; a child that died or was killed is replaced on
/// the next request.
public final class IsolatedRecogniser: DocumentRecogniser {
    private let shelf: WorkerShelf
    private let scratch: UploadScratch
    /// MiB of address space each child may use (0: no limit), for the messages.
    public let memoryLimitMiB: Int
    /// Seconds past the request's deadline a child gets to stop by itself between pages before
    /// it is killed (the deadline's own cancellation usually kills it first).
    let graceSeconds: Double
    /// Where uploads wait for their reader (for tests: it must be empty between requests).
    var scratchFolder: String { scratch.folder }

    public init(command: WorkerCommand, memoryLimitMiB: Int, graceSeconds: Double = 2) throws(IsolatedReadingError) {
        self.shelf = WorkerShelf(command: command)
        self.scratch = try UploadScratch()
        self.memoryLimitMiB = memoryLimitMiB
        self.graceSeconds = graceSeconds
    }

    /// Starts `count` children now, so the first requests do not wait for them.
    public func prewarm(_ count: Int) throws(IsolatedReadingError) {
        try shelf.prewarm(count)
    }

    public func recognise(_ upload: Upload, renderPageImages: Bool) async throws -> Recognition {
        let flag = CancellationFlag(deadline: RecognitionDeadline.current)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Recognition, any Error>) in
                // Waiting on the child's pipe blocks: off Swift's cooperative pool, as in-process reading.
                let thread = Thread { [self] in
                    continuation.resume(with: Result { try read(upload, renderPageImages: renderPageImages, flag: flag) })
                }
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
        let request: Data
        do { request = try WorkerCoding.encoder.encode(job) } catch { throw IsolatedReadingError.unreadableAnswer(String(describing: error)) }
        let grace = graceSeconds
        let worker = shelf.take()
        defer { shelf.giveBack(worker) }
        let line: [UInt8]
        do {
            line = try worker.exchange(request, timeout: job.secondsLeft.map { $0 + grace }) {
                flag.isSet || deadline.map { Date() >= $0.date.addingTimeInterval(grace) } ?? false
            }
        } catch {
            throw failure(error, upload: upload, deadline: deadline)
        }
        let answer: UploadAnswer
        do {
            answer = try WorkerCoding.decoder.decode(UploadAnswer.self, from: Data(line))
        } catch {
            worker.kill()  // out of step with us: start afresh
            throw IsolatedReadingError.unreadableAnswer(String(describing: error))
        }
        if let error = answer.error { throw error }
        if let internalError = answer.internalError { throw IsolatedReadingError.workerFailed(internalError) }
        guard let document = answer.document else { throw IsolatedReadingError.unreadableAnswer("no document and no error") }
        return Recognition(document: document.result, pageImages: answer.pageImages.map { [UInt8]($0) },
                           failures: answer.failures, pipelineResult: document)
    }

    /// What a child that gave no answer means for this request.
    private func failure(_ error: WorkerExchangeFailure, upload: Upload, deadline: RecognitionDeadline?) -> any Error {
        switch error {
        case .timedOut, .cancelled:
            if let deadline, deadline.hasPassed { return ArchiveServerError.timedOut(seconds: deadline.seconds) }
            return CancellationError()
        case .crashed(let how), .stoppedBeforeRequest(let how):
            let limit = memoryLimitMiB > 0
                ? "a decoder crashed on it or reading it needs more than the \(memoryLimitMiB) MiB each reader may use (--file-memory)"
                : "a decoder crashed on it"
            return ArchiveServerError.readFailed("\(upload.filename): the reader process stopped on this file (\(how)): \(limit)")
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

/// Reader processes kept between requests.
final class WorkerShelf: @unchecked Sendable {
    private let command: WorkerCommand
    private let lock = NSLock()
    private var idle: [WorkerProcess] = []

    init(command: WorkerCommand) { self.command = command }

    func take() -> WorkerProcess {
        lock.withLock { idle.popLast() } ?? WorkerProcess(command: command)
    }

    func giveBack(_ worker: WorkerProcess) {
        lock.withLock { idle.append(worker) }
    }

    func prewarm(_ count: Int) throws(IsolatedReadingError) {
        for _ in 0..<count {
            let worker = WorkerProcess(command: command)
            do { try worker.start() } catch { throw .cannotStartReader(String(describing: error)) }
            giveBack(worker)
        }
    }
}

/// The server's private folder for uploads on their way to a reader: created owner-only, one
/// file per request, removed when the request is done.
final class UploadScratch: @unchecked Sendable {
    let folder: String
    private let lock = NSLock()
    private var counter = 0

    init() throws(IsolatedReadingError) {
        var template = Array((NSTemporaryDirectory() + "/docvault-uploads-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw .scratch(path: NSTemporaryDirectory(), reason: String(cString: strerror(errno)))
        }
        folder = String(cString: made)
    }

    deinit { rmdir(folder) }

    func write(_ bytes: [UInt8]) throws(IsolatedReadingError) -> String {
        let number = lock.withLock { counter += 1; return counter }
        let path = "\(folder)/upload-\(number)"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .scratch(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        let complete = bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 { if errno == EINTR { continue }; return false }
                offset += written
            }
            return true
        }
        guard complete else {
            let reason = String(cString: strerror(errno))
            unlink(path)
            throw .scratch(path: path, reason: reason)
        }
        return path
    }

    func remove(_ path: String) { unlink(path) }
}
