import Foundation

/// At most `workers` recognitions at once and at most `queueDepth` waiting for one; anyone beyond
/// that is turned away at once with `.busy`, so overload shows as fast 503s, not as a pile-up of
/// requests that all time out.
actor RecognitionGate {
    let workers: Int
    let queueDepth: Int
    let retryAfterSeconds: Int
    private var running = 0
    private var waiting: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextWaiterID: UInt64 = 0

    init(workers: Int, queueDepth: Int, retryAfterSeconds: Int) {
        self.workers = workers
        self.queueDepth = queueDepth
        self.retryAfterSeconds = retryAfterSeconds
    }

    struct Load: Sendable, Codable, Equatable {
        var running: Int
        var waiting: Int
    }

    var load: Load { Load(running: running, waiting: waiting.count) }

    /// Refuses at once when neither a worker nor a queue place is free, so a request is turned
    /// away before its body is read into memory. `acquire()` still decides for real.
    func refuseIfFull() throws {
        if running >= workers && waiting.count >= queueDepth {
            throw ArchiveServerError.busy(retryAfterSeconds: retryAfterSeconds)
        }
    }

    /// Returns when a worker slot is this caller's; pair every successful call with `release()`.
    func acquire() async throws {
        if running < workers {
            running += 1
            return
        }
        guard waiting.count < queueDepth else { throw ArchiveServerError.busy(retryAfterSeconds: retryAfterSeconds) }
        let id = nextWaiterID
        nextWaiterID += 1
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiting.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.abandon(id) }
        }
    }

    /// Hands the slot to the longest waiter, or frees it.
    func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().continuation.resume()
        }
    }

    /// A waiter whose request timed out or went away leaves the queue without taking a slot.
    private func abandon(_ id: UInt64) {
        guard let index = waiting.firstIndex(where: { $0.id == id }) else { return }
        waiting.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}

/// Runs work under the gate with a deadline that covers the wait and the work. At the deadline the
/// caller gets `.timedOut` at once and the work is cancelled; the worker slot is only given back
/// when the work has really stopped, so a recogniser that is slow to notice cancellation still
/// counts against `--workers`.
struct RecognitionScheduler: Sendable {
    let gate: RecognitionGate
    let timeoutSeconds: Double

    init(configuration: ServerConfiguration) {
        gate = RecognitionGate(workers: configuration.workers, queueDepth: configuration.queueDepth,
                               retryAfterSeconds: configuration.retryAfterSeconds)
        timeoutSeconds = configuration.timeoutSeconds
    }

    func run<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = DeadlineRace<T>()
        let gate = self.gate
        let seconds = timeoutSeconds
        let deadline = RecognitionDeadline(date: Date().addingTimeInterval(seconds), seconds: seconds)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                race.start(continuation: continuation, timeout: seconds) {
                    try await gate.acquire()
                    do {
                        let value = try await RecognitionDeadline.$current.withValue(deadline) { try await work() }
                        await gate.release()
                        return value
                    } catch {
                        await gate.release()
                        throw error
                    }
                }
            }
        } onCancel: {
            race.cancel()
        }
    }
}

/// The first of work, deadline or cancellation resumes the continuation; the others are ignored.
private final class DeadlineRace<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var worker: Task<Void, Never>?
    private var timer: Task<Void, Never>?
    private var cancelledEarly = false

    func start(continuation: CheckedContinuation<T, any Error>, timeout: Double,
               work: @escaping @Sendable () async throws -> T) {
        lock.withLock { self.continuation = continuation }
        let worker = Task {
            let result: Result<T, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            self.finish(result)
        }
        let timer = Task {
            do { try await Task.sleep(for: .seconds(timeout)) } catch { return }
            self.finish(.failure(ArchiveServerError.timedOut(seconds: timeout)))
        }
        let (cancelNow, alreadyFinished) = lock.withLock {
            self.worker = worker
            self.timer = timer
            return (cancelledEarly, self.continuation == nil)
        }
        // The race may have been decided before the handles were stored (a loaded machine can
        // stop this thread for longer than the deadline): `finish` then had no worker to cancel,
        // so cancel it here. Cancelling work that finished by itself changes nothing.
        if alreadyFinished {
            timer.cancel()
            worker.cancel()
        } else if cancelNow {
            cancel()
        }
    }

    /// The request went away: stop the work and answer (nobody will read it).
    func cancel() {
        let handles = lock.withLock { () -> (Task<Void, Never>?, Task<Void, Never>?) in
            cancelledEarly = true
            return (worker, timer)
        }
        if handles.0 == nil { return }
        finish(.failure(CancellationError()))
    }

    private func finish(_ result: Result<T, any Error>) {
        let (continuation, worker, timer) = lock.withLock {
            defer { self.continuation = nil }
            return (self.continuation, self.worker, self.timer)
        }
        guard let continuation else { return }
        timer?.cancel()
        worker?.cancel()
        continuation.resume(with: result)
    }
}

/// The request's deadline, for recognisers that run on their own threads: they compare the clock
/// with it between pages themselves, so a timer task that a busy machine runs late cannot let a
/// read run on past its deadline.
struct RecognitionDeadline: Sendable {
    let date: Date
    let seconds: Double

    @TaskLocal static var current: RecognitionDeadline?

    var hasPassed: Bool { Date() >= date }
}
