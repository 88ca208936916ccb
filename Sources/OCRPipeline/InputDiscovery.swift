import Foundation
import PageImage

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

/// What discovery found: the files to read, the entries that cannot be read, and how many files met
/// in folders were passed over because they are not documents.
public struct Discovery: Sendable, Equatable {
    public var files: [DiscoveredFile] = []
    public var problems: [DiscoveryProblem] = []
    /// Paths found by folder recursion that are neither named nor shaped like a PDF or image.
    public var notDocuments: [String] = []
}

/// Expands files and folders (recursively) into the regular files to process, in a stable order.
/// Hidden entries, folder symlink loops and the archive's own database files are skipped. A file
/// named on the command line is always tried (and reported when it fails); one met inside a folder
/// is passed over quietly when neither its extension nor its first bytes say PDF, PNG, JPEG or TIFF
/// (a README, a spreadsheet), and an entry there that cannot be read is reported only when its
/// name says it is a document. What cannot be read is reported, never fatal.
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
            set.insert(IngestLock.lockPath(forDatabase: absolute))
        }
        excluded = set
    }

    public func discover(_ paths: [String]) -> Discovery {
        var walk = Walk()
        for path in paths { visit(path, explicit: true, &walk) }
        return walk.found
    }

    /// The extensions a document may carry; with the file's first bytes they decide whether a
    /// file met in a folder is a document at all.
    static let documentExtensions: Set<String> = ["pdf", "png", "jpg", "jpeg", "jpe", "jfif", "tif", "tiff"]

    static func hasDocumentExtension(_ path: String) -> Bool {
        documentExtensions.contains((path as NSString).pathExtension.lowercased())
    }

    private struct Walk {
        var found = Discovery()
        var seenDirectories = Set<String>()
        var seenFiles = Set<String>()
    }

    private func visit(_ path: String, explicit: Bool, _ walk: inout Walk) {
        let name = (path as NSString).lastPathComponent
        if !explicit && name.hasPrefix(".") { return }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        if excluded.contains(absolute) { return }
        // Inside folders, only what claims to be a document is worth a report when it is broken.
        let reportable = explicit || Self.hasDocumentExtension(path)

        var info = stat()
        guard stat(path, &info) == 0 else {
            let reason = errno == ELOOP ? "symbolic link loop" : String(cString: strerror(errno))
            if reportable { walk.found.problems.append(DiscoveryProblem(path: path, reason: reason)) }
            else { walk.found.notDocuments.append(path) }
            return
        }
        switch info.st_mode & S_IFMT {
        case S_IFDIR:
            // Resolving the real path catches loops made of directory symlinks.
            let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            guard walk.seenDirectories.insert(real).inserted else { return }
            let entries: [String], undecodable: [String]
            do {
                (entries, undecodable) = try DirectoryListing.names(in: path)
            } catch let problem as DiscoveryProblem {
                walk.found.problems.append(problem)
                return
            } catch {
                walk.found.problems.append(DiscoveryProblem(path: path, reason: "cannot list folder (\(error))"))
                return
            }
            if entries.isEmpty && undecodable.isEmpty && explicit {
                walk.found.problems.append(DiscoveryProblem(path: path, reason: "folder is empty"))
            }
            for name in undecodable where !name.hasPrefix(".") {
                let shown = (path as NSString).appendingPathComponent(name)
                if Self.hasDocumentExtension(shown) {
                    walk.found.problems.append(DiscoveryProblem(path: shown, reason: "file name is not valid UTF-8 (rename the file to ingest it)"))
                } else {
                    walk.found.notDocuments.append(shown)
                }
            }
            for entry in entries {
                visit((path as NSString).appendingPathComponent(entry), explicit: false, &walk)
            }
        case S_IFREG:
            guard walk.seenFiles.insert(absolute).inserted else { return }
            if !reportable && !Self.looksLikeDocument(path) {
                walk.found.notDocuments.append(path)
                return
            }
            let modified = Date(timeIntervalSince1970: Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9)
            walk.found.files.append(DiscoveredFile(path: path, size: Int64(info.st_size), modified: modified))
        default:
            // Pipes, sockets, devices: opening a pipe would block the whole batch.
            if reportable { walk.found.problems.append(DiscoveryProblem(path: path, reason: "not a regular file")) }
            else { walk.found.notDocuments.append(path) }
        }
    }

    /// Whether the first bytes carry a PDF, PNG, JPEG or TIFF signature (a file that cannot be
    /// opened does not).
    static func looksLikeDocument(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var head = [UInt8](repeating: 0, count: 1024)
        let count = head.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 1024) }
        return count > 0 && DocumentFormat.sniff(head.prefix(count)) != nil
    }
}

/// Lists a folder through readdir, so that a name which is not valid UTF-8 is reported (it cannot
/// be carried in a String path, stored or shown faithfully) rather than silently mangled.
enum DirectoryListing {
    static func names(in folder: String) throws -> (names: [String], undecodable: [String]) {
        guard let directory = opendir(folder) else {
            throw DiscoveryProblem(path: folder, reason: "cannot list folder (\(String(cString: strerror(errno))))")
        }
        defer { closedir(directory) }
        var names: [String] = []
        var undecodable: [String] = []
        while let entry = readdir(directory) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if bytes == [0x2E] || bytes == [0x2E, 0x2E] { continue }
            if let name = String(validating: bytes, as: UTF8.self) {
                names.append(name)
            } else {
                undecodable.append(escaped(bytes))
            }
        }
        return (names.sorted(), undecodable.sorted())
    }

    /// Valid UTF-8 runs kept, every other byte written as \xNN.
    static func escaped(_ bytes: [UInt8]) -> String {
        var out = ""
        var index = 0
        while index < bytes.count {
            var decoded = false
            for length in stride(from: min(4, bytes.count - index), through: 1, by: -1) {
                if let text = String(validating: bytes[index..<index + length], as: UTF8.self) {
                    out += text
                    index += length
                    decoded = true
                    break
                }
            }
            if !decoded {
                let hex = String(bytes[index], radix: 16)
                out += "\\x" + (hex.count == 1 ? "0" + hex : hex)
                index += 1
            }
        }
        return out
    }
}
