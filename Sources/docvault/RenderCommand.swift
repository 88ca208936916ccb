import ArgumentParser
import PageImage

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Rasterise one page of a PDF, PNG, JPEG or TIFF file into a PNG (or PGM/PPM) image.")

    @Argument(help: "The document (format recognised by content).")
    var file: String

    @Option(help: "1-based page number.")
    var page: Int = 1

    @OptionGroup var render: RenderOptions

    @Option(help: "Where to write the page: PNG, or binary PGM/PPM when the name ends in .pgm or .ppm.")
    var out: String

    @Flag(help: "Write the gray bitmap even when the page has colour.")
    var gray = false

    func validate() throws {
        guard page >= 1 else { throw ValidationError("--page must be 1 or more") }
    }

    func run() throws {
        do {
            let document = try Document(path: file)
            let bitmap = try document.page(page, dpi: render.dpi, colour: !gray)
            let netpbm = [".pgm", ".ppm", ".pnm"].contains { out.lowercased().hasSuffix($0) }
            if netpbm { try PNMEncoder.write(bitmap, to: out) } else { try PNGEncoder.write(bitmap, to: out) }
            print("\(file) page \(page): \(bitmap.gray.width)x\(bitmap.gray.height) px at \(formatDPI(bitmap.dpi)) dpi, "
                  + "\(bitmap.rgb == nil ? "gray" : "colour") -> \(out)")
        } catch {
            CommandFailure.report(error)
            throw ExitCode(1)
        }
    }
}

func formatDPI(_ dpi: Double) -> String {
    dpi == dpi.rounded() ? String(Int(dpi)) : String(format: "%.1f", dpi)
}
