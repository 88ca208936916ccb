import Foundation
import GRDB

public enum ArchiveError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(database: String, reason: String)
    case migrationFailed(database: String, reason: String)
    case invalidDocument(path: String, reason: String)
    case documentNotFound(reference: String)
    case databaseFailure(database: String, reason: String)
    case cannotWrite(reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let database, let reason): "\(database): cannot open the archive: \(reason)"
        case .migrationFailed(let database, let reason): "\(database): cannot migrate the archive: \(reason)"
        case .invalidDocument(let path, let reason): "\(path): not stored: \(reason)"
        case .documentNotFound(let reference): "\(reference): no such document in the archive"
        case .databaseFailure(let database, let reason): "\(database): \(reason)"
        case .cannotWrite(let reason): "cannot write the export: \(reason)"
        }
    }
}

/// The archive database: one SQLite file in WAL mode behind one `DatabasePool`.
/// Readers never block the writer and the other way round; writers wait (busy timeout)
/// instead of failing with "database is locked". Safe to share between threads.
public final class Archive: Sendable {
    public let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) the archive at `path` and applies pending migrations.
    public init(path: String, busyTimeout: TimeInterval = 30) throws {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // Every connection needs the tokenizer: lines_fts cannot be read or written without it.
            db.add(tokenizer: ArchiveTokenizer.self)
            try LineRank.register(db)
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw ArchiveError.cannotOpen(database: path, reason: Self.reason(error))
        }
        do {
            try Self.migrator.migrate(pool)
        } catch {
            throw ArchiveError.migrationFailed(database: path, reason: Self.reason(error))
        }
    }

    /// Every migrations/NNNN_name.sql, embedded at build time, registered in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in EmbeddedMigrations.all {
            migrator.registerMigration(migration.name) { db in
                try db.execute(sql: migration.sql)
            }
        }
        return migrator
    }

    /// Names of the migrations applied to this database, in order.
    public func appliedMigrations() throws -> [String] {
        try read { db in try Self.migrator.appliedMigrations(db) }
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.read(body)
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw ArchiveError.databaseFailure(database: path, reason: Self.reason(error))
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try pool.write(body)
        } catch let error as ArchiveError {
            throw error
        } catch {
            throw ArchiveError.databaseFailure(database: path, reason: Self.reason(error))
        }
    }
}

extension Archive {
    /// Merges the full-text index into one segment and folds the WAL into the database file:
    /// worth running after a large ingest (queries then read one b-tree per token).
    public func optimize() throws {
        try write { db in
            try db.execute(sql: "INSERT INTO lines_fts(lines_fts) VALUES ('optimize')")
        }
        do {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch {
            throw ArchiveError.databaseFailure(database: path, reason: Self.reason(error))
        }
    }
}
