import ArchiveStore
import Foundation
import OCRPipeline

/// The real `ArchiveReading`: ArchiveStore's `Archive`, the one `docvault search`, `show` and
/// `ingest` use. Every call runs on a Dispatch queue, off Swift's cooperative pool: SQLite
/// blocks its thread. Stored pages are drawn by `pageRenderer` (in the reader processes under
/// `docvault serve`).
///
/// Uploads stored with `?store=1` are written to `uploadsDirectory/<sha256>/<name>`, so the
/// archive's path points at a real file: page images, `show`, `export` and a later `ingest` of the
/// same content (skipped as a duplicate) all work. The folder is the content hash; the client's
/// name is reduced to one harmless path component, so no request can name a path outside it.
public final class StoreArchive: ArchiveReading {
    public let archive: Archive
    public let uploadsDirectory: String
    /// Draws stored pages: in the server by default, in isolated readers for `docvault serve`.
    public let pageRenderer: any StoredPageRendering

    public init(archive: Archive, uploadsDirectory: String,
                pageRenderer: any StoredPageRendering = InProcessPageRenderer()) {
        self.archive = archive
        self.uploadsDirectory = uploadsDirectory
        self.pageRenderer = pageRenderer
    }

    /// Where uploads live for the archive at `databasePath`: beside it, named after it.
    public static func uploadsDirectory(forDatabase databasePath: String) -> String {
        URL(fileURLWithPath: databasePath).standardizedFileURL.path + "-uploads"
    }

    public func search(_ query: SearchRequest) async throws -> SearchAnswer {
        try await offPool { [archive] in
            let options = SearchOptions(limit: query.limit, minConfidence: query.minConfidence,
                                        documentID: query.documentID)
            return SearchAnswer(try archive.search(query.text, options: options))
        }
    }

    public func documents() async throws -> [DocumentSummary] {
        try await offPool { [archive] in
            let counts = try archive.lineCounts()
            return try archive.documents()
                .sorted { ($0.ingestedAt, $0.id) > ($1.ingestedAt, $1.id) }
                .map { DocumentSummary($0, lines: counts[$0.id] ?? 0) }
        }
    }

    public func document(id: Int64) async throws -> ArchivedDocument {
        try await offPool { [archive] in
            let content = try Self.content(archive, id: id)
            return ArchivedDocument(id: id, path: content.document.path, pages: OCRDocument(content).pages)
        }
    }

    public func pageImagePNG(documentID: Int64, page number: Int) async throws -> [UInt8] {
        let stored = try await offPool { [archive] in
            let content = try Self.content(archive, id: documentID)
            guard let page = content.pages.first(where: { $0.page.number == number })?.page else {
                throw ArchiveServerError.notFound("document \(documentID) has no page \(number)")
            }
            return StoredPageImage(documentID: documentID, page: number, path: content.document.path, dpi: page.dpi,
                                   width: page.width, height: page.height)
        }
        return try await pageRenderer.png(of: stored)
    }

    public func store(_ upload: Upload, recognition: Recognition) async throws -> DocumentSummary {
        guard let read = recognition.pipelineResult else { throw StoreArchiveError.notFromPipeline(upload.filename) }
        return try await offPool { [archive, uploadsDirectory] in
            let started = Date()
            let data = Data(upload.bytes)
            let hash = ContentHash.sha256(of: data)
            if let existing = try archive.document(withHash: hash), existing.status != .failed {
                return try Self.summary(archive, existing.id)
            }
            let path = try Self.write(data, named: Self.storedName(upload), into: (uploadsDirectory as NSString)
                .appendingPathComponent(hash))
            let document = Ingestor.newDocument(read, path: path, size: Int64(data.count), modified: started,
                                                sha256: hash, seconds: Date().timeIntervalSince(started))
            return try Self.summary(archive, try archive.store(document: document).id)
        }
    }

    private static func content(_ archive: Archive, id: Int64) throws -> DocumentContent {
        do {
            return try archive.content(ofDocument: id)
        } catch ArchiveError.documentNotFound {
            throw ArchiveServerError.notFound("no document \(id)")
        }
    }

    private static func summary(_ archive: Archive, _ id: Int64) throws -> DocumentSummary {
        let content = try content(archive, id: id)
        return DocumentSummary(content.document, lines: content.pages.reduce(0) { $0 + $1.lines.count })
    }

    /// The client's file name as one path component: no separators, no control characters (the
    /// intake removed those), no leading dot, at most 200 bytes; `upload.<kind>` when nothing is left.
    static func storedName(_ upload: Upload) -> String {
        var name = Substring(upload.filename.map { $0 == "/" || $0 == "\\" || $0 == "\u{0}" ? "_" : $0 })
        while name.first == "." { name = name.dropFirst() }
        while name.utf8.count > 200 { name = name.dropLast() }
        return name.isEmpty ? "upload.\(upload.kind.rawValue)" : String(name)
    }

    /// Writes the upload (atomically, readable by the owner only, like the database beside it);
    /// content already there under that name is left as it is.
    private static func write(_ data: Data, named name: String, into directory: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            if !FileManager.default.fileExists(atPath: path) {
                try data.write(to: URL(fileURLWithPath: path), options: .atomic)
                try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            }
        } catch {
            throw StoreArchiveError.cannotWriteUpload(directory: directory, reason: error.localizedDescription)
        }
        return path
    }
}

public enum StoreArchiveError: Error, CustomStringConvertible {
    case notFromPipeline(String)
    case cannotWriteUpload(directory: String, reason: String)

    public var description: String {
        switch self {
        case .notFromPipeline(let filename):
            "\(filename): only a recognition made by the pipeline can be stored (it carries what the archive keeps)"
        case .cannotWriteUpload(let directory, let reason):
            "\(directory): cannot keep the uploaded file: \(reason)"
        }
    }
}

/// Runs blocking work on a Dispatch queue and awaits it.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global(qos: .userInitiated).async {
            continuation.resume(with: Result { try work() })
        }
    }
}

extension SearchAnswer {
    /// `docvault search --json`'s results in the API's shape: a hit's snippet becomes its text and
    /// its highlights `[start, end)` code-point offsets.
    init(_ results: SearchResults) {
        self.init(query: results.query, fuzzy: results.isFuzzy, documents: results.documents.map { hit in
            SearchDocument(id: hit.document.id, path: hit.document.path, score: hit.score,
                           matchingLines: hit.matchingLines, hits: hit.lines.map { line in
                SearchHit(page: line.pageNumber, line: line.lineNumber, text: line.snippet.text,
                          confidence: line.confidence,
                          bbox: [line.box.x0, line.box.y0, line.box.x1, line.box.y1],
                          highlights: line.snippet.highlights.map { [$0.start, $0.end] })
            })
        })
    }
}

extension DocumentSummary {
    init(_ document: StoredDocument, lines: Int) {
        self.init(id: document.id, path: document.path, kind: document.kind.rawValue, pages: document.pageCount,
                  lines: lines, sha256: document.sha256,
                  ingestedAt: ISO8601DateFormatter().string(from: document.ingestedAt))
    }
}
