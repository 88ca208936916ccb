import Foundation
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

    @Test func theDatabaseIsInWALMode() throws {
        let temporary = try TemporaryArchive()
        let mode = try temporary.archive.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }
}
