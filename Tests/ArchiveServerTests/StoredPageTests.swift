@testable import ArchiveServer
import ArchiveStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
@testable import OCRPipeline
import Testing

/// `GET /api/documents/{id}/pages/{n}.png` drawn in the isolated readers, as uploads are read:
/// against shell scripts standing in for `docvault read-worker --uploads` (a reader that
/// crashes, is killed or hangs costs that request a clear status and message, never the server)
/// and against the real reader.
@Suite struct StoredPageTests {
    /// examples/invoice-en.pdf as stored: one A4 page, 2481×3508 at 300 dpi.
    static let invoice = PipelineBackendTests.root.appendingPathComponent("examples/invoice-en.pdf").path

    /// A temporary archive holding examples/invoice-en.pdf as document `id`, served with stored
    /// pages drawn by readers started with `command`.
    func withStoredInvoice<Value: Sendable>(
        _ command: WorkerCommand, timeoutSeconds: Double = 30,
        _ body: @Sendable @escaping (any TestClientProtocol, Int64) async throws -> Value
    ) async throws -> Value {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("docvault-pages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try Archive(path: folder.appendingPathComponent("archive.sqlite").path)
        let read = ReadDocument(path: Self.invoice, format: .pdf, pageCount: 1, pages: [
            ReadPage(result: OCRPage(page: 1, width: 2481, height: 3508, dpi: 300, source: "ocr", lines: []),
                     rotation: 0, skew: 0, characterConfidences: [], timings: [:]),
        ], failures: [])
        let id = try store.store(document: Ingestor.newDocument(read, path: Self.invoice, size: 1, modified: Date(),
                                                                 sha256: String(repeating: "a", count: 64), seconds: 0)).id
        let readers = IsolatedRecogniser(command: command, memoryLimitMiB: 512, graceSeconds: 2,
                                         scratch: try UploadScratch(parent: folder.path))
        let archive = StoreArchive(archive: store, uploadsDirectory: folder.appendingPathComponent("uploads").path,
                                   pageRenderer: readers)
        var logger = Logger(label: "StoredPageTests")
        logger.logLevel = .critical
        let app = try buildApplication(configuration: ServerConfiguration(workers: 2, timeoutSeconds: timeoutSeconds),
                                       recogniser: readers, archive: archive, logger: logger)
        return try await app.test(.router) { client in try await body(client, id) }
    }

    static func answering(_ answer: StoredPageAnswer) throws -> WorkerCommand {
        let json = String(decoding: try WorkerCoding.encoder.encode(answer), as: UTF8.self)
        return IsolatedRecogniserTests.shell("while read line; do printf '%s\\n' \"$0\"; done", [json])
    }

    @Test func theReaderDrawsThePageItIsToldAbout() async throws {
        let job = FileManager.default.temporaryDirectory.appendingPathComponent("page-job-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: job) }
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]
        let json = String(decoding: try WorkerCoding.encoder.encode(StoredPageAnswer(png: Data(png))), as: UTF8.self)
        let command = IsolatedRecogniserTests.shell("read line; printf '%s\\n' \"$line\" > \"$1\"; printf '%s\\n' \"$0\"", [json, job])
        try await withStoredInvoice(command) { client, id in
            let answer = try await client.execute(uri: "/api/documents/\(id)/pages/1.png", method: .get)
            #expect(answer.status == .ok)
            #expect(answer.headers[.contentType] == "image/png")
            #expect(Array(answer.body.readableBytesView) == png)
            let sent = try WorkerCoding.decoder.decode(ReaderJob.self, from: Data(contentsOf: URL(fileURLWithPath: job)))
            guard case .storedPage(let page) = sent else { Issue.record("not a stored-page job: \(sent)"); return }
            #expect(page.page == StoredPageImage(documentID: id, page: 1, path: Self.invoice, dpi: 300, width: 2481, height: 3508))
            // Pages the archive does not have never reach a reader.
            #expect(try await client.execute(uri: "/api/documents/\(id)/pages/2.png", method: .get).status == .notFound)
        }
    }

    @Test func aCrashedReaderIs422NamingThePageAndTheNextRequestIsDrawn() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("reader-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let json = String(decoding: try WorkerCoding.encoder.encode(StoredPageAnswer(png: Data([1, 2]))), as: UTF8.self)
        let script = "read line; if [ ! -e \"$1\" ]; then touch \"$1\"; kill -SEGV $$; fi; printf '%s\\n' \"$0\"; "
            + "while read line; do printf '%s\\n' \"$0\"; done"
        try await withStoredInvoice(IsolatedRecogniserTests.shell(script, [json, marker])) { client, id in
            let crashed = try await client.execute(uri: "/api/documents/\(id)/pages/1.png", method: .get)
            #expect(crashed.status == .unprocessableContent)
            #expect(crashed.headers[.contentType] == "application/json; charset=utf-8")
            #expect(crashed.errorMessage == "document \(id) page 1: the reader process stopped while drawing this page "
                    + "(signal 11): a decoder crashed on it or reading it needs more than the 512 MiB each reader may use (--file-memory)")
            #expect(try await client.execute(uri: "/api/documents/\(id)/pages/1.png", method: .get).status == .ok)
        }
    }

    /// The crash above while another process holds the reader's output open (seen when a test
    /// started a program just as the reader's pipe was made): still a 422 at once, not a 504 at
    /// the deadline, since the reader's exit is watched as well as its pipe.
    @Test func aCrashedReaderWhosePipeIsHeldElsewhereIs422NotA504() async throws {
        let holder = FileManager.default.temporaryDirectory.appendingPathComponent("holder-\(UUID().uuidString)").path
        defer {
            if let pid = pid_t((try? String(contentsOfFile: holder, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") {
                kill(pid, SIGKILL)
            }
            try? FileManager.default.removeItem(atPath: holder)
        }
        let script = "read line; sleep 120 & echo $! > \"$0\"; kill -SEGV $$"
        try await withStoredInvoice(IsolatedRecogniserTests.shell(script, [holder])) { client, id in
            let crashed = try await client.execute(uri: "/api/documents/\(id)/pages/1.png", method: .get)
            #expect(crashed.status == .unprocessableContent)
            #expect(crashed.errorMessage?.contains("(signal 11)") == true)
        }
    }

    @Test func aReaderKilledOverItsMemoryIs422AndAHungOneIs504() async throws {
        try await withStoredInvoice(IsolatedRecogniserTests.shell("read line; kill -KILL $$")) { client, id in
            let killed = try await client.execute(uri: "/api/documents/\(id)/pages/1.png", method: .get)
            #expect(killed.status == .unprocessableContent)
            #expect(killed.errorMessage?.contains("(signal 9, perhaps out of memory)") == true)
        }
        try await withStoredInvoice(IsolatedRecogniserTests.shell("read line; exec sleep 60"), timeoutSeconds: 0.3) { client, id in
            let hung = try await client.execute(uri: "/api/documents/\(id)/pages/1.png", method: .get)
            #expect(hung.status == .gatewayTimeout)
            #expect(hung.errorMessage == "recognition took longer than the 0.3 s limit and was cancelled")
        }
    }

    @Test func theReadersOwnErrorsKeepTheirStatus() async throws {
        let command = try Self.answering(StoredPageAnswer(error: .notFound("document 1: its file changed since it was stored")))
        try await withStoredInvoice(command) { client, id in
            let answer = try await client.execute(uri: "/api/documents/\(id)/pages/1.png", method: .get)
            #expect(answer.status == .notFound)
            #expect(answer.errorMessage == "document 1: its file changed since it was stored")
        }
    }

    /// The real reader (see `IsolatedRecogniserTests.theRealReaderAnswersLikeTheInProcessOne`)
    /// draws the same PNG as the server itself would.
    @Test func theRealReaderDrawsWhatTheServerWould() async throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("docvault").path
        let command = WorkerCommand(executable: executable, arguments: [
            "read-worker", "--uploads", "--memory-limit", "2048",
            "--model", PipelineBackendTests.root.appendingPathComponent("Tests/CRNNTests/Fixtures").path])
        let page = StoredPageImage(documentID: 1, page: 1, path: Self.invoice, dpi: 300, width: 2481, height: 3508)
        let inProcess = try await InProcessPageRenderer().png(of: page)
        try await withStoredInvoice(command, timeoutSeconds: 600) { client, id in
            let answer = try await client.execute(uri: "/api/documents/\(id)/pages/1.png", method: .get)
            #expect(answer.status == .ok, "\(answer.text.prefix(300))")
            #expect(Array(answer.body.readableBytesView) == inProcess)
        }
    }
}
