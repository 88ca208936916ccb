import ArchiveServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Runs scripts/browser-check and scripts/load-serve against the real router on a real socket,
/// with the fakes standing in for the pipeline and the store. Off by default (they need Chromium
/// and take a minute): `DOCVAULT_LIVE_SCRIPTS=browser-check,load-serve swift test --filter LiveScriptTests`.
@Suite struct LiveScriptTests {
    static let scripts = ProcessInfo.processInfo.environment["DOCVAULT_LIVE_SCRIPTS"]?
        .split(separator: ",").map(String.init) ?? []
    /// Any other check, as a shell command in which `{url}` is the server's address, e.g.
    /// `DOCVAULT_LIVE_COMMAND='st run {url}/api/openapi.json --checks all --exclude-checks positive_data_acceptance'`
    /// (schemathesis; that check is excluded because the spec cannot say a PNG must really be one: 415).
    static let command = ProcessInfo.processInfo.environment["DOCVAULT_LIVE_COMMAND"]

    @Test(.enabled(if: !scripts.isEmpty || command != nil, "set DOCVAULT_LIVE_SCRIPTS=browser-check,load-serve"))
    func scriptsPassAgainstALiveServer() async throws {
        let recogniser = FakeRecogniser(.delay(.milliseconds(60)),
                                        lineTexts: ["Invoice 2024-05-12", "<img src=x onerror=\"window.__xss=1\"> total ¥860.00"])
        var logger = Logger(label: "LiveScriptTests")
        logger.logLevel = .error
        let configuration = ServerConfiguration(workers: 2, timeoutSeconds: 5)
        let app = try buildApplication(configuration: configuration, recogniser: recogniser,
                                       archive: FakeArchive(documents: []), logger: logger)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            for script in Self.scripts {
                var arguments = ["--url", "http://localhost:\(port)"]
                if script == "load-serve" {
                    arguments += ["--pid", String(ProcessInfo.processInfo.processIdentifier), "--requests", "100",
                                  "--rss-requests", "200", "--seconds", "20", "--hold", "5"]
                }
                let status = try await Self.run(PageAssetTests.repositoryRoot.appendingPathComponent("scripts/\(script)"),
                                                arguments)
                #expect(status == 0, "scripts/\(script) failed")
            }
            if let command = Self.command {
                let line = command.replacingOccurrences(of: "{url}", with: "http://localhost:\(port)")
                let status = try await Self.run(URL(fileURLWithPath: "/bin/sh"), ["-c", line])
                #expect(status == 0, "\(line) failed")
            }
        }
    }

    static func run(_ executable: URL, _ arguments: [String]) async throws -> Int32 {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }
}
