import Foundation
import GRDB
import Testing
@testable import ArchiveStore
import TestSupport

/// `docvault ingest` killed with SIGKILL at several moments (a real child process, the real
/// model): the database stays consistent, no document is half-stored, and a re-run finishes.
@Suite(.serialized) struct KillTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The `docvault` executable that `swift build` put beside this test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("docvault")
    }

    /// Copies of the examples that need OCR, each made distinct by bytes after its end marker.
    static func makeInbox(_ dir: URL) throws -> Int {
        let sources = ["receipt-photo.jpg", "fapiao-zh.pdf"]
        var count = 0
        for copy in 0..<2 {
            for name in sources {
                var data = try Data(contentsOf: repo.appendingPathComponent("examples/\(name)"))
                data.append(contentsOf: Array("copy \(copy)\n".utf8))
                try data.write(to: dir.appendingPathComponent("\(copy)-\(name)"))
                count += 1
            }
        }
        return count
    }

    static func ingest(_ inbox: URL, db: URL, killAfter seconds: Double?) throws -> Int32 {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["ingest", "--db", db.path, "--jobs", "1", "--text-layer", "ocr",
                             "--model", repo.appendingPathComponent("weights").path, inbox.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        if let seconds {
            Thread.sleep(forTimeInterval: seconds)
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Integrity, and every stored document has all the pages it claims, each with its lines.
    static func check(_ db: URL) throws -> (documents: Int, complete: Int) {
        let archive = try Archive(path: db.path)
        return try archive.write { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            try db.execute(sql: "INSERT INTO lines_fts(lines_fts) VALUES ('integrity-check')")
            let short = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM documents d WHERE d.status = 'complete' AND d.page_count !=
                    (SELECT count(*) FROM pages p WHERE p.document_id = d.id)
                """)
            #expect(short == 0, "documents stored without all their pages")
            let empty = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM pages p WHERE p.source = 'ocr'
                    AND NOT EXISTS (SELECT 1 FROM lines l WHERE l.page_id = p.id)
                """)
            #expect(empty == 0, "pages stored without their lines")
            let documents = try Int.fetchOne(db, sql: "SELECT count(*) FROM documents") ?? -1
            let complete = try Int.fetchOne(db, sql: "SELECT count(*) FROM documents WHERE status = 'complete'") ?? -1
            return (documents, complete)
        }
    }

    @Test func killedIngestLeavesNoHalfStoredDocumentAndReRunFinishes() async throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable.path) else {
            Issue.record("\(Self.executable.path) is missing: run `swift build` before `swift test`")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("docvault-kill-\(UUID())")
        let inbox = dir.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let files = try Self.makeInbox(inbox)
        let db = dir.appendingPathComponent("archive.sqlite")
        var stored: [Int] = []
        for delay in [0.5, 1.2, 2.2] {
            // Each run waits seconds for its child: off the pool (see `offPool`).
            _ = try await offPool { try Self.ingest(inbox, db: db, killAfter: delay) }
            if FileManager.default.fileExists(atPath: db.path) {
                stored.append(try Self.check(db).complete)
            }
        }
        #expect(stored == stored.sorted(), "a kill lost documents stored before it: \(stored)")
        #expect(try await offPool { try Self.ingest(inbox, db: db, killAfter: nil) } == 0)
        let final = try Self.check(db)
        #expect(final.documents == files && final.complete == files)
    }
}
