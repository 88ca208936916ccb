@testable import ArchiveServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
@testable import OCRPipeline
import Testing

/// `IsolatedRecogniser` through the router, against small shell scripts standing in for
/// `docvault read-worker --uploads`: a reader that crashes, is killed, hangs or talks nonsense
/// costs that request a clear status and message, never the server, and the next request is read.
@Suite struct IsolatedRecogniserTests {
    static func shell(_ script: String, _ extra: [String] = []) -> WorkerCommand {
        WorkerCommand(executable: "/bin/sh", arguments: ["-c", script] + extra)
    }

    /// A worker that answers every job with `answer`.
    static func answering(_ answer: UploadAnswer) throws -> WorkerCommand {
        let json = String(decoding: try WorkerCoding.encoder.encode(answer), as: UTF8.self)
        return shell("while read line; do printf '%s\\n' \"$0\"; done", [json])
    }

    static let page = ReadDocument(path: "page.png", format: .png, pageCount: 1, pages: [
        ReadPage(result: OCRPage(page: 1, width: 800, height: 600, dpi: 300, source: "ocr",
                                 lines: [OCRLine(text: "Total 12.50", confidence: 0.9, bbox: [1, 2, 30, 12])]),
                 rotation: 0, skew: 0, characterConfidences: [[0.9]], timings: [:]),
    ], failures: [])

    func withIsolatedServer<Value: Sendable>(
        _ command: WorkerCommand, timeoutSeconds: Double = 30, graceSeconds: Double = 2,
        _ body: @Sendable @escaping (any TestClientProtocol, IsolatedRecogniser) async throws -> Value
    ) async throws -> Value {
        let recogniser = try IsolatedRecogniser(command: command, memoryLimitMiB: 512, graceSeconds: graceSeconds)
        var logger = Logger(label: "IsolatedRecogniserTests")
        logger.logLevel = .critical
        let app = try buildApplication(configuration: ServerConfiguration(workers: 2, timeoutSeconds: timeoutSeconds),
                                       recogniser: recogniser, archive: FakeArchive(), logger: logger)
        return try await app.test(.router) { client in try await body(client, recogniser) }
    }

    @Test func theReadersAnswerComesBackAndItsScratchFileIsGone() async throws {
        let command = try Self.answering(UploadAnswer(document: Self.page, failures: ["page 2: an image could not be drawn"]))
        try await withIsolatedServer(command) { client, recogniser in
            for _ in 0..<2 {
                let answer = try await postImage(client)
                #expect(answer.status == .ok, "\(answer.text)")
                let json = try answer.json()
                #expect(json["text"] as? [String] == ["Total 12.50"])
                #expect(json["failures"] as? [String] == ["page 2: an image could not be drawn"])
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: recogniser.scratchFolder).isEmpty)
        }
    }

    @Test func aCrashedReaderIs422NamingTheFileAndTheNextRequestIsRead() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("reader-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: marker) }
        let json = String(decoding: try WorkerCoding.encoder.encode(UploadAnswer(document: Self.page)), as: UTF8.self)
        // First reader: killed by SIGSEGV on its first upload. Its replacement answers.
        let script = "read line; if [ ! -e \"$1\" ]; then touch \"$1\"; kill -SEGV $$; fi; printf '%s\\n' \"$0\"; "
            + "while read line; do printf '%s\\n' \"$0\"; done"
        try await withIsolatedServer(Self.shell(script, [json, marker])) { client, _ in
            let crashed = try await postImage(client)
            #expect(crashed.status == .unprocessableContent)
            #expect(crashed.errorMessage == "page.png: the reader process stopped on this file (signal 11): a decoder crashed "
                    + "on it or reading it needs more than the 512 MiB each reader may use (--file-memory)")
            #expect(try await postImage(client).status == .ok)
        }
    }

    @Test func aReaderKilledFromOutsideIsReportedAsPerhapsOutOfMemory() async throws {
        try await withIsolatedServer(Self.shell("read line; kill -KILL $$")) { client, _ in
            let killed = try await postImage(client)
            #expect(killed.status == .unprocessableContent)
            #expect(killed.errorMessage?.contains("(signal 9, perhaps out of memory)") == true)
        }
    }

    @Test func aHungReaderIsKilledAtTheDeadlineAndFreesItsSlot() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("reader-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: marker) }
        // The pid goes to disk before the request is read: on a loaded machine the 0.3 s deadline
        // could kill the reader between `read` and `echo`, leaving no marker to check.
        let hung = Self.shell("echo $$ > \"$0\"; read line; exec sleep 60", [marker])
        try await withIsolatedServer(hung, timeoutSeconds: 0.3) { client, _ in
            let answer = try await postImage(client)
            #expect(answer.status == .gatewayTimeout)
            #expect(answer.errorMessage == "recognition took longer than the 0.3 s limit and was cancelled")
            // Killed, not left to sleep out its minute. (No bound on the time since the request
            // began: in a full test run other suites can hold Swift's pool, and so the deadline
            // timer, for a while; the reader thread's own clock kills it 2 s past the deadline.)
            // On a loaded machine the shell may only now write its pid: wait for it a while.
            var written: Int32?
            for _ in 0..<250 where written == nil {
                written = (try? String(contentsOfFile: marker, encoding: .utf8))
                    .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
                if written == nil { try await Task.sleep(for: .milliseconds(20)) }
            }
            // No pid after 5 s: the deadline killed the shell before its `echo` (a start slower than
            // 0.3 s); the answer above already says it was cancelled.
            if let pid = written {
                var alive = true
                for _ in 0..<500 where alive {
                    alive = kill(pid, 0) == 0
                    if alive { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(!alive)
            }
            var running = -1
            for _ in 0..<500 where running != 0 {
                let load = try await client.execute(uri: "/healthz", method: .get).json()["load"] as? [String: Int]
                running = load?["running"] ?? -1
                if running != 0 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(running == 0)
        }
    }

    @Test func clientErrorsFromTheReaderKeepTheirStatus() async throws {
        let command = try Self.answering(UploadAnswer(error: .tooLarge("page.png: page 1 is 90000×90000 pixels")))
        try await withIsolatedServer(command) { client, _ in
            let answer = try await postImage(client)
            #expect(answer.status == .contentTooLarge)
            #expect(answer.errorMessage == "page.png: page 1 is 90000×90000 pixels")
        }
    }

    @Test func nonsenseAndInternalFailuresAre500WithoutDetails() async throws {
        for script in ["while read line; do echo 'not json'; done",
                       #"while read line; do echo '{"internalError":"/srv/secret/path: EIO"}'; done"#] {
            try await withIsolatedServer(Self.shell(script)) { client, _ in
                let answer = try await postImage(client)
                #expect(answer.status == .internalServerError)
                #expect(answer.errorMessage == "internal error (see the server log)")
            }
        }
    }

    /// The real reader: the `docvault` executable `swift build` put beside this test bundle (as
    /// the kill test uses; scripts/test builds it first) with the small fixture model.
    @Test func theRealReaderAnswersLikeTheInProcessOne() async throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("docvault").path
        let root = PipelineBackendTests.root
        let command = WorkerCommand(executable: executable, arguments: [
            "read-worker", "--uploads", "--memory-limit", "2048",
            "--model", root.appendingPathComponent("Tests/CRNNTests/Fixtures").path])
        try await withIsolatedServer(command, timeoutSeconds: 600) { client, _ in
            let invoice = multipartBody([MultipartFile(filename: "invoice-en.pdf", bytes: try PipelineBackendTests.example("invoice-en.pdf"))])
            let read = try await client.execute(uri: "/api/ocr", method: .post, headers: multipartHeaders(), body: invoice)
            #expect(read.status == .ok, "\(read.text)")
            #expect((try read.json()["text"] as? [String])?.contains("Northwind Office Supplies Ltd") == true)
            let encrypted = Array(try Data(contentsOf: root.appendingPathComponent("Tests/PageImageTests/Fixtures/encrypted.pdf")))
            let locked = try await client.execute(uri: "/api/ocr", method: .post, headers: multipartHeaders(),
                                                  body: multipartBody([MultipartFile(filename: "locked.pdf", bytes: encrypted)]))
            #expect(locked.status == .badRequest)
            #expect(locked.errorMessage == "locked.pdf: encrypted PDF (password required)")
        }
    }

    @Test func aMissingReaderExecutableIs500() async throws {
        let command = WorkerCommand(executable: "/nonexistent/docvault", arguments: [])
        try await withIsolatedServer(command) { client, _ in
            let answer = try await postImage(client)
            #expect(answer.status == .internalServerError)
        }
    }
}
