import Foundation

/// Runs `body` on a thread of its own and awaits it. Swift Testing runs synchronous tests on the
/// cooperative pool, which has one thread per core (two on CI) and is shared by every test in the
/// process: a test that holds a pool thread for many seconds (waiting for a child process, a model
/// run) with another doing the same stalls every async test, and the server tests' deadlines pass
/// while their requests wait for a thread (a 504 where a 422 was due). The expectations stay
/// on the test's own task; only the long work moves. (Also used for blocking socket reads.)
/// ArchiveServer has an `offPool` of its own on Dispatch; its tests name this one `TestSupport.offPool`.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
