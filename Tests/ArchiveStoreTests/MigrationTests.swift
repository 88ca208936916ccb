import Foundation
import GRDB
import Testing
@testable import ArchiveStore

@Suite struct MigrationTests {
    /// migrations/ at the repository root, found from this file (tests only; the binary embeds them).
    static let migrationsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("migrations")

    @Test func embeddedMigrationsMatchTheFiles() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.migrationsDirectory.path)
            .filter { $0.hasSuffix(".sql") }.sorted()
        #expect(!files.isEmpty)
        #expect(EmbeddedMigrations.all.map(\.name) == files.map { String($0.dropLast(4)) },
                "run scripts/embed-migrations")
        for (file, embedded) in zip(files, EmbeddedMigrations.all) {
            var sql = try String(contentsOf: Self.migrationsDirectory.appendingPathComponent(file), encoding: .utf8)
            if sql.hasSuffix("\n") { sql.removeLast() }
            #expect(embedded.sql == sql, "\(file) differs from its embedded copy: run scripts/embed-migrations")
        }
    }

    @Test func migrationNamesAreNumberedInOrder() {
        let names = EmbeddedMigrations.all.map(\.name)
        for (index, name) in names.enumerated() {
            #expect(name.hasPrefix(String(format: "%04d_", index + 1)), "\(name) out of sequence")
        }
    }

    @Test func openingAppliesEveryMigrationOnceAndReopens() throws {
        let temporary = try TemporaryArchive()
        #expect(try temporary.archive.appliedMigrations() == EmbeddedMigrations.all.map(\.name))
        let again = try Archive(path: temporary.archive.path)
        #expect(try again.appliedMigrations() == EmbeddedMigrations.all.map(\.name))
    }

    /// An archive made before the prefix indexes (0001 only) keeps its lines searchable after
    /// 0002 recreates and rebuilds the index.
    @Test func upgradingFromTheFirstSchemaRebuildsTheIndex() throws {
        let temporary = try TemporaryArchive()
        let path = temporary.directory.appendingPathComponent("old.sqlite").path
        var configuration = Configuration()
        configuration.prepareDatabase { db in db.add(tokenizer: ArchiveTokenizer.self) }
        let old = try DatabaseQueue(path: path, configuration: configuration)
        try Archive.migrator.migrate(old, upTo: "0001_initial")
        try old.write { db in
            try db.execute(sql: """
                INSERT INTO documents (id, path, size, mtime, sha256, kind, page_count, status, ingested_at)
                VALUES (1, '/old.png', 1, 0, ?, 'png', 1, 'complete', 0);
                INSERT INTO pages (id, document_id, number, width, height, dpi, source) VALUES (1, 1, 1, 10, 10, 300, 'ocr');
                INSERT INTO lines (page_id, number, x0, y0, x1, y1, text, confidence)
                VALUES (1, 1, 0, 0, 5, 5, 'Invoice 发票 1,234.50', 0.9);
                """, arguments: [fakeHash("old")])
        }
        try old.close()
        let archive = try Archive(path: path)
        #expect(try archive.appliedMigrations() == EmbeddedMigrations.all.map(\.name))
        for query in ["发票", "inv*", "1234.50", "invoic*"] {
            #expect(try archive.search(query).documents.map(\.document.path) == ["/old.png"], "\(query)")
        }
        try archive.store(document: makeDocument("new", pages: [["发票 new"]]))
        #expect(try archive.search("发票").documents.count == 2)
    }

    @Test func theDatabaseIsInWALMode() throws {
        let temporary = try TemporaryArchive()
        let mode = try temporary.archive.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }
}
