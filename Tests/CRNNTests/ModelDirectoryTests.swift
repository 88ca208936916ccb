import Foundation
import Testing
@testable import CRNN

@Suite struct ModelDirectoryTests {
    @Test func explicitThenEnvironmentThenUpwardsFromTheExecutable() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("modeldir-\(UUID().uuidString)")
        let weights = root.appendingPathComponent("weights")
        let binDirectory = root.appendingPathComponent(".build/x86_64-unknown-linux-gnu/release")
        try FileManager.default.createDirectory(at: weights, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: binDirectory, withIntermediateDirectories: true)
        try Data([0]).write(to: weights.appendingPathComponent("crnn.safetensors"))
        let executable = binDirectory.appendingPathComponent("docvault").path

        let found = ModelDirectory.locate(explicit: nil, environment: [:], executablePath: executable, currentDirectory: "/")
        #expect(found?.standardizedFileURL.path == weights.standardizedFileURL.path)
        let fromCwd = ModelDirectory.locate(explicit: nil, environment: [:], executablePath: "/nonexistent/docvault",
                                            currentDirectory: binDirectory.path)
        #expect(fromCwd?.standardizedFileURL.path == weights.standardizedFileURL.path)
        let explicit = ModelDirectory.locate(explicit: "other", environment: ["DOCVAULT_MODEL": "/env"],
                                             executablePath: executable, currentDirectory: "/tmp")
        #expect(explicit?.path == "/tmp/other")
        let environment = ModelDirectory.locate(explicit: nil, environment: ["DOCVAULT_MODEL": "/env"],
                                                executablePath: executable, currentDirectory: "/tmp")
        #expect(environment?.path == "/env")
        #expect(ModelDirectory.locate(explicit: nil, environment: [:], executablePath: "/nonexistent/x", currentDirectory: "/nonexistent") == nil
                || FileManager.default.fileExists(atPath: "/weights/crnn.safetensors"))
    }
}
