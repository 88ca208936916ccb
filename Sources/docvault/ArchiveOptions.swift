import ArchiveStore
import ArgumentParser
import Foundation

/// `--db`: the archive file, shared by every command that uses one.
struct ArchiveOptions: ParsableArguments {
    @Option(name: .long, help: "The archive database (default: $DOCVAULT_DB, else ./docvault.sqlite).")
    var db: String?

    var path: String {
        if let db { return db }
        if let fromEnvironment = ProcessInfo.processInfo.environment["DOCVAULT_DB"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "docvault.sqlite"
    }

    /// Opens the archive; read-only commands refuse to create one where none exists.
    func open(creating: Bool = false) throws -> Archive {
        if !creating && !FileManager.default.fileExists(atPath: path) {
            CommandFailure.report("\(path): no archive here (run `docvault ingest` first or pass --db)")
            throw ExitCode(1)
        }
        return try CommandFailure.exitOnError { try Archive(path: path) }
    }
}

/// `--model`: the recogniser's weights directory.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "Weights directory holding crnn.safetensors and charset.txt (default: $DOCVAULT_MODEL, else weights/ found upwards from the executable or the working directory).")
    var model: String?
}

/// Pretty, stable JSON for `--json` output.
enum JSONOutput {
    static func encoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                                          : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }

    static func print<T: Encodable>(_ value: T, pretty: Bool = true) throws {
        let data = try encoder(pretty: pretty).encode(value)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

/// `--file-memory` of `ingest` and `serve`: MiB of address space per reader process.
enum FileMemoryLimit {
    /// Under ~500 MiB a reader's OpenBLAS cannot get its sgemm buffers and retries forever instead
    /// of failing, so a smaller cap would turn every file into a timeout.
    static let minimumMiB = 512

    static func validate(_ mib: Int) throws {
        guard mib == 0 || mib >= minimumMiB else {
            throw ValidationError("--file-memory must be 0 (no limit) or at least \(minimumMiB) MiB")
        }
    }
}
