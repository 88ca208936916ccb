import Foundation
import OCRPipeline
import PageImage

// The child side of isolated upload reading (`docvault read-worker --uploads`) and the messages it
// exchanges with `IsolatedRecogniser`, one JSON line each way per upload or stored page drawn.

/// One line to a reader: an upload to read, or a stored page to draw.
enum ReaderJob: Codable {
    case upload(UploadJob)
    case storedPage(StoredPageJob)
}

/// A stored page to draw as PNG (`GET /api/documents/{id}/pages/{n}.png`).
struct StoredPageJob: Codable {
    var page: StoredPageImage
}

/// The answer to a `StoredPageJob`: the PNG, or the client-facing error, or a server-side failure.
struct StoredPageAnswer: Codable {
    var png: Data?
    var error: ArchiveServerError?
    var internalError: String?
}

/// One upload to read. The bytes travel in a file the server wrote (owner-only, in its private
/// scratch folder), not in the line: a 32 MB upload would otherwise cross the pipe as base64.
struct UploadJob: Codable {
    /// The server's scratch file holding the upload's bytes; never shown to the client.
    var file: String
    /// What the client called it: every message names this, never `file`.
    var filename: String
    var kind: UploadKind
    var limits: UploadLimits
    var renderPageImages: Bool
    /// Seconds left until the request's deadline when the job was sent, and the whole limit (for
    /// the message): the worker stops between pages itself once it has passed.
    var secondsLeft: Double?
    var limitSeconds: Double?
}

/// The worker's answer: the pages read, or the client-facing error, or a server-side failure.
struct UploadAnswer: Codable {
    var document: ReadDocument?
    var pageImages: [Data] = []
    var failures: [String] = []
    var error: ArchiveServerError?
    /// A failure that is not the client's (it becomes a 500 and goes to the log).
    var internalError: String?
}

public enum UploadWorkerLoop {
    /// Reads uploads and draws stored pages until standard input ends, with the same code the
    /// in-process recogniser and renderer run, so both answer alike; only a crash or a kill looks
    /// different (the parent sees the child end).
    public static func run(engine: OCREngine) {
        let reader = engine.makeReader()
        let encoder = WorkerCoding.encoder
        WorkerLoop.serve { line in
            let job: ReaderJob
            do {
                job = try WorkerCoding.decoder.decode(ReaderJob.self, from: line)
            } catch {
                return encoded(UploadAnswer(internalError: "unreadable job: \(error)"), encoder)
            }
            switch job {
            case .upload(let upload):
                return encoded(answer(upload, reader: reader, dpi: engine.options.dpi), encoder)
            case .storedPage(let page):
                return encoded(answer(page), encoder)
            }
        }
    }

    private static func answer(_ job: UploadJob, reader: DocumentReader, dpi: Double) -> UploadAnswer {
        do {
            return try read(job, reader: reader, dpi: dpi)
        } catch let error as ArchiveServerError {
            return UploadAnswer(error: error)
        } catch {
            return UploadAnswer(internalError: String(describing: error))
        }
    }

    private static func answer(_ job: StoredPageJob) -> StoredPageAnswer {
        do {
            // The limits are the server's in-process ones; what bounds memory here is this
            // process's address-space cap (--memory-limit).
            return StoredPageAnswer(png: Data(try job.page.drawPNG(limits: .default)))
        } catch let error as ArchiveServerError {
            return StoredPageAnswer(error: error)
        } catch {
            return StoredPageAnswer(internalError: String(describing: error))
        }
    }

    private static func encoded<Answer: Encodable>(_ answer: Answer, _ encoder: JSONEncoder) -> Data {
        (try? encoder.encode(answer)) ?? Data(#"{"internalError":"the worker could not encode its answer"}"#.utf8)
    }

    private static func read(_ job: UploadJob, reader: DocumentReader, dpi: Double) throws -> UploadAnswer {
        let deadline = job.secondsLeft.map {
            RecognitionDeadline(date: Date().addingTimeInterval($0), seconds: job.limitSeconds ?? $0)
        }
        guard let data = FileManager.default.contents(atPath: job.file) else {
            return UploadAnswer(internalError: "the worker cannot read the scratch file \(job.file)")
        }
        let upload = Upload(filename: job.filename, kind: job.kind, bytes: [UInt8](data), limits: job.limits)
        let recognition = try UploadReading(upload: upload, reader: reader, dpi: dpi,
                                            cancelled: CancellationFlag(deadline: deadline), tally: PageTally())
            .recognition(renderPageImages: job.renderPageImages)
        return UploadAnswer(document: recognition.pipelineResult, pageImages: recognition.pageImages.map { Data($0) },
                            failures: recognition.failures)
    }
}
