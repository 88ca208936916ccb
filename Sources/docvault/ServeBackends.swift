import ArchiveServer
import ArchiveStore
import Logging
import OCRPipeline

/// The pipeline and the archive behind `docvault serve`: the model loaded once, the archive opened
/// (created when missing, like `ingest`), uploads kept beside it.
struct ServeBackends {
    var recogniser: any DocumentRecogniser
    var archive: any ArchiveReading

    static func open(databasePath: String, modelDirectory: String?, options: PipelineOptions,
                     logger: Logger) throws -> ServeBackends {
        let engine = try OCREngine(modelDirectory: modelDirectory, options: options)
        let store = try Archive(path: databasePath)
        let uploads = StoreArchive.uploadsDirectory(forDatabase: databasePath)
        logger.info("serve: model loaded", metadata: ["uploads": "\(uploads)"])
        return ServeBackends(recogniser: PipelineRecogniser(engine: engine),
                             archive: StoreArchive(archive: store, uploadsDirectory: uploads))
    }
}
