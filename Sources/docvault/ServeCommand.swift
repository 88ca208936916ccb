import ArchiveServer
import ArgumentParser
import Foundation
import Logging
import OCRPipeline

/// `docvault serve`: the REST API and the web page over the same pipeline and archive as the
/// other commands. Argument checks and start-up messages only; the server is ArchiveServer's.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the REST API and the web page (upload, see the boxes, search the archive).",
        discussion: """
            Binds to 127.0.0.1 unless --host says otherwise. Any other address requires a token \
            (--token, or better DOCVAULT_TOKEN, which other users cannot see in the process list); \
            every API call and the page then need it: 'Authorization: Bearer <token>', or open \
            http://HOST:PORT/?token=<token> once in the browser. /healthz needs no token.
            """)

    @OptionGroup var archive: ArchiveOptions
    @OptionGroup var model: ModelOptions
    @OptionGroup var render: RenderOptions

    @Option(name: .customLong("text-layer"), help: "auto, ocr or only (see ingest).")
    var textLayer: String = "auto"

    @Option(help: "Address to bind; anything but loopback requires a token.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on (0: any free port, printed at start-up).")
    var port = 8080

    @Option(help: "Token every request must carry (default: $DOCVAULT_TOKEN); at least 16 of A-Z a-z 0-9 - . _ ~.")
    var token: String?

    @Option(help: "Recognitions that run at once; as many again may wait, the rest get 503 at once.")
    var workers = 4

    @Option(help: "Seconds a request may take (waiting included) before its work is cancelled with 504.")
    var timeout: Double = 10

    @Option(name: .customLong("read-timeout"), help: "Seconds a client may take to send a request's headers, and again its body; slower ones get 408.")
    var readTimeout: Double = 120

    @Flag(inversion: .prefixedNo, help: "Read uploads and draw stored pages in child processes, so that a crash or a memory bomb in a decoder costs that request (422), not the server.")
    var isolate = true

    @Option(name: .customLong("file-memory"), help: "MiB of address space each upload reader process may use (0: no limit).")
    var fileMemory: Int = 2048

    var serverConfiguration: ServerConfiguration {
        let environmentToken = ProcessInfo.processInfo.environment["DOCVAULT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return ServerConfiguration(host: host, port: port, token: token ?? environmentToken, workers: workers,
                                   timeoutSeconds: timeout, readTimeoutSeconds: readTimeout)
    }

    var databasePath: String { archive.path }

    func validate() throws {
        guard TextLayerMode(rawValue: textLayer) != nil else { throw ValidationError("--text-layer must be auto, ocr or only") }
        try FileMemoryLimit.validate(fileMemory)
        do {
            try serverConfiguration.validate()
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        var logger = Logger(label: "docvault.serve")
        logger.logLevel = .notice
        let configuration = serverConfiguration
        // The request deadline (--timeout) cancels work; no separate per-file limit.
        let options = PipelineOptions(dpi: render.dpi, textLayer: TextLayerMode(rawValue: textLayer)!,
                                      perFileTimeout: nil)
        let backends: ServeBackends
        do {
            let reading: ServeBackends.Reading = isolate
                ? .isolated(ReadWorkerCommand.command(model: model.model, dpi: render.dpi, textLayer: textLayer,
                                                      fileTimeout: configuration.timeoutSeconds, memoryLimit: fileMemory,
                                                      uploads: true), memoryLimitMiB: fileMemory, workers: configuration.workers)
                : .inProcess
            backends = try ServeBackends.open(databasePath: databasePath, modelDirectory: model.model,
                                              options: options, reading: reading, logger: logger)
        } catch {
            CommandFailure.report(error)
            throw ExitCode(1)
        }
        // SIGTERM and SIGINT end runService gracefully; then the readers' scratch folder goes.
        defer { backends.close() }
        let app = try buildApplication(configuration: configuration, recogniser: backends.recogniser,
                                       archive: backends.archive, logger: logger) { boundPort in
            Self.announce(configuration, port: boundPort, databasePath: databasePath)
        }
        try await app.runService()
    }

    /// What is served, where, and whether a token guards it: on stdout so scripts can read the port.
    static func announce(_ configuration: ServerConfiguration, port: Int, databasePath: String) {
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        var lines = ["docvault serve: http://\(host):\(port)/ (archive \(databasePath), "
                     + "\(configuration.workers) workers, \(configuration.timeoutSeconds) s limit)"]
        if configuration.token != nil {
            lines.append("token required for every request but /healthz: 'Authorization: Bearer <token>', "
                         + "or open http://\(host):\(port)/?token=<token> in the browser")
        } else {
            lines.append("loopback only, no token: only this machine can connect")
        }
        print(lines.joined(separator: "\n"))
        fflush(nil)  // the port must reach a pipe reader at once
    }
}
