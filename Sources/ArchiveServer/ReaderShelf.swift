import Foundation
import OCRPipeline

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

    /// Ends the idle readers (they see end-of-file); busy ones end when they are given back and
    /// dropped with the shelf.
    func stopIdle() {
        let stopping = lock.withLock { defer { idle = [] }; return idle }
        for worker in stopping { worker.stop() }
    }
}

/// The server's private folder for uploads on their way to a reader: created owner-only, one
/// file per request, removed when the request is done. The folder is named after the server's
/// process id (`docvault-uploads-<pid>-XXXXXX`) and removed at shutdown; a server that was killed
/// cannot remove its own, so each new one removes those of processes that no longer exist.
final class UploadScratch: @unchecked Sendable {
    static let prefix = "docvault-uploads-"
    let folder: String
    private let lock = NSLock()
    private var counter = 0
    private var closed = false

    init(parent: String = NSTemporaryDirectory()) throws(IsolatedReadingError) {
        Self.removeAbandoned(in: parent)
        var template = Array(((parent as NSString).appendingPathComponent("\(Self.prefix)\(getpid())-XXXXXX")).utf8CString)
        guard let made = mkdtemp(&template) else {
            throw .scratch(path: parent, reason: String(cString: strerror(errno)))
        }
        folder = String(cString: made)
    }

    deinit { close() }

    /// Removes the folder and anything a request left in it; later writes fail. Safe to repeat.
    func close() {
        let first = lock.withLock { defer { closed = true }; return !closed }
        if first { Self.removeTree(folder) }
    }

    /// Removes the scratch folders in `parent` whose server process is gone (killed, crashed),
    /// with the uploads they still held. Only this user's folders in this naming, so another
    /// server's live folder (or one of an older docvault, named without a process id) is never
    /// touched. Returns what was removed.
    @discardableResult
    static func removeAbandoned(in parent: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return [] }
        var removed: [String] = []
        for name in names where name.hasPrefix(prefix) {
            let parts = name.dropFirst(prefix.count).split(separator: "-", maxSplits: 1)
            guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, pid != getpid() else { continue }
            // Alive (or alive under another user: EPERM) means in use.
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            let path = (parent as NSString).appendingPathComponent(name)
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, status.st_uid == getuid() else { continue }
            removeTree(path)
            removed.append(path)
        }
        return removed
    }

    /// The folder and the plain files in it (uploads are all the folder ever holds).
    private static func removeTree(_ folder: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            unlink((folder as NSString).appendingPathComponent(name))
        }
        rmdir(folder)
    }

    func write(_ bytes: [UInt8]) throws(IsolatedReadingError) -> String {
        let number = lock.withLock { counter += 1; return counter }
        let path = "\(folder)/upload-\(number)"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .scratch(path: path, reason: String(cString: strerror(errno))) }
        defer { Glibc.close(descriptor) }
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
