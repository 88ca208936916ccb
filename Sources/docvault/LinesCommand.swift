import ArgumentParser
import Foundation
import LineSegmentation
import PageImage

struct LinesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lines",
        abstract: "Find the text lines of documents (segmentation only, no recognition): boxes in page pixels.")

    @Argument(help: "Documents to segment (PDF, PNG, JPEG, TIFF).")
    var files: [String]

    @OptionGroup var render: RenderOptions

    @Flag(help: "One JSON object per document, one per line, in the evaluation corpus's truth format (text empty).")
    var json = false

    @Option(help: ArgumentHelp("Draw the line boxes on the page and write it as a PNG here.",
                               discussion: "With several pages, -<name>-p<N> is added before the extension."))
    var draw: String?

    @Flag(help: ArgumentHelp("For PDFs with a text layer, also group its words into lines and report which of them segmentation missed.",
                             discussion: "A second source of boxes on born-digital documents, for finding segmentation errors."))
    var textLayer = false

    struct Output: Codable {
        struct Line: Codable {
            let text: String
            let bbox: [Int]
        }
        struct Page: Codable {
            let page: Int
            let width: Int
            let height: Int
            let dpi: Double
            let rotation: Int
            let skew: Double
            let lines: [Line]
            /// With --text-layer: the text layer's lines and those segmentation did not find.
            var textLayer: TextLayerReport?
        }
        struct TextLayerReport: Codable {
            let lines: Int
            let found: Int
            let missed: [Line]
        }
        let path: String
        let pages: [Page]
    }

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one file") }
        if let draw, !draw.lowercased().hasSuffix(".png") { throw ValidationError("--draw must name a .png file") }
    }

    func run() throws {
        let segmenter = LineSegmenter()
        var failed = false
        for file in files {
            do {
                let document = try Document(path: file)
                var pages: [Output.Page] = []
                for number in 1...document.pageCount {
                    let bitmap = try document.page(number, dpi: render.dpi)
                    let layout = segmenter.segment(bitmap)
                    if let draw {
                        let several = files.count > 1 || document.pageCount > 1
                        let drawn = PageBitmap(number: number, gray: bitmap.gray, rgb: boxesDrawn(on: bitmap, layout),
                                               dpi: bitmap.dpi)
                        try PNGEncoder.write(drawn, to: several ? drawPath(draw, file: file, page: number) : draw)
                    }
                    var report: Output.TextLayerReport?
                    if textLayer && document.hasTextLayer {
                        let reference = textLayerLines(try document.textLayer(page: number, dpi: render.dpi))
                        let missed = reference.filter { !isFound($0, by: layout.lines) }
                        report = Output.TextLayerReport(lines: reference.count, found: reference.count - missed.count,
                                                        missed: missed.map { Output.Line(text: $0.text, bbox: [Int($0.x0), Int($0.y0), Int($0.x1.rounded(.up)), Int($0.y1.rounded(.up))]) })
                    }
                    pages.append(Output.Page(
                        page: number, width: bitmap.gray.width, height: bitmap.gray.height, dpi: bitmap.dpi,
                        rotation: layout.rotation, skew: (layout.skewDegrees * 100).rounded() / 100,
                        lines: layout.lines.map { Output.Line(text: "", bbox: $0.bbox) }, textLayer: report))
                }
                let output = Output(path: file, pages: pages)
                print(json ? try encode(output) : describe(output))
            } catch {
                CommandFailure.report(error)
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }

    private func encode(_ output: Output) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: try encoder.encode(output), as: UTF8.self)
    }

    private func describe(_ output: Output) -> String {
        var text = ""
        for page in output.pages {
            text += "\(output.path) page \(page.page): \(page.width)x\(page.height) px, \(page.lines.count) lines, "
                + "rotation \(page.rotation), skew \(page.skew)°\n"
            for line in page.lines { text += "  \(line.bbox.map(String.init).joined(separator: " "))\n" }
            if let t = page.textLayer {
                text += "  text layer: \(t.lines) lines, \(t.found) found by segmentation\(t.missed.isEmpty ? "" : "; missed:")\n"
                for line in t.missed { text += "    \(line.bbox.map(String.init).joined(separator: " "))  \(line.text)\n" }
            }
        }
        return String(text.dropLast())
    }
}

/// `out.png` -> `out-<file name>-p<N>.png`.
func drawPath(_ out: String, file: String, page: Int) -> String {
    let stem = String(out.dropLast(4))
    let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
    return "\(stem)-\(name)-p\(page).png"
}

/// The page in gray with each line's box drawn in red, two pixels wide.
func boxesDrawn(on page: PageBitmap, _ layout: PageLayout) -> RGBImage {
    let w = page.gray.width, h = page.gray.height
    var px = [UInt8](repeating: 0, count: w * h * 3)
    for i in 0..<(w * h) {
        let g = page.gray.pixels[i]
        px[3 * i] = g; px[3 * i + 1] = g; px[3 * i + 2] = g
    }
    func paint(_ x: Int, _ y: Int) {
        guard x >= 0, y >= 0, x < w, y < h else { return }
        let p = (y * w + x) * 3
        px[p] = 230; px[p + 1] = 20; px[p + 2] = 20
    }
    for line in layout.lines {
        for t in 0..<2 {
            for x in (line.x0 - t)..<(line.x1 + t) { paint(x, line.y0 - t); paint(x, line.y1 - 1 + t) }
            for y in (line.y0 - t)..<(line.y1 + t) { paint(line.x0 - t, y); paint(line.x1 - 1 + t, y) }
        }
    }
    return RGBImage(width: w, height: h, pixels: px)
}
