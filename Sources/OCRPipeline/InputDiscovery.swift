import Foundation

/// One file found under the paths given to `ingest`/`ocr`, or the reason it cannot be read.
public struct DiscoveredFile: Sendable, Equatable {
    public let path: String
    public let size: Int64
    public let modified: Date

    public init(path: String, size: Int64, modified: Date) {
        self.path = path
        self.size = size
        self.modified = modified
    }
}

public struct DiscoveryProblem: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Expands files and folders (recursively) into the regular files to process, in a stable order.
/// Hidden entries, symlink loops and the archive's own database files are skipped; what cannot be
/// read is reported, never fatal.
public struct InputDiscovery: Sendable {
    /// Absolute paths to leave out (the database and its -wal/-shm companions).
    public var excluded: Set<String>

    public init(excluding: [String] = []) {
        var set = Set<String>()
        for path in excluding {
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            set.insert(absolute)
            set.insert(absolute + "-wal")
            set.insert(absolute + "-shm")
            set.insert(absolute + "-journal")
        }
        excluded = set
    }

    public func discover(_ paths: [String]) -> (files: [DiscoveredFile], problems: [DiscoveryProblem]) {
        var files: [DiscoveredFile] = []
        var problems: [DiscoveryProblem] = []
        var seenDirectories = Set<String>()
        var seenFiles = Set<String>()
        for path in paths {
            visit(path, explicit: true, files: &files, problems: &problems,
                  seenDirectories: &seenDirectories, seenFiles: &seenFiles)
        }
        return (files, problems)
    }

    private func visit(_ path: String, explicit: Bool, files: inout [DiscoveredFile],
                       problems: inout [DiscoveryProblem], seenDirectories: inout Set<String>,
                       seenFiles: inout Set<String>) {
        let name = (path as NSString).lastPathComponent
        if !explicit && name.hasPrefix(".") { return }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if excluded.contains(absolute) { return }

        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno == ELOOP ? "symbolic link loop" : String(cString: strerror(errno))
            problems.append(DiscoveryProblem(path: path, reason: reason))
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            // Resolving the real path catches loops made of directory symlinks.
            let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            guard seenDirectories.insert(real).inserted else { return }
            let entries: [String]
            do {
                entries = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            } catch {
                problems.append(DiscoveryProblem(path: path, reason: "cannot list folder (\(reasonText(error)))"))
                return
            }
            if entries.isEmpty && explicit {
                problems.append(DiscoveryProblem(path: path, reason: "folder is empty"))
            }
            for entry in entries {
                visit((path as NSString).appendingPathComponent(entry), explicit: false, files: &files,
                      problems: &problems, seenDirectories: &seenDirectories, seenFiles: &seenFiles)
            }
        case S_IFREG:
            guard seenFiles.insert(absolute).inserted else { return }
            let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
            files.append(DiscoveredFile(path: path, size: Int64(info.st_size), modified: modified))
        default:
            if explicit { problems.append(DiscoveryProblem(path: path, reason: "not a regular file")) }
        }
    }

    private func reasonText(_ error: Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}
