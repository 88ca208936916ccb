import ArchiveStore
import ArgumentParser
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the archive's lines (or what a query finds) as CSV, JSON or JSON Lines.")

    @OptionGroup var archive: ArchiveOptions

    @Option(help: "csv, json or jsonl.")
    var format: String = "csv"

    @Option(help: "Export only the lines this search finds.")
    var query: String?

    @Option(help: "Output file (default: standard output).")
    var out: String?

    @Flag(help: "CSV for Excel: a byte-order mark and CRLF line ends, so Chinese opens intact.")
    var excel = false

    func validate() throws {
        guard ["csv", "json", "jsonl"].contains(format) else { throw ValidationError("--format must be csv, json or jsonl") }
        if excel && format != "csv" { throw ValidationError("--excel applies to --format csv only") }
    }

    func run() throws {
        let store = try archive.open()
        let kind: ExportFormat = switch format {
        case "json": .json
        case "jsonl": .jsonl
        default: .csv(excel: excel)
        }
        // Write to a temporary file and move it into place, so a failed export never leaves half a file.
        let destination = out
        let target: FileHandle
        var temporary: String?
        if let destination {
            let partial = destination + ".partial-\(getpid())"
            guard FileManager.default.createFile(atPath: partial, contents: nil),
                  let handle = FileHandle(forWritingAtPath: partial) else {
                CommandFailure.report("\(destination): cannot write here")
                throw ExitCode(1)
            }
            target = handle
            temporary = partial
        } else {
            target = FileHandle.standardOutput
        }
        do {
            let count = try store.export(kind, query: query, to: target)
            if let temporary, let destination {
                try target.close()
                _ = try? FileManager.default.removeItem(atPath: destination)
                try FileManager.default.moveItem(atPath: temporary, toPath: destination)
                FileHandle.standardError.write(Data("exported \(count) line(s) to \(destination)\n".utf8))
            }
        } catch {
            if let temporary { try? FileManager.default.removeItem(atPath: temporary) }
            CommandFailure.report(error)
            throw ExitCode(1)
        }
    }
}
