import Foundation
import Testing
@testable import OCRPipeline

/// The parent side of isolated reading, against small shell scripts standing in for
/// `docvault read-worker`: a worker that crashes, hangs or fails costs one file, never the caller.
@Suite struct WorkerReaderTests {
    static func shell(_ script: String, _ extra: [String] = [], grace: Double = 0.5) -> WorkerCommand {
        WorkerCommand(executable: "/bin/sh", arguments: ["-c", script] + extra, grace: grace)
    }

    static let sample = ReadDocument(path: "/x/a.png", format: .png, pageCount: 1, pages: [
        ReadPage(result: OCRPage(page: 1, width: 10, height: 5, dpi: 300, source: "ocr",
                                 lines: [OCRLine(text: "发票 1,234.50", confidence: 0.9, bbox: [0, 0, 9, 4])]),
                 rotation: 0, skew: 0, characterConfidences: [[0.9, 0.8]], timings: ["render": 0.1]),
    ], failures: [])

    @Test func aDocumentComesBackWhole() throws {
        let json = String(decoding: try WorkerCoding.encoder.encode(WorkerReply(document: Self.sample, failure: nil)), as: UTF8.self)
        let reader = WorkerReader(command: Self.shell("while read line; do printf '%s\\n' \"$0\"; done", [json]), limit: 5)
        let read = try reader.read(path: "/x/a.png")
        #expect(read.result == Self.sample.result)
        #expect(read.pages.first?.characterConfidences == [[0.9, 0.8]])
        // The same worker answers the next file too.
        #expect(try reader.read(path: "/x/b.png").pageCount == 1)
        reader.finish()
    }

    @Test func theWorkersReasonIsPassedOn() {
        let reader = WorkerReader(command: Self.shell(#"while read line; do echo '{"failure":"corrupt or truncated: bad"}'; done"#), limit: 5)
        #expect(throws: WorkerFailure(reason: "corrupt or truncated: bad")) { try reader.read(path: "/x/a.pdf") }
    }

    @Test func aCrashCostsOneFileAndTheNextFileGetsANewWorker() throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: marker) }
        // First worker: killed by SIGSEGV on its first file. Second: answers.
        let json = String(decoding: try WorkerCoding.encoder.encode(WorkerReply(document: Self.sample, failure: nil)), as: UTF8.self)
        let script = "read line; if [ ! -e \"$1\" ]; then touch \"$1\"; kill -SEGV $$; fi; printf '%s\\n' \"$0\"; while read line; do printf '%s\\n' \"$0\"; done"
        let reader = WorkerReader(command: Self.shell(script, [json, marker]), limit: 5)
        #expect {
            try reader.read(path: "/x/bomb.pdf")
        } throws: { error in
            (error as? WorkerFailure)?.reason == "the reader crashed on this file (signal 11)"
        }
        #expect(try reader.read(path: "/x/good.pdf").pageCount == 1)
    }

    @Test func aWorkerPastTheLimitIsKilledAndTheFileTimesOut() {
        let reader = WorkerReader(command: Self.shell("read line; exec sleep 30", grace: 0.2), limit: 0.2)
        let started = Date()
        #expect(throws: PipelineError.timedOut(path: "/x/slow.pdf", seconds: 0.2)) { try reader.read(path: "/x/slow.pdf") }
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func nonsenseIsAFailureNotACrash() {
        let reader = WorkerReader(command: Self.shell("while read line; do echo 'not json'; done"), limit: 5)
        #expect(throws: WorkerFailure(reason: "the reader answered something unreadable")) { try reader.read(path: "/x/a.tif") }
    }

    @Test func aMissingExecutableIsReported() {
        let reader = WorkerReader(command: WorkerCommand(executable: "/nonexistent/docvault", arguments: []), limit: 5)
        #expect(throws: WorkerFailure.self) { try reader.read(path: "/x/a.tif") }
    }
}
