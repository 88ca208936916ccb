@testable import ArchiveServer
import Foundation
@testable import OCRPipeline
import Testing
import TestSupport

/// The isolated readers' scratch folder: gone when the server shuts down, and a server that was
/// killed leaves its folder to the next one to remove, without touching a live server's.
@Suite struct ScratchFolderTests {
    func withParent<Value>(_ body: (String) throws -> Value) throws -> Value {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("docvault-scratch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        return try body(parent)
    }

    func scratchFolders(in parent: String) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: parent).filter { $0.hasPrefix(UploadScratch.prefix) })
    }

    /// The id of a process that has ended (and been reaped).
    func deadProcessID() throws -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test func closingTheReadersRemovesTheFolderAndWhatIsInIt() throws {
        try withParent { parent in
            let readers = IsolatedRecogniser(command: WorkerCommand(executable: "/bin/cat", arguments: []),
                                             memoryLimitMiB: 512, graceSeconds: 2, scratch: try UploadScratch(parent: parent))
            let folder = readers.scratchFolder
            #expect((folder as NSString).lastPathComponent.hasPrefix("\(UploadScratch.prefix)\(getpid())-"))
            // A request cut off between writing its upload and removing it.
            #expect(FileManager.default.createFile(atPath: folder + "/upload-9", contents: Data([1])))
            readers.close()
            #expect(!FileManager.default.fileExists(atPath: folder))
            readers.close()  // twice is harmless (shutdown, then deinit)
            #expect(try scratchFolders(in: parent).isEmpty)
        }
    }

    @Test func aNewServerRemovesOnlyTheFoldersOfProcessesThatAreGone() throws {
        try withParent { parent in
            let dead = "\(UploadScratch.prefix)\(try deadProcessID())-Ab12Cd"
            let live = "\(UploadScratch.prefix)1-Zz99Yy"  // init: alive as long as the machine is
            let older = "\(UploadScratch.prefix)Qw3rTy"   // an older docvault's name, without a process id
            let unrelated = "docvault-serve-something"
            for name in [dead, live, older, unrelated] {
                try FileManager.default.createDirectory(atPath: parent + "/" + name, withIntermediateDirectories: false)
            }
            #expect(FileManager.default.createFile(atPath: parent + "/" + dead + "/upload-3", contents: Data([1, 2])))
            let scratch = try UploadScratch(parent: parent)
            let mine = (scratch.folder as NSString).lastPathComponent
            #expect(try scratchFolders(in: parent) == [live, older, mine])
            #expect(FileManager.default.fileExists(atPath: parent + "/" + unrelated))
            // A second scratch of this same (live) process leaves the first alone.
            let second = try UploadScratch(parent: parent)
            #expect(FileManager.default.fileExists(atPath: scratch.folder))
            second.close()
            scratch.close()
            #expect(try scratchFolders(in: parent) == [live, older])
        }
    }

    /// The real `docvault serve` (beside this test bundle, as the real-reader tests use), ended
    /// by SIGTERM as a service manager would: its scratch folder goes with it.
    @Test func serveRemovesItsFolderWhenTerminated() async throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("docvault")
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("docvault-scratch-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let serve = Process()
        serve.executableURL = executable
        serve.arguments = ["serve", "--port", "0", "--workers", "1", "--db", parent + "/archive.sqlite",
                           "--model", PipelineBackendTests.root.appendingPathComponent("Tests/CRNNTests/Fixtures").path]
        serve.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": parent]) { $1 }
        let output = Pipe()
        serve.standardOutput = output
        serve.standardError = FileHandle.nullDevice
        try serve.run()
        defer { if serve.isRunning { kill(serve.processIdentifier, SIGKILL) } }
        // Serving once it has announced its port (readers started and the folder made before that).
        let announced = try await TestSupport.offPool { output.fileHandleForReading.availableData }
        #expect(String(decoding: announced, as: UTF8.self).hasPrefix("docvault serve: http://"))
        let made = try scratchFolders(in: parent)
        #expect(made.count == 1 && made.first?.hasPrefix("\(UploadScratch.prefix)\(serve.processIdentifier)-") == true)
        serve.terminate()
        _ = try await TestSupport.offPool { serve.waitUntilExit() }
        #expect(serve.terminationReason == .exit)
        #expect(try scratchFolders(in: parent).isEmpty)
    }
}
