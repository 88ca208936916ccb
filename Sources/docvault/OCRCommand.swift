import ArgumentParser
import Foundation
import OCRPipeline

struct OCRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ocr",
        abstract: "Read documents without an archive: pages -> lines (the same answer as POST /api/ocr).")

    @Argument(help: "PDF, PNG, JPEG or TIFF files.")
    var files: [String]

    @OptionGroup var model: ModelOptions
    @OptionGroup var render: RenderOptions

    @Option(name: .customLong("text-layer"), help: "auto, ocr or only (see ingest).")
    var textLayer: String = "auto"

    @Option(name: .customLong("out-dir"), help: "Write one <name>.json per document into this folder instead of printing.")
    var outDir: String?

    @Flag(help: "Print the evaluation corpus's truth format, one object per document.")
    var json = false

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one file") }
        guard TextLayerMode(rawValue: textLayer) != nil else { throw ValidationError("--text-layer must be auto, ocr or only") }
    }

    func run() throws {
        let options = PipelineOptions(dpi: render.dpi, textLayer: TextLayerMode(rawValue: textLayer)!)
        let reader = try CommandFailure.exitOnError { try OCREngine(modelDirectory: model.model, options: options).makeReader() }
        if let outDir { try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true) }
        var failed = false
        for file in files {
            do {
                let read = try reader.read(path: file)
                for failure in read.failures { CommandFailure.report("\(file): \(failure)") }
                failed = failed || !read.failures.isEmpty
                let result = read.result
                if let outDir {
                    let name = ((file as NSString).lastPathComponent as NSString).deletingPathExtension + ".json"
                    try JSONOutput.encoder(pretty: false).encode(result)
                        .write(to: URL(fileURLWithPath: outDir).appendingPathComponent(name))
                } else if json {
                    try JSONOutput.print(result, pretty: false)
                } else {
                    for page in result.pages {
                        print("== \(file) page \(page.page) (\(page.source))")
                        for line in page.lines { print(CommandFailure.oneLine(line.text)) }
                    }
                }
            } catch {
                CommandFailure.report(error)
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
    }
}
