import Foundation
import Testing
@testable import OCRPipeline

/// The line channel to a worker process: its parent learns that a worker died however the
/// worker's pipes were shared, and a worker holds no descriptor of its parent's but its own three.
@Suite struct WorkerProcessTests {
    static func shell(_ script: String, _ arguments: [String] = []) -> WorkerCommand {
        WorkerCommand(executable: "/bin/sh", arguments: ["-c", script, "sh"] + arguments)
    }

    /// A crashed worker whose output pipe another process still holds (here its own background
    /// child; in the flaky server test, a program that a test started just as the pipe was made)
    /// never reaches end-of-file: its exit is seen anyway, at once rather than at the deadline.
    @Test func aCrashIsSeenWhileAnotherProcessHoldsTheWorkersOutput() throws {
        let holder = FileManager.default.temporaryDirectory.appendingPathComponent("holder-\(UUID().uuidString)").path
        defer {
            if let pid = try? String(contentsOfFile: holder, encoding: .utf8), let id = pid_t(pid.trimmingCharacters(in: .whitespacesAndNewlines)) {
                kill(id, SIGKILL)
            }
            try? FileManager.default.removeItem(atPath: holder)
        }
        let worker = WorkerProcess(command: Self.shell("read line; sleep 60 & echo $! > \"$1\"; kill -SEGV $$", [holder]))
        let started = Date()
        #expect(throws: WorkerExchangeFailure.crashed(how: "signal 11")) {
            try worker.exchange(Data("job".utf8), timeout: 10)
        }
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(FileManager.default.fileExists(atPath: holder), "the pipe's other holder was not started")
    }

    /// Descriptors this process opened without close-on-exec (as Foundation's `Pipe` does) do
    /// not reach a worker, where they would outlive whatever they belong to.
    @Test func aWorkerHoldsOnlyItsStandardDescriptors() throws {
        var stray: [Int32] = [-1, -1]
        try #require(pipe(&stray) == 0)
        defer { close(stray[0]); close(stray[1]) }
        let script = "read line; for fd in \"$@\"; do [ -e /proc/$$/fd/$fd ] && printf '%s ' $fd; done; echo end"
        let worker = WorkerProcess(command: Self.shell(script, stray.map(String.init)))
        let held = String(decoding: try worker.exchange(Data("job".utf8), timeout: 5), as: UTF8.self)
        #expect(held == "end", "the worker holds \(stray) as \(held)")
        worker.stop()
    }
}
