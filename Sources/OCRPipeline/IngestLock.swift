import Foundation

/// Why an ingest could not take its archive.
public enum IngestLockError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Another ingest holds the archive; `holder` is its process id when it wrote one.
    case busy(database: String, holder: Int32?)
    case cannotLock(database: String, reason: String)

    public var description: String {
        switch self {
        case .busy(let database, let holder):
            let who = holder.map { "process \($0)" } ?? "another process"
            return "\(database): another ingest (\(who)) is writing to this archive; wait for it to finish or use another --db"
        case .cannotLock(let database, let reason):
            return "\(database): cannot take the ingest lock: \(reason)"
        }
    }
}

/// One ingest per archive at a time. Two ingests would each read and OCR every file the other is
/// also reading (SQLite keeps the data safe, but the work is done twice and the reports mix), so
/// the second one refuses at once. The lock is an flock(2) on a file beside the database: the
/// kernel drops it when the process ends however it ends (even SIGKILL), so it never goes stale.
/// Readers (`search`, `serve`) never take it.
public final class IngestLock: @unchecked Sendable {
    public let path: String
    private let descriptor: Int32

    /// The lock file that goes with the database at `databasePath`.
    public static func lockPath(forDatabase databasePath: String) -> String { databasePath + "-ingest.lock" }

    public init(database databasePath: String) throws {
        path = Self.lockPath(forDatabase: databasePath)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw IngestLockError.cannotLock(database: databasePath, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            let holder = Self.readHolder(descriptor)
            close(descriptor)
            if failure == EWOULDBLOCK { throw IngestLockError.busy(database: databasePath, holder: holder) }
            throw IngestLockError.cannotLock(database: databasePath, reason: String(cString: strerror(failure)))
        }
        // Our process id, for the message the next ingest prints while we run.
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    private static func readHolder(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 32, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
