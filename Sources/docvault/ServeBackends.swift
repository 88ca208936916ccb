import ArchiveServer
import ArchiveStore
import Logging
import OCRPipeline

/// The pipeline and the archive behind `docvault serve`: the model checked (and, with
/// `--no-isolate`, loaded once in this process), the archive opened (created when missing, like
/// `ingest`), uploads kept beside it. Isolated readers both read uploads and draw stored pages.
struct ServeBackends {
    var recogniser: any DocumentRecogniser
    var archive: any ArchiveReading
    /// The reader processes, when uploads are read in them (closed at shutdown).
    var readers: IsolatedRecogniser?

    /// Where uploads are read: in child processes (the default) or in the server itself.
    enum Reading {
        case inProcess
        case isolated(WorkerCommand, memoryLimitMiB: Int, workers: Int)
    }

    static func open(databasePath: String, modelDirectory: String?, options: PipelineOptions, reading: Reading,
                     logger: Logger) throws -> ServeBackends {
        // Loaded here in both modes, so that a missing or damaged model stops start-up with its reason.
        let engine = try OCREngine(modelDirectory: modelDirectory, options: options)
        let store = try Archive(path: databasePath)
        let uploads = StoreArchive.uploadsDirectory(forDatabase: databasePath)
        switch reading {
        case .inProcess:
            logger.info("serve: model loaded", metadata: ["uploads": "\(uploads)"])
            return ServeBackends(recogniser: PipelineRecogniser(engine: engine),
                                 archive: StoreArchive(archive: store, uploadsDirectory: uploads), readers: nil)
        case .isolated(let command, let memoryLimitMiB, let workers):
            let isolated = try IsolatedRecogniser(command: command, memoryLimitMiB: memoryLimitMiB)
            // The first requests find readers ready; past a few, the rest start on first use
            // rather than all at once (--workers may be large).
            try isolated.prewarm(min(workers, 8))
            logger.info("serve: model loaded", metadata: ["uploads": "\(uploads)"])
            return ServeBackends(recogniser: isolated,
                                 archive: StoreArchive(archive: store, uploadsDirectory: uploads, pageRenderer: isolated),
                                 readers: isolated)
        }
    }

    /// At shutdown: the readers end and their scratch folder goes.
    func close() {
        readers?.close()
    }
}
