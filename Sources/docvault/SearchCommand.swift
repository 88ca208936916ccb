import ArchiveStore
import ArgumentParser
import Foundation

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Find documents by what is written in them (Chinese and English; \"phrases\", OR, NOT, prefix*).")

    @Argument(help: "The query; several words are all required.")
    var query: [String]

    @OptionGroup var archive: ArchiveOptions

    @Option(help: "Documents shown at most.")
    var limit: Int = 20

    @Option(name: .customLong("min-confidence"), help: "Only lines recognised with at least this confidence (0-1).")
    var minConfidence: Double?

    @Option(help: "Only this document (id, path or content hash).")
    var doc: String?

    @Option(help: "Only documents ingested on or after this date (YYYY-MM-DD).")
    var since: String?

    @Flag(help: "Print JSON (highlights as character offsets).")
    var json = false

    func validate() throws {
        guard !query.joined().trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("give a query") }
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit must be between 1 and 10000") }
        if let minConfidence, !(0...1).contains(minConfidence) {
            throw ValidationError("--min-confidence must be between 0 and 1")
        }
        if let since, Self.date(since) == nil { throw ValidationError("--since must be a date like 2024-05-12") }
    }

    static func date(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.date(from: text)
    }

    func run() throws {
        let store = try archive.open()
        do {
            var options = SearchOptions(limit: limit, minConfidence: minConfidence, since: since.flatMap(Self.date))
            if let doc { options.documentID = try store.document(matching: doc).id }
            let started = Date()
            let results = try store.search(query.joined(separator: " "), options: options)
            let elapsed = Date().timeIntervalSince(started)
            if json {
                try JSONOutput.print(results)
                return
            }
            printResults(results, elapsed: elapsed)
        } catch let error as ExitCode {
            throw error
        } catch {
            CommandFailure.report(error)
            throw ExitCode(1)
        }
    }

    private func printResults(_ results: SearchResults, elapsed: Double) {
        let bold = isatty(STDOUT_FILENO) == 1
        let (open, close) = bold ? ("\u{1B}[1m", "\u{1B}[0m") : ("[", "]")
        let lines = results.documents.reduce(0) { $0 + $1.matchingLines }
        var header = "\(results.documents.count) document(s), \(lines) matching line(s) for “\(results.query)”"
        header += String(format: " in %.1f ms", elapsed * 1000)
        if results.isFuzzy { header += " (no exact match; showing near matches)" }
        print(header)
        for hit in results.documents {
            print("\n\(hit.document.path)  (#\(hit.document.id), \(hit.matchingLines) line(s))")
            for line in hit.lines {
                let box = line.box
                print(String(format: "  p.%d l.%d  conf %.2f  [%d,%d,%d,%d]  ", line.pageNumber, line.lineNumber,
                             line.confidence, box.x0, box.y0, box.x1, box.y1)
                      + CommandFailure.oneLine(line.snippet.marked(open: open, close: close)))
            }
        }
    }
}
