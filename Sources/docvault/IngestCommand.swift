import ArchiveStore
import ArgumentParser
import Foundation
import OCRPipeline

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Read PDFs and images (folders recursively) and store their text lines in the archive.")

    @Argument(help: "Files and folders to ingest.")
    var paths: [String]

    @OptionGroup var archive: ArchiveOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var render: RenderOptions

    @Option(help: "Documents read in parallel (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .customLong("text-layer"), help: "auto: use a PDF page's own text when trustworthy; ocr: always OCR; only: never OCR.")
    var textLayer: String = "auto"

    @Option(name: .customLong("file-timeout"), help: "Seconds one file may take before it is given up.")
    var fileTimeout: Double = 300

    @Flag(inversion: .prefixedNo, help: "Read files in child processes, so that a crash, a runaway page or a memory bomb in a decoder costs that file, not the batch.")
    var isolate = true

    @Option(name: .customLong("file-memory"), help: "MiB of address space each child reader may use (0: no limit).")
    var fileMemory: Int = 4096

    @Flag(help: "Print one JSON object per document as it finishes.")
    var json = false

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one file or folder") }
        guard (1...256).contains(jobs) else { throw ValidationError("--jobs must be between 1 and 256") }
        guard TextLayerMode(rawValue: textLayer) != nil else {
            throw ValidationError("--text-layer must be auto, ocr or only")
        }
        guard fileTimeout > 0 else { throw ValidationError("--file-timeout must be positive") }
        try FileMemoryLimit.validate(fileMemory)
    }

    func run() async throws {
        // Refuse before loading anything when another ingest is writing to this archive.
        let lock = try CommandFailure.exitOnError { try IngestLock(database: archive.path) }
        defer { withExtendedLifetime(lock) {} }
        let options = PipelineOptions(dpi: render.dpi, textLayer: TextLayerMode(rawValue: textLayer)!,
                                      perFileTimeout: fileTimeout)
        let engine = try CommandFailure.exitOnError { try OCREngine(modelDirectory: model.model, options: options) }
        let store = try archive.open(creating: true)
        let progress = ProgressBar(enabled: !json && isatty(STDERR_FILENO) == 1)
        let counter = ProgressCounter()
        let json = self.json
        var ingestor = Ingestor(engine: engine, archive: store, jobs: jobs)
        if isolate {
            ingestor.reading = .isolated(ReadWorkerCommand.command(model: model.model, dpi: render.dpi, textLayer: textLayer,
                                                                   fileTimeout: fileTimeout, memoryLimit: fileMemory))
        }
        let summary = await ingestor
            .ingest(paths, excluding: [archive.path]) { event in
                let (done, total, pages) = counter.update(event)
                switch event {
                case .failed(let path, let reason):
                    progress.message("docvault: " + CommandFailure.oneLine("\(path): \(reason)"))
                    if json { try? JSONOutput.print(IngestRecord(path: path, status: "failed", error: reason), pretty: false) }
                case .stored(let path, let document, let pages, let seconds):
                    if json {
                        try? JSONOutput.print(IngestRecord(path: path, status: document.status.rawValue, id: document.id,
                                                           pages: pages, seconds: seconds, error: document.error), pretty: false)
                    }
                case .skipped(let path, let reason):
                    if json { try? JSONOutput.print(IngestRecord(path: path, status: "skipped", reason: reason), pretty: false) }
                case .discovered: break
                }
                progress.update(filesDone: done, filesTotal: total, pages: pages)
            }
        progress.finish()
        var line = String(format: "ingested %d files: %d stored, %d unchanged or duplicate, %d failed",
                          summary.files, summary.stored, summary.skipped, summary.failed)
        if summary.notDocuments > 0 { line += ", \(summary.notDocuments) skipped (not documents)" }
        line += String(format: "; %d pages in %.1f s (%.2f pages/s) -> %@",
                       summary.pages, summary.seconds, Double(summary.pages) / max(summary.seconds, 0.001), archive.path)
        FileHandle.standardError.write(Data((line + "\n").utf8))
        if summary.failed > 0 { throw ExitCode(1) }
    }
}

private struct IngestRecord: Encodable {
    var path: String
    var status: String
    var id: Int64?
    var pages: Int?
    var seconds: Double?
    var reason: String?
    var error: String?
}

/// Files done / total and pages so far, for the progress bar.
private final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0, done = 0, pages = 0

    func update(_ event: IngestEvent) -> (Int, Int, Int) {
        lock.lock(); defer { lock.unlock() }
        switch event {
        case .discovered(let files): total = files
        case .stored(_, _, let count, _): done += 1; pages += count
        case .skipped: done += 1
        case .failed: done += 1
        }
        return (min(done, max(total, done)), max(total, done), pages)
    }
}
