import Foundation

/// The parent side of a reading worker: starts the child on first use (and again after it died),
/// sends it one path, and waits for its answer no longer than the per-file limit plus a grace
/// period; past that the child is killed. Used by one ingest thread at a time.
final class WorkerReader: DocumentReading {
    private let command: WorkerCommand
    private let limit: Double?
    private var child: pid_t = 0
    private var input: Int32 = -1   // the child's standard input (we write)
    private var output: Int32 = -1  // the child's standard output (we read)
    private var buffered: [UInt8] = []

    init(command: WorkerCommand, limit: Double?) {
        self.command = command
        self.limit = limit
    }

    deinit { finish() }

    func read(path: String) throws -> ReadDocument {
        if child == 0 { try start() }
        var request = try JSONEncoder().encode(path)
        request.append(0x0A)
        guard writeAll(request) else {
            let reason = stop(kill: true)
            throw WorkerFailure(reason: "the reader stopped before it was given the file (\(reason))")
        }
        let wait = limit.map { $0 + command.grace }
        switch readLine(timeout: wait) {
        case .line(let bytes):
            guard let reply = try? WorkerCoding.decoder.decode(WorkerReply.self, from: Data(bytes)) else {
                _ = stop(kill: true)
                throw WorkerFailure(reason: "the reader answered something unreadable")
            }
            if let document = reply.document { return document }
            throw WorkerFailure(reason: reply.failure ?? "the reader gave no reason")
        case .timedOut:
            _ = stop(kill: true)
            throw PipelineError.timedOut(path: path, seconds: limit ?? 0)
        case .ended:
            let how = stop(kill: false)
            throw WorkerFailure(reason: "the reader crashed on this file (\(how))")
        }
    }

    func finish() {
        if child != 0 { _ = stop(kill: false) }
    }

    private static let spawning = NSLock()
    private static let brokenPipesIgnored: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    private func start() throws {
        _ = Self.brokenPipesIgnored
        // Pipes are made and marked close-on-exec under one lock, so that no other thread's worker
        // inherits this one's ends (it would then never see end-of-file).
        Self.spawning.lock()
        defer { Self.spawning.unlock() }
        var toChild: [Int32] = [-1, -1], fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0 else { throw WorkerFailure(reason: "cannot start a reader: \(String(cString: strerror(errno)))") }
        guard pipe(&fromChild) == 0 else {
            close(toChild[0]); close(toChild[1])
            throw WorkerFailure(reason: "cannot start a reader: \(String(cString: strerror(errno)))")
        }
        for descriptor in toChild + fromChild { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        // The child's own stderr (a crash report) would break the one-line-per-file reports.
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = [command.executable] + command.arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let envp = environment.map { "\($0.key)=\($0.value)" }
        // This process ignores SIGPIPE (a dead worker must not kill the batch); the worker gets
        // the default back so that it dies quietly if its parent goes away mid-answer.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let status = withCStrings(argv) { cArgv in
            withCStrings(envp) { cEnvp in posix_spawn(&pid, command.executable, &actions, &attributes, cArgv, cEnvp) }
        }
        close(toChild[0]); close(fromChild[1])
        guard status == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw WorkerFailure(reason: "cannot start a reader (\(command.executable)): \(String(cString: strerror(status)))")
        }
        child = pid
        input = toChild[1]
        output = fromChild[0]
        buffered = []
    }

    /// Ends the child (killing it first when asked) and says how it ended.
    private func stop(kill: Bool) -> String {
        if input >= 0 { close(input); input = -1 }
        if kill { Glibc.kill(child, SIGKILL) }
        var status: Int32 = 0
        while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        if output >= 0 { close(output); output = -1 }
        child = 0
        let signal = status & 0x7F
        if signal != 0 { return "signal \(signal)\(signal == SIGKILL && !kill ? ", perhaps out of memory" : "")" }
        return "exit status \((status >> 8) & 0xFF)"
    }

    private func writeAll(_ data: Data) -> Bool {
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(input, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 { if errno == EINTR { continue }; return false }
                offset += written
            }
            return true
        }
    }

    private enum LineResult {
        case line([UInt8])
        case timedOut
        case ended
    }

    private func readLine(timeout: Double?) -> LineResult {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            if let newline = buffered.firstIndex(of: 0x0A) {
                let line = Array(buffered[..<newline])
                buffered.removeSubrange(...newline)
                return .line(line)
            }
            var wait: Int32 = -1
            if let deadline {
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { return .timedOut }
                wait = Int32(min(left * 1000, 60_000).rounded(.up))
            }
            var poller = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, wait)
            if ready < 0 { if errno == EINTR { continue }; return .ended }
            if ready == 0 { continue }
            let count = chunk.withUnsafeMutableBytes { Glibc.read(output, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue }; return .ended }
            if count == 0 { return .ended }
            buffered += chunk[..<count]
        }
    }
}

/// Calls `body` with a NULL-terminated C array of the strings (valid only inside `body`).
private func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
    let pointers = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    return body(pointers + [nil])
}
