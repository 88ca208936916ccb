import Foundation
import OCRPipeline

// The child side of isolated upload reading (`docvault read-worker --uploads`) and the messages it
// exchanges with `IsolatedRecogniser`, one JSON line each way per upload.

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
    /// Reads uploads until standard input ends, with the same `UploadReading` the in-process
    /// recogniser runs, so both answer alike; only a crash or a kill looks different (the parent
    /// sees the child end).
    public static func run(engine: OCREngine) {
        let reader = engine.makeReader()
        let encoder = WorkerCoding.encoder
        WorkerLoop.serve { line in
            let answer: UploadAnswer
            do {
                answer = try read(WorkerCoding.decoder.decode(UploadJob.self, from: line), reader: reader, dpi: engine.options.dpi)
            } catch let error as ArchiveServerError {
                answer = UploadAnswer(error: error)
            } catch {
                answer = UploadAnswer(internalError: String(describing: error))
            }
            return (try? encoder.encode(answer)) ?? Data(#"{"internalError":"the worker could not encode its answer"}"#.utf8)
        }
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
