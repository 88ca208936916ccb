import Foundation

/// The parent side of an ingest reading worker: sends the child one path and waits for its answer
/// no longer than the per-file limit plus a grace period; past that the child is killed. Used by
/// one ingest thread at a time.
final class WorkerReader: DocumentReading {
    private let process: WorkerProcess
    private let limit: Double?

    init(command: WorkerCommand, limit: Double?) {
        self.process = WorkerProcess(command: command)
        self.limit = limit
    }

    func read(path: String) throws -> ReadDocument {
        let request = try JSONEncoder().encode(path)
        let bytes: [UInt8]
        do {
            bytes = try process.exchange(request, timeout: limit.map { $0 + process.command.grace })
        } catch {
            throw Self.failure(error, path: path, limit: limit)
        }
        guard let reply = try? WorkerCoding.decoder.decode(WorkerReply.self, from: Data(bytes)) else {
            process.kill()
            throw WorkerFailure(reason: "the reader answered something unreadable")
        }
        if let document = reply.document { return document }
        throw WorkerFailure(reason: reply.failure ?? "the reader gave no reason")
    }

    func finish() {
        process.stop()
    }

    private static func failure(_ error: WorkerExchangeFailure, path: String, limit: Double?) -> any Error {
        switch error {
        case .cannotStart(let reason): WorkerFailure(reason: "cannot start a reader: \(reason)")
        case .stoppedBeforeRequest(let how): WorkerFailure(reason: "the reader stopped before it was given the file (\(how))")
        case .timedOut, .cancelled: PipelineError.timedOut(path: path, seconds: limit ?? 0)
        case .crashed(let how): WorkerFailure(reason: "the reader crashed on this file (\(how))")
        }
    }
}
