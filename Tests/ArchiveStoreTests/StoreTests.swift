import Foundation
import GRDB
import Testing
@testable import ArchiveStore

extension Archive {
    /// Rows in each table and the FTS index's own consistency check, for tests.
    func tableCounts() throws -> [String: Int] {
        try write { db in
            try db.execute(sql: "INSERT INTO lines_fts(lines_fts) VALUES ('integrity-check')")
            var counts: [String: Int] = [:]
            for table in ["documents", "pages", "lines"] {
                counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)")
            }
            counts["integrity"] = try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok" ? 1 : 0
            return counts
        }
    }
}

@Suite struct StoreTests {
    @Test func storedDocumentReadsBackInOrder() throws {
        let temporary = try TemporaryArchive()
        let new = makeDocument("a.pdf", pages: [["第一行", "second line"], ["第二页"]], confidence: 0.8, kind: .pdf)
        let stored = try temporary.archive.store(document: new)
        #expect(try temporary.archive.document(withHash: new.sha256) == stored)
        #expect(stored.pageCount == 2 && stored.kind == .pdf && stored.status == .complete)
        #expect(stored.timings == ["total": 1.5])
        let content = try temporary.archive.content(ofDocument: stored.id)
        #expect(content.pages.map(\.page.number) == [1, 2])
        #expect(content.pages[0].lines.map(\.text) == ["第一行", "second line"])
        #expect(content.pages[0].lines.map(\.number) == [1, 2])
        #expect(content.pages[0].page.dpi == 300 && content.pages[0].page.source == .ocr)
        let line = content.pages[0].lines[1]
        #expect(line.box == LineBox(x0: 100, y0: 160, x1: 1200, y1: 200))
        #expect(line.characterConfidences.count == "second line".count)
        #expect(line.characterConfidences.allSatisfy { abs($0 - 0.8) <= 1.0 / 255 })
    }

    @Test func aFailureMidStoreLeavesNothing() throws {
        let temporary = try TemporaryArchive()
        var broken = makeDocument("broken.png", pages: [["发票 one"], ["发票 two"]])
        broken.pages[1].rotation = 45  // rejected by the schema after page 1 and its lines went in
        #expect(throws: ArchiveError.self) { try temporary.archive.store(document: broken) }
        #expect(try temporary.archive.tableCounts() == ["documents": 0, "pages": 0, "lines": 0, "integrity": 1])
        #expect(try temporary.archive.search("发票").documents.isEmpty)
    }

    @Test func aFailedReplacementKeepsTheOldDocument() throws {
        let temporary = try TemporaryArchive()
        let old = makeDocument("same.png", pages: [["old text"]])
        try temporary.archive.store(document: old)
        var changed = makeDocument("changed", pages: [["new text"], ["more"]])
        changed.path = old.path
        changed.pages[1].rotation = 7
        #expect(throws: ArchiveError.self) { try temporary.archive.store(document: changed) }
        #expect(try temporary.archive.documents().map(\.sha256) == [old.sha256])
        #expect(try temporary.archive.search("old").documents.count == 1)
    }

    @Test func changedContentAtTheSamePathReplaces() throws {
        let temporary = try TemporaryArchive()
        let first = makeDocument("v1", pages: [["旧的内容 alpha"]])
        try temporary.archive.store(document: first)
        var second = makeDocument("v2", pages: [["新的内容 beta"]])
        second.path = first.path
        try temporary.archive.store(document: second)
        #expect(try temporary.archive.documents().map(\.sha256) == [second.sha256])
        #expect(try temporary.archive.search("alpha").documents.isEmpty)
        #expect(try temporary.archive.search("旧").documents.isEmpty)
        #expect(try temporary.archive.search("新的").documents.count == 1)
        #expect(try temporary.archive.tableCounts()["lines"] == 1)
    }

    @Test func sameContentStoredTwiceIsOneDocument() throws {
        let temporary = try TemporaryArchive()
        let document = makeDocument("twice", pages: [["line"]])
        try temporary.archive.store(document: document)
        try temporary.archive.store(document: document)
        #expect(try temporary.archive.tableCounts() == ["documents": 1, "pages": 1, "lines": 1, "integrity": 1])
    }

    @Test func aMovedFileKeepsItsDocument() throws {
        let temporary = try TemporaryArchive()
        let stored = try temporary.archive.store(document: makeDocument("moved", pages: [["发票 moved"]]))
        try temporary.archive.updatePath(documentID: stored.id, to: "/elsewhere/moved.png")
        let hit = try #require(try temporary.archive.search("moved").documents.first)
        #expect(hit.document.id == stored.id && hit.document.path == "/elsewhere/moved.png")
        #expect(throws: ArchiveError.documentNotFound(reference: "999")) {
            try temporary.archive.updatePath(documentID: 999, to: "/x")
        }
    }

    @Test func removeTakesPagesLinesAndIndexEntries() throws {
        let temporary = try TemporaryArchive()
        let keep = try temporary.archive.store(document: makeDocument("keep", pages: [["发票 keep"]]))
        let gone = try temporary.archive.store(document: makeDocument("gone", pages: [["发票 gone"], ["x"]]))
        try temporary.archive.remove(documentID: gone.id)
        #expect(try temporary.archive.tableCounts() == ["documents": 1, "pages": 1, "lines": 1, "integrity": 1])
        #expect(try temporary.archive.search("发票").documents.map(\.document.id) == [keep.id])
        #expect(throws: ArchiveError.documentNotFound(reference: String(gone.id))) {
            try temporary.archive.remove(documentID: gone.id)
        }
    }

    @Test func documentsAreFoundByIdHashPrefixOrPath() throws {
        let temporary = try TemporaryArchive()
        let stored = try temporary.archive.store(document: makeDocument("find-me.png", pages: [["x"]]))
        #expect(try temporary.archive.document(matching: String(stored.id)) == stored)
        #expect(try temporary.archive.document(matching: stored.sha256) == stored)
        #expect(try temporary.archive.document(matching: String(stored.sha256.prefix(10)).uppercased()) == stored)
        #expect(try temporary.archive.document(matching: "/archive/find-me.png") == stored)
        #expect(throws: ArchiveError.documentNotFound(reference: "nope")) {
            try temporary.archive.document(matching: "nope")
        }
    }

    @Test func invalidHashIsRejectedWithThePath() throws {
        let temporary = try TemporaryArchive()
        var document = makeDocument("bad", pages: [])
        document.sha256 = "xyz"
        #expect(throws: ArchiveError.self) { try temporary.archive.store(document: document) }
    }

    @Test func statsCountEverything() throws {
        let temporary = try TemporaryArchive()
        try temporary.archive.store(document: makeDocument("one", pages: [["a", "b"], ["c"]]))
        var failed = makeDocument("two", pages: [])
        failed.status = .failed
        failed.error = "not a PDF"
        try temporary.archive.store(document: failed)
        let stats = try temporary.archive.stats()
        #expect(stats.documents == 2 && stats.pages == 2 && stats.lines == 3)
        #expect(stats.documentsByStatus == ["complete": 1, "failed": 1])
        #expect(stats.pagesBySource == ["ocr": 2])
        #expect(stats.databaseBytes > 0)
    }

    @Test func concurrentWritersAndReadersDoNotSeeLockErrors() throws {
        let temporary = try TemporaryArchive()
        let second = try Archive(path: temporary.archive.path)  // another pool on the same file
        let archives = [temporary.archive, second]
        let failures = LockedCount()
        DispatchQueue.concurrentPerform(iterations: 16) { index in
            do {
                let archive = archives[index % 2]
                try archive.store(document: makeDocument("doc\(index)", pages: [["发票 \(index)", "line"]]))
                _ = try archive.search("发票")
                _ = try archive.stats()
            } catch {
                failures.add()
            }
        }
        #expect(failures.value == 0)
        #expect(try temporary.archive.tableCounts()["documents"] == 16)
    }
}

final class LockedCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}
