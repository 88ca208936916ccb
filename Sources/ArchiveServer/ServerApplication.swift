import Hummingbird
import Logging

/// The router with every route and middleware, for the real server and for in-process tests.
public func buildRouter(configuration: ServerConfiguration, recogniser: any DocumentRecogniser,
                        archive: any ArchiveReading) throws -> Router<BasicRequestContext> {
    try configuration.validate()
    let router = Router(context: BasicRequestContext.self)
    // Outermost first: security headers on everything, errors as JSON, then the token rule.
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: JSONErrorMiddleware())
    router.add(middleware: AccessMiddleware(token: configuration.token))

    let scheduler = RecognitionScheduler(configuration: configuration)
    router.get("/healthz") { _, _ in
        jsonResponse(Health(status: "ok", workers: configuration.workers, load: await scheduler.gate.load))
    }
    OCRRoutes(recogniser: recogniser, archive: archive, scheduler: scheduler,
              intake: UploadIntake(configuration: configuration)).register(on: router)
    ArchiveRoutes(archive: archive, scheduler: scheduler).register(on: router)
    try StaticAssets.load().register(on: router)
    return router
}

/// The application `docvault serve` runs: the router bound to `configuration.host:port`.
public func buildApplication(configuration: ServerConfiguration, recogniser: any DocumentRecogniser,
                             archive: any ArchiveReading, logger: Logger,
                             onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
    throws -> some ApplicationProtocol {
    let router = try buildRouter(configuration: configuration, recogniser: recogniser, archive: archive)
    return Application(
        router: router,
        // A client that stops sending (slowloris) loses its connection at the idle limit; one that
        // keeps sending a byte now and then, at the read deadline.
        server: .http1(configuration: .init(
            additionalChannelHandlers: [RequestReadDeadline(limit: .milliseconds(Int64(configuration.readTimeoutSeconds * 1000)))],
            idleTimeout: .milliseconds(Int64(configuration.idleTimeoutSeconds * 1000)))),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                             serverName: "docvault"),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
        logger: logger)
}

struct Health: Encodable {
    var status: String
    var workers: Int
    var load: RecognitionGate.Load
}
