@testable import ArchiveServer
import ArchiveStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import OCRPipeline
import Testing

/// The router over the real backends `docvault serve` wires: OCRPipeline's reader with the small
/// randomly initialised model of Tests/CRNNTests/Fixtures (its text is noise, but segmentation,
/// boxes, page images, cancellation and the text layer are real) and a temporary archive.
/// The born-digital PDF of examples/ is read from its text layer, so its text is exact.
@Suite struct PipelineBackendTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func example(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: root.appendingPathComponent("examples/\(name)")))
    }

    /// A fresh archive in a temporary folder and the fixture model, removed after `body`.
    func withRealServer<Value: Sendable>(
        // A generous deadline: the suite runs beside CPU-heavy tests (the kill test's child
        // ingests), and only the deadline test is about timing out.
        _ configuration: ServerConfiguration = ServerConfiguration(timeoutSeconds: 600),
        _ body: @Sendable @escaping (any TestClientProtocol, PipelineRecogniser, StoreArchive) async throws -> Value
    ) async throws -> Value {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("docvault-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let engine = try OCREngine(modelDirectory: Self.root.appendingPathComponent("Tests/CRNNTests/Fixtures").path,
                                   // The fixture model is random: its confidences mean nothing, keep every line.
                                   options: PipelineOptions(perFileTimeout: nil, minimumLineConfidence: 0))
        let recogniser = PipelineRecogniser(engine: engine)
        let database = folder.appendingPathComponent("archive.sqlite").path
        let archive = StoreArchive(archive: try Archive(path: database),
                                   uploadsDirectory: StoreArchive.uploadsDirectory(forDatabase: database))
        var logger = Logger(label: "PipelineBackendTests")
        logger.logLevel = .critical
        let app = try buildApplication(configuration: configuration, recogniser: recogniser, archive: archive,
                                       logger: logger)
        return try await app.test(.router) { client in try await body(client, recogniser, archive) }
    }

    func post(_ client: any TestClientProtocol, _ name: String, query: String = "") async throws -> TestResponse {
        let body = multipartBody([MultipartFile(filename: name, bytes: try Self.example(name))])
        return try await client.execute(uri: "/api/ocr\(query)", method: .post, headers: multipartHeaders(), body: body)
    }

    @Test func storedUploadIsSearchableListedShownAndRendered() async throws {
        try await withRealServer { client, _, archive in
            let answer = try await post(client, "invoice-en.pdf", query: "?store=1")
            #expect(answer.status == .ok, "\(answer.text)")
            let result = try answer.json()
            let text = try #require(result["text"] as? [String])
            #expect(text.contains("Northwind Office Supplies Ltd"))
            let page = try #require((result["pages"] as? [[String: Any]])?.first)
            #expect(page["source"] as? String == "text-layer")
            #expect(page["width"] as? Int == 2481 && page["height"] as? Int == 3508)
            let id = try #require(result["document_id"] as? Int)

            let search = try await client.execute(uri: "/api/search?q=northwind", method: .get).json()
            let found = try #require((search["documents"] as? [[String: Any]])?.first)
            #expect(found["id"] as? Int == id)
            #expect((found["path"] as? String)?.hasSuffix("/invoice-en.pdf") == true)
            let hit = try #require((found["hits"] as? [[String: Any]])?.first)
            #expect(hit["highlights"] as? [[Int]] == [[0, 9]])
            #expect(search["fuzzy"] as? Bool == false && found["matching_lines"] as? Int == 1)
            // A misread query finds it through the store's OCR-confusion fallback, and says so.
            let near = try await client.execute(uri: "/api/search?q=n0rthwind", method: .get).json()
            #expect(near["fuzzy"] as? Bool == true)
            #expect((near["documents"] as? [[String: Any]])?.first?["id"] as? Int == id)

            let listed = try await client.execute(uri: "/api/documents", method: .get).jsonArray()
            #expect(listed.count == 1)
            #expect(listed.first?["lines"] as? Int == text.count)
            #expect(listed.first?["kind"] as? String == "pdf")
            let shown = try await client.execute(uri: "/api/documents/\(id)", method: .get).json()
            let shownLines = (shown["pages"] as? [[String: Any]])?.first?["lines"] as? [[String: Any]]
            #expect(shownLines?.compactMap { $0["text"] as? String } == text)

            let image = try await client.execute(uri: "/api/documents/\(id)/pages/1.png", method: .get)
            #expect(image.status == .ok)
            #expect(Self.pngSize(Array(image.body.readableBytesView)) == [2481, 3508])
            #expect(try await client.execute(uri: "/api/documents/\(id)/pages/2.png", method: .get).status == .notFound)

            // Same content again: the earlier document, not a second copy.
            let again = try await post(client, "invoice-en.pdf", query: "?store=1").json()
            #expect(again["document_id"] as? Int == id)
            #expect(try archive.archive.documents().count == 1)
        }
    }

    @Test func storedUploadIsTheSameDocumentIngestFinds() async throws {
        try await withRealServer { client, recogniser, archive in
            #expect(try await post(client, "invoice-en.pdf", query: "?store=1").status == .ok)
            let stored = try #require(try archive.archive.documents().first)
            #expect(FileManager.default.fileExists(atPath: stored.path))
            #expect(stored.path.hasPrefix(archive.uploadsDirectory + "/" + stored.sha256 + "/"))
            let summary = await Ingestor(engine: recogniser.engine, archive: archive.archive, jobs: 1)
                .ingest([Self.root.appendingPathComponent("examples/invoice-en.pdf").path]) { _ in }
            #expect(summary.skipped == 1 && summary.stored == 0)
        }
    }

    @Test func photoAnswersBoxesInsideItsPageImage() async throws {
        try await withRealServer { client, _, _ in
            let result = try await post(client, "receipt-photo.jpg", query: "?images=1").json()
            let page = try #require((result["pages"] as? [[String: Any]])?.first)
            #expect(page["source"] as? String == "ocr")
            let width = try #require(page["width"] as? Int), height = try #require(page["height"] as? Int)
            let image = try #require(page["image"] as? String)
            let png = try #require(Data(base64Encoded: String(image.dropFirst("data:image/png;base64,".count))))
            #expect(Self.pngSize(Array(png)) == [width, height])
            let lines = try #require(page["lines"] as? [[String: Any]])
            #expect(!lines.isEmpty)
            for line in lines {
                let box = try #require(line["bbox"] as? [Int])
                #expect(box.count == 4 && box[0] >= 0 && box[1] >= 0 && box[0] < box[2] && box[1] < box[3])
                #expect(box[2] <= width && box[3] <= height)
            }
            #expect(result["text"] as? [String] == lines.compactMap { $0["text"] as? String })
        }
    }

    @Test func deadlineCancelsTheReadBetweenPages() async throws {
        try await withRealServer(ServerConfiguration(timeoutSeconds: 0.05)) { client, recogniser, _ in
            let answer = try await post(client, "scan-2page.tif")
            #expect(answer.status == .gatewayTimeout)
            // The worker is given back only once the read has stopped; it must stop before page 2.
            var running = 1
            for _ in 0..<600 where running != 0 {
                try await Task.sleep(for: .milliseconds(100))
                let load = try await client.execute(uri: "/healthz", method: .get).json()["load"] as? [String: Int]
                running = load?["running"] ?? -1
            }
            #expect(running == 0)
            #expect(recogniser.pagesRead < 2)
        }
    }

    @Test func unreadableAndOversizedDocumentsAreClientErrors() async throws {
        var configuration = ServerConfiguration(timeoutSeconds: 600)
        configuration.uploadLimits.maxPixelsPerPage = 1_000_000
        try await withRealServer(configuration) { client, recogniser, _ in
            let encrypted = Array(try Data(contentsOf: Self.root.appendingPathComponent("Tests/PageImageTests/Fixtures/encrypted.pdf")))
            let body = multipartBody([MultipartFile(filename: "locked.pdf", bytes: encrypted)])
            let locked = try await client.execute(uri: "/api/ocr", method: .post, headers: multipartHeaders(), body: body)
            #expect(locked.status == .badRequest)
            #expect(locked.errorMessage?.contains("locked.pdf") == true)
            #expect(locked.errorMessage?.contains("encrypted") == true)

            // 2481 × 3508 at 300 dpi: refused from the page size, before rendering.
            let large = try await post(client, "invoice-en.pdf")
            #expect(large.status == .contentTooLarge)
            #expect(large.errorMessage?.contains("pixel") == true)
            #expect(recogniser.pagesRead == 0)
        }
    }

    @Test func storedNamesAreOnePathComponent() {
        func name(_ filename: String) -> String {
            StoreArchive.storedName(Upload(filename: filename, kind: .png, bytes: [1], limits: UploadLimits()))
        }
        #expect(name("..") == "upload.png")
        #expect(name(".hidden.png") == "hidden.png")
        #expect(name("a\\b.png") == "a_b.png")
        let long = name(String(repeating: "发票", count: 100))
        #expect(long.utf8.count <= 200 && long.hasPrefix("发票"))
    }

    /// Width and height from a PNG's IHDR.
    static func pngSize(_ bytes: [UInt8]) -> [Int]? {
        guard bytes.count >= 24, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        func bigEndian(_ offset: Int) -> Int { (offset..<offset + 4).reduce(0) { $0 << 8 | Int(bytes[$1]) } }
        return [bigEndian(16), bigEndian(20)]
    }
}
