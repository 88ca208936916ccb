import ArgumentParser
import Foundation
import PageImage

struct PagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pages",
        abstract: "List the pages of documents: count, pixel sizes, dpi and whether a text layer exists.")

    @Argument(help: "Documents to inspect (PDF, PNG, JPEG, TIFF).")
    var files: [String]

    @OptionGroup var render: RenderOptions

    @Flag(help: "One JSON object per document, one per line.")
    var json = false

    struct Summary: Codable {
        struct Page: Codable {
            let page: Int
            let width: Int
            let height: Int
            let dpi: Double
        }
        let path: String
        let format: String
        let pageCount: Int
        let hasTextLayer: Bool
        let pages: [Page]
    }

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one file") }
    }

    func run() throws {
        var failed = false
        for file in files {
            do {
                let summary = try summarise(file)
                print(json ? try encode(summary) : describe(summary))
            } catch {
                CommandFailure.report(error)
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }

    private func summarise(_ file: String) throws -> Summary {
        let document = try Document(path: file)
        let pages = try (1...document.pageCount).map { number in
            let size = try document.pageSize(number, dpi: render.dpi)
            return Summary.Page(page: number, width: size.width, height: size.height, dpi: size.dpi)
        }
        return Summary(path: file, format: document.format.rawValue, pageCount: document.pageCount,
                       hasTextLayer: document.hasTextLayer, pages: pages)
    }

    private func encode(_ summary: Summary) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(summary), as: UTF8.self)
    }

    private func describe(_ summary: Summary) -> String {
        var lines = ["\(summary.path): \(summary.format.uppercased()), \(summary.pageCount) page\(summary.pageCount == 1 ? "" : "s"), "
                     + "text layer: \(summary.hasTextLayer ? "yes" : "no")"]
        for page in summary.pages {
            lines.append("  page \(page.page): \(page.width)x\(page.height) px at \(formatDPI(page.dpi)) dpi")
        }
        return lines.joined(separator: "\n")
    }
}
