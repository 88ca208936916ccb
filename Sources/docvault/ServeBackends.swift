import ArchiveServer
import Logging

/// The pipeline and the archive behind `docvault serve`. The wiring point: OCRPipeline's
/// recogniser must conform to `DocumentRecogniser` and ArchiveStore's archive to `ArchiveReading`
/// (Sources/ArchiveServer/Backends.swift); until they do, `serve` refuses to start and says why.
struct ServeBackends {
    var recogniser: any DocumentRecogniser
    var archive: any ArchiveReading

    static func open(databasePath: String, logger: Logger) throws(ServeError) -> ServeBackends {
        throw .pipelineNotWired
    }
}

enum ServeError: Error, CustomStringConvertible {
    case pipelineNotWired

    var description: String {
        switch self {
        case .pipelineNotWired:
            "serve: the OCR pipeline and archive are not wired into the server in this build"
        }
    }
}
