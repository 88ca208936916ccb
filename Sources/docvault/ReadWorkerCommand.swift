import ArchiveServer
import ArgumentParser
import Foundation
import OCRPipeline

/// `docvault read-worker`: the child process `ingest` reads documents in (see `ReadingMode`), and
/// with --uploads the one `serve` reads uploads in (`IsolatedRecogniser`). Not listed in --help;
/// started by `ingest` or `serve` itself with the options it was given, it reads requests on
/// standard input until that ends. Entry.swift dispatches to it before the command tree.
struct ReadWorkerCommand: ParsableCommand {
    static let name = "read-worker"
    static let configuration = CommandConfiguration(
        commandName: name, abstract: "Read documents for a running ingest (internal).", shouldDisplay: false)

    @OptionGroup var model: ModelOptions
    @OptionGroup var render: RenderOptions

    @Option(name: .customLong("text-layer"), help: "auto, ocr or only.")
    var textLayer: String = "auto"

    @Option(name: .customLong("file-timeout"), help: "Seconds one file may take.")
    var fileTimeout: Double = 300

    @Option(name: .customLong("memory-limit"), help: "MiB of address space this process may use (0: no limit).")
    var memoryLimit: Int = 0

    @Flag(help: "Read server uploads (UploadJob lines) instead of file paths.")
    var uploads = false

    func run() throws {
        guard let mode = TextLayerMode(rawValue: textLayer) else { throw ValidationError("--text-layer must be auto, ocr or only") }
        if memoryLimit > 0 {
            // A decompression bomb then fails an allocation here, in this child, and the parent
            // reports that one file; without the cap it could exhaust the machine.
            let bytes = rlim_t(memoryLimit) << 20
            var limit = rlimit(rlim_cur: bytes, rlim_max: bytes)
            setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &limit)
        }
        let options = PipelineOptions(dpi: render.dpi, textLayer: mode, perFileTimeout: fileTimeout)
        let engine = try CommandFailure.exitOnError { try OCREngine(modelDirectory: model.model, options: options) }
        if uploads {
            UploadWorkerLoop.run(engine: engine)
        } else {
            WorkerLoop.run(engine: engine)
        }
    }

    /// How `ingest` (or, with `uploads`, `serve`) starts one of these with its own options.
    static func command(model: String?, dpi: Double, textLayer: String, fileTimeout: Double, memoryLimit: Int,
                        uploads: Bool = false) -> WorkerCommand {
        var arguments = [name, "--dpi", String(dpi), "--text-layer", textLayer, "--file-timeout", String(fileTimeout),
                         "--memory-limit", String(memoryLimit)]
        if let model { arguments += ["--model", model] }
        if uploads { arguments.append("--uploads") }
        return WorkerCommand(executable: executablePath(), arguments: arguments)
    }

    /// This program's own file (argv[0] may be a bare name found on PATH).
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if count > 0 { return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        return CommandLine.arguments[0]
    }
}
