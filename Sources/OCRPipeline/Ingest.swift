import ArchiveStore
import Foundation
import PageImage

/// What happened to one input during ingest, reported as it happens.
public enum IngestEvent: Sendable {
    /// Discovery finished: this many files will be looked at.
    case discovered(files: Int)
    case stored(path: String, document: StoredDocument, pages: Int, seconds: Double)
    /// Already in the archive with the same content (possibly under another path).
    case skipped(path: String, reason: String)
    case failed(path: String, reason: String)
}

public struct IngestSummary: Sendable, Equatable {
    public var files = 0
    public var stored = 0
    public var skipped = 0
    public var failed = 0
    public var pages = 0
    public var seconds = 0.0
    /// Files met in folders that are not documents (a README beside the scans), passed over quietly.
    public var notDocuments = 0
}

/// `docvault ingest`: discovers files, reads them on `jobs` threads and stores each document in
/// one transaction, so a kill at any moment leaves no half-stored document and a re-run finishes
/// the job. Unchanged content is skipped by hash; a moved file keeps its document.
public struct Ingestor: Sendable {
    public let engine: OCREngine
    public let archive: Archive
    public let jobs: Int
    /// In this process, or in child processes that a crashing or runaway file cannot take down.
    public var reading: ReadingMode = .inProcess

    public init(engine: OCREngine, archive: Archive, jobs: Int) {
        self.engine = engine
        self.archive = archive
        self.jobs = max(1, jobs)
    }

    public func ingest(_ paths: [String], excluding: [String] = [],
                       onEvent: @escaping @Sendable (IngestEvent) -> Void) async -> IngestSummary {
        let started = Date()
        let found = InputDiscovery(excluding: excluding).discover(paths)
        let (files, problems) = (found.files, found.problems)
        onEvent(.discovered(files: files.count + problems.count))
        let tally = Tally()
        for problem in problems {
            tally.record(.failed(path: problem.path, reason: problem.reason))
            onEvent(.failed(path: problem.path, reason: problem.reason))
        }
        let queue = WorkQueue(files)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let group = DispatchGroup()
            for _ in 0..<min(jobs, max(files.count, 1)) {
                group.enter()
                let thread = Thread {
                    let reader = makeReader()
                    while let file = queue.next() {
                        let event = process(file, reader: reader)
                        tally.record(event)
                        onEvent(event)
                        releaseFreedMemory()
                    }
                    reader.finish()
                    group.leave()
                }
                thread.stackSize = 8 << 20
                thread.start()
            }
            group.notify(queue: .global()) { continuation.resume() }
        }
        var summary = tally.summary
        summary.files = files.count + problems.count
        summary.notDocuments = found.notDocuments.count
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    private func makeReader() -> DocumentReading {
        switch reading {
        case .inProcess: return engine.makeReader()
        case .isolated(let command): return WorkerReader(command: command, limit: engine.options.perFileTimeout)
        }
    }

    private func process(_ file: DiscoveredFile, reader: DocumentReading) -> IngestEvent {
        let started = Date()
        let path = URL(fileURLWithPath: file.path).standardizedFileURL.path
        // Sizes known from discovery settle these before the whole file is hashed.
        let limits = engine.options.limits
        if file.size == 0 { return .failed(path: file.path, reason: PageImageError.emptyFile(path: path).reason) }
        if file.size > Int64(limits.maxFileBytes) {
            let error = PageImageError.fileTooLarge(path: path, bytes: Int(file.size), limit: limits.maxFileBytes)
            return .failed(path: file.path, reason: error.reason)
        }
        do {
            let hash = try ContentHash.sha256(ofFile: path)
            if let existing = try archive.document(withHash: hash), existing.status != .failed {
                if existing.path == path { return .skipped(path: file.path, reason: "unchanged") }
                if !FileManager.default.fileExists(atPath: existing.path) {
                    try archive.updatePath(documentID: existing.id, to: path, modified: file.modified)
                    return .skipped(path: file.path, reason: "moved from \(existing.path)")
                }
                return .skipped(path: file.path, reason: "same content as \(existing.path)")
            }
            let read: ReadDocument
            do {
                read = try reader.read(path: path)
            } catch {
                try storeFailure(file, path: path, hash: hash, reason: Self.reason(error))
                return .failed(path: file.path, reason: Self.reason(error))
            }
            let document = Self.newDocument(read, path: path, size: file.size, modified: file.modified, sha256: hash,
                                            seconds: Date().timeIntervalSince(started))
            let stored = try archive.store(document: document)
            if !read.failures.isEmpty {
                let extent = read.pages.count == read.pageCount
                    ? "stored all \(read.pageCount) pages, some with content missing"
                    : "stored \(read.pages.count) of \(read.pageCount) pages"
                return .failed(path: file.path, reason: extent + "; " + read.failures.joined(separator: "; "))
            }
            return .stored(path: file.path, document: stored, pages: read.pages.count,
                           seconds: Date().timeIntervalSince(started))
        } catch {
            return .failed(path: file.path, reason: Self.reason(error))
        }
    }

    /// A PDF or image that cannot be read is recorded as failed so `list`/`stats` show it; its
    /// next ingest tries again. Files of no known format are not documents and are not recorded.
    private func storeFailure(_ file: DiscoveredFile, path: String, hash: String, reason: String) throws {
        let head = FileHandle(forReadingAtPath: path).flatMap { handle in
            defer { try? handle.close() }
            return try? handle.read(upToCount: 16)
        }
        guard let format = head.flatMap({ DocumentFormat.sniff($0) }) else { return }
        try archive.store(document: NewDocument(path: path, size: file.size, modified: file.modified, sha256: hash,
                                                kind: Self.kind(format), pageCount: 0, status: .failed,
                                                error: reason, pages: []))
    }

    /// What the archive stores for a document read by the pipeline: pages, lines, per-character
    /// confidences, rotation and skew; `partial` with the failures when some pages failed.
    /// Shared by ingest and the server's `POST /api/ocr?store=1`.
    public static func newDocument(_ read: ReadDocument, path: String, size: Int64, modified: Date, sha256: String,
                                   seconds: Double) -> NewDocument {
        NewDocument(path: path, size: size, modified: modified, sha256: sha256, kind: kind(read.format),
                    pageCount: read.pageCount, status: read.failures.isEmpty ? .complete : .partial,
                    error: read.failures.isEmpty ? nil : read.failures.joined(separator: "; "),
                    timings: ["total": seconds], pages: read.pages.map(newPage))
    }

    static func newPage(_ page: ReadPage) -> NewPage {
        let lines = zip(page.result.lines, page.characterConfidences).map { line, confidences in
            NewLine(text: line.text, confidence: line.confidence,
                    box: LineBox(x0: line.bbox[0], y0: line.bbox[1], x1: line.bbox[2], y1: line.bbox[3]),
                    characterConfidences: confidences)
        }
        return NewPage(number: page.result.page, width: page.result.width, height: page.result.height,
                       dpi: page.result.dpi, rotation: page.rotation, skew: page.skew,
                       source: page.result.source == "ocr" ? .ocr : .textLayer, timings: page.timings, lines: lines)
    }

    static func kind(_ format: DocumentFormat) -> DocumentKind {
        switch format {
        case .pdf: return .pdf
        case .png: return .png
        case .jpeg: return .jpeg
        case .tiff: return .tiff
        }
    }

    static func reason(_ error: Error) -> String {
        switch error {
        case let error as PageImageError: return error.reason
        case let error as PipelineError: return error.reason
        case let error as WorkerFailure: return error.reason
        default: return String(describing: error)
        }
    }
}

/// Hands out files to worker threads.
private final class WorkQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var files: ArraySlice<DiscoveredFile>

    init(_ files: [DiscoveredFile]) { self.files = files[...] }

    func next() -> DiscoveredFile? {
        lock.lock(); defer { lock.unlock() }
        return files.popFirst()
    }
}

private final class Tally: @unchecked Sendable {
    private let lock = NSLock()
    private var value = IngestSummary()

    func record(_ event: IngestEvent) {
        lock.lock(); defer { lock.unlock() }
        switch event {
        case .discovered: break
        case .stored(_, _, let pages, _): value.stored += 1; value.pages += pages
        case .skipped: value.skipped += 1
        case .failed: value.failed += 1
        }
    }

    var summary: IngestSummary {
        lock.lock(); defer { lock.unlock() }
        return value
    }
}
