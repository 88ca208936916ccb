import Foundation

/// Why an exchange with a worker process brought no answer. `how` says how the child ended
/// ("signal 11", "exit status 1", "signal 9, perhaps out of memory").
public enum WorkerExchangeFailure: Error, Equatable, Sendable {
    /// The child could not be started at all (missing executable, no pipes left).
    case cannotStart(reason: String)
    /// The child was gone before it had the whole request.
    case stoppedBeforeRequest(how: String)
    /// No answer within the time given; the child was killed.
    case timedOut
    /// The caller gave up (its `cancelled` check said so); the child was killed.
    case cancelled
    /// The child ended without answering: a crash, or a kill for exceeding a limit.
    case crashed(how: String)
}

/// One child process spoken to in lines: a request line in, one answer line out. Started on first
/// use and again after it died, so one object serves file after file (the model is loaded once
/// per child, not once per file). Not for use from two threads at once.
public final class WorkerProcess {
    public let command: WorkerCommand
    private var child: pid_t = 0
    /// The child's wait status once it has been reaped (it ended; `child` names it until `end`).
    private var exitStatus: Int32?
    private var input: Int32 = -1   // the child's standard input (we write)
    private var output: Int32 = -1  // the child's standard output (we read)
    private var buffered: [UInt8] = []
    /// How often a waiting exchange looks at its `cancelled` check.
    private static let cancellationPollMilliseconds: Int32 = 50

    public init(command: WorkerCommand) {
        self.command = command
    }

    deinit { stop() }

    /// Whether a child is running now (it may still die before the next exchange).
    public var isRunning: Bool { child != 0 }

    /// Starts the child now rather than on the first exchange, so that the first request does
    /// not pay for process start and model load.
    public func start() throws(WorkerExchangeFailure) {
        if child == 0 { try spawn() }
    }

    /// Sends `request` (one line; a newline is added) and returns the answer line. Past `timeout`
    /// seconds, or as soon as `cancelled` answers true (checked every 50 ms), the child is killed.
    public func exchange(_ request: Data, timeout: Double?,
                         cancelled: () -> Bool = { false }) throws(WorkerExchangeFailure) -> [UInt8] {
        reapIfEnded()
        if child == 0 { try spawn() }
        guard writeAll(request + Data([0x0A])) else {
            throw .stoppedBeforeRequest(how: end(kill: true))
        }
        switch readLine(timeout: timeout, cancelled: cancelled) {
        case .line(let bytes):
            return bytes
        case .timedOut:
            _ = end(kill: true)
            throw .timedOut
        case .cancelled:
            _ = end(kill: true)
            throw .cancelled
        case .ended:
            throw .crashed(how: end(kill: false))
        }
    }

    /// Ends the child (it sees end-of-file and exits); a later exchange starts a new one.
    public func stop() {
        if child != 0 { _ = end(kill: false) }
    }

    /// Kills the child at once (a caller that distrusts what it is doing).
    public func kill() {
        if child != 0 { _ = end(kill: true) }
    }

    /// A child that died while idle (the kernel's OOM killer, an administrator) is replaced
    /// rather than blamed for the next request.
    private func reapIfEnded() {
        if child != 0 && hasEnded() { _ = end(kill: false) }
    }

    /// Whether the child has ended, without waiting for it; its status is kept for `end`.
    private func hasEnded() -> Bool {
        if exitStatus != nil { return true }
        var status: Int32 = 0
        let reaped = waitpid(child, &status, WNOHANG)
        if reaped == child { exitStatus = status; return true }
        // Reaped by someone else (a SIGCHLD handler of the host): gone, how is unknown.
        if reaped < 0 && errno == ECHILD { exitStatus = 0; return true }
        return false
    }

    /// Only needed where pipes cannot be made close-on-exec atomically (see `ChildDescriptors`).
    private static let spawning = NSLock()
    private static let brokenPipesIgnored: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

    private func spawn() throws(WorkerExchangeFailure) {
        _ = Self.brokenPipesIgnored
        Self.spawning.lock()
        defer { Self.spawning.unlock() }
        guard let toChild = ChildDescriptors.pipe() else { throw .cannotStart(reason: String(cString: strerror(errno))) }
        guard let fromChild = ChildDescriptors.pipe() else {
            close(toChild.read); close(toChild.write)
            throw .cannotStart(reason: String(cString: strerror(errno)))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild.read, 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild.write, 1)
        // The child's own stderr (a crash report) would break the one-line-per-file reports.
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        ChildDescriptors.closeAllButStandard(&actions)
        let argv = [command.executable] + command.arguments
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let envp = environment.map { "\($0.key)=\($0.value)" }
        // This process ignores SIGPIPE (a dead worker must not kill the caller); the worker gets
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
        close(toChild.read); close(fromChild.write)
        guard status == 0 else {
            close(toChild.write); close(fromChild.read)
            throw .cannotStart(reason: "\(command.executable): \(String(cString: strerror(status)))")
        }
        child = pid
        exitStatus = nil
        input = toChild.write
        output = fromChild.read
        buffered = []
    }

    /// Ends the child (killing it first when asked, unless it has already ended: its process id
    /// may be another's by now) and says how it ended.
    private func end(kill: Bool) -> String {
        if input >= 0 { close(input); input = -1 }
        let killed = kill && exitStatus == nil
        var status: Int32 = exitStatus ?? 0
        if exitStatus == nil {
            if killed { Glibc.kill(child, SIGKILL) }
            while waitpid(child, &status, 0) < 0 && errno == EINTR {}
        }
        if output >= 0 { close(output); output = -1 }
        child = 0
        exitStatus = nil
        let signal = status & 0x7F
        if signal != 0 { return "signal \(signal)\(signal == SIGKILL && !killed ? ", perhaps out of memory" : "")" }
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
        case cancelled
        case ended
    }

    private func readLine(timeout: Double?, cancelled: () -> Bool) -> LineResult {
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        // Answers with page images run to megabytes: only newly read bytes are searched.
        var searched = 0
        while true {
            if let line = takeLine(searchingFrom: searched) { return .line(line) }
            searched = buffered.count
            if cancelled() { return .cancelled }
            var wait = Self.cancellationPollMilliseconds
            if let deadline {
                let left = deadline.timeIntervalSinceNow
                if left <= 0 { return .timedOut }
                wait = min(wait, Int32((left * 1000).rounded(.up)))
            }
            var poller = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, wait)
            if ready < 0 { if errno == EINTR { continue }; return .ended }
            if ready == 0 {
                // End-of-file alone is not enough: a process that inherited the write end (the
                // child's own child, or a program started elsewhere in this process that did not
                // close it) keeps it open after the child died, so its exit is looked for too.
                if hasEnded() { return lineLeftByEndedChild(&chunk) }
                continue
            }
            let count = chunk.withUnsafeMutableBytes { Glibc.read(output, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue }; return .ended }
            if count == 0 { return .ended }
            buffered += chunk[..<count]
        }
    }

    /// The answer an ended child wrote just before it ended, if it is whole: what is already in
    /// the pipe is read without waiting for more (nobody else is meant to write there).
    private func lineLeftByEndedChild(_ chunk: inout [UInt8]) -> LineResult {
        var poller = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
        while poll(&poller, 1, 0) > 0 {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(output, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            buffered += chunk[..<count]
        }
        return takeLine(searchingFrom: 0).map { .line($0) } ?? .ended
    }

    /// The first whole line in the buffer (newline at or after `start`), removed from it.
    private func takeLine(searchingFrom start: Int) -> [UInt8]? {
        guard let newline = buffered[start...].firstIndex(of: 0x0A) else { return nil }
        let line = Array(buffered[..<newline])
        buffered.removeSubrange(...newline)
        return line
    }
}

/// Calls `body` with a NULL-terminated C array of the strings (valid only inside `body`).
private func withCStrings<T>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> T) -> T {
    let pointers = strings.map { strdup($0) }
    defer { pointers.forEach { free($0) } }
    return body(pointers + [nil])
}
