import ArchiveStore
import ArgumentParser
import Foundation
import OCRPipeline

/// Runs `body`, printing archive errors as one line and exiting 1.
private func reporting<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ExitCode {
        throw error
    } catch {
        CommandFailure.report(error)
        throw ExitCode(1)
    }
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print a stored document's pages and lines.")

    @Argument(help: "The document: id, path or content hash (or a unique prefix of it).")
    var doc: String

    @OptionGroup var archive: ArchiveOptions

    @Flag(help: "Print the evaluation corpus's truth format.")
    var json = false

    func run() throws {
        let store = try archive.open()
        try reporting {
            let content = try store.content(ofDocument: try store.document(matching: doc).id)
            if json { return try JSONOutput.print(OCRDocument(content)) }
            let document = content.document
            print("#\(document.id) \(document.path)")
            print("  \(document.kind.rawValue), \(document.pageCount) page(s), \(document.status.rawValue), sha256 \(document.sha256)")
            if let error = document.error { print("  error: \(CommandFailure.oneLine(error))") }
            for page in content.pages {
                print("\n  page \(page.page.number)  \(page.page.width)x\(page.page.height) px at \(formatDPI(page.page.dpi)) dpi, \(page.page.source.rawValue)")
                for line in page.lines {
                    print(String(format: "    %3d  %.2f  ", line.number, line.confidence) + CommandFailure.oneLine(line.text))
                }
            }
        }
    }
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the stored documents.")

    @OptionGroup var archive: ArchiveOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let store = try archive.open()
        try reporting {
            let documents = try store.documents()
            if json { return try JSONOutput.print(documents) }
            for document in documents {
                var line = "\(document.id)\t\(document.status.rawValue)\t\(document.kind.rawValue)\t\(document.pageCount)p\t"
                line += CommandFailure.oneLine(document.path)
                if let error = document.error { line += "\t" + CommandFailure.oneLine(error) }
                print(line)
            }
        }
    }
}

struct StatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Counts of documents, pages and lines.")

    @OptionGroup var archive: ArchiveOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let store = try archive.open()
        try reporting {
            let stats = try store.stats()
            if json { return try JSONOutput.print(stats) }
            let statuses = stats.documentsByStatus.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            let sources = stats.pagesBySource.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            print("documents: \(stats.documents) (\(statuses.joined(separator: ", ")))")
            print("pages:     \(stats.pages) (\(sources.joined(separator: ", ")))")
            print("lines:     \(stats.lines)")
            print(String(format: "database:  %.1f MB (%@)", Double(stats.databaseBytes) / 1e6, archive.path))
        }
    }
}

struct RemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove a document from the archive.")

    @Argument(help: "The document: id, path or content hash.")
    var doc: String

    @OptionGroup var archive: ArchiveOptions

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let store = try archive.open()
        try reporting {
            let document = try store.document(matching: doc)
            try store.remove(documentID: document.id)
            if json { return try JSONOutput.print(["removed": document.id]) }
            print("removed #\(document.id) \(document.path)")
        }
    }
}
