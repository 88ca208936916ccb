import Foundation
import Testing
@testable import OCRPipeline

/// A scratch folder removed when the value goes away.
final class ScratchFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("docvault-discovery-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ bytes: [UInt8]) -> String {
        let file = (path as NSString).appendingPathComponent(name)
        FileManager.default.createFile(atPath: file, contents: Data(bytes))
        return file
    }

    /// Creates a file whose name is raw bytes (possibly not UTF-8).
    func write(rawName: [UInt8], _ bytes: [UInt8]) {
        let full = Array(path.utf8) + [0x2F] + rawName + [0]
        let descriptor = full.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: full.count) { open($0, O_WRONLY | O_CREAT, 0o644) }
        }
        _ = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]

@Suite struct InputDiscoveryTests {
    @Test func nonDocumentsInFoldersAreSkippedQuietly() throws {
        let folder = try ScratchFolder()
        _ = folder.write("README.md", Array("# notes\n".utf8))
        _ = folder.write("table.csv", Array("a,b\n".utf8))
        let scan = folder.write("scan.png", pngSignature)
        let disguised = folder.write("photo.txt", pngSignature)   // content decides
        let broken = folder.write("broken.pdf", Array("<html>".utf8)) // named a document: tried, reported
        let found = InputDiscovery().discover([folder.path])
        #expect(Set(found.files.map(\.path)) == [scan, disguised, broken])
        #expect(found.problems.isEmpty)
        #expect(found.notDocuments.count == 2)
    }

    @Test func aNonDocumentNamedOnTheCommandLineIsStillTried() throws {
        let folder = try ScratchFolder()
        let readme = folder.write("README.md", Array("# notes\n".utf8))
        let found = InputDiscovery().discover([readme])
        #expect(found.files.map(\.path) == [readme])
        #expect(found.notDocuments.isEmpty)
    }

    @Test func pipesAreNeverOpenedAndReportedOnlyWhenNamedLikeDocuments() throws {
        let folder = try ScratchFolder()
        #expect(mkfifo((folder.path as NSString).appendingPathComponent("pipe.pdf"), 0o644) == 0)
        #expect(mkfifo((folder.path as NSString).appendingPathComponent("pipe"), 0o644) == 0)
        let found = InputDiscovery().discover([folder.path])
        #expect(found.files.isEmpty)
        #expect(found.problems.map(\.reason) == ["not a regular file"])
        #expect(found.problems.first?.path.hasSuffix("pipe.pdf") == true)
        #expect(found.notDocuments.count == 1)
    }

    @Test func brokenLinksAreReportedOnlyWhenNamedLikeDocuments() throws {
        let folder = try ScratchFolder()
        let loopA = (folder.path as NSString).appendingPathComponent("a.pdf")
        let loopB = (folder.path as NSString).appendingPathComponent("b.pdf")
        try FileManager.default.createSymbolicLink(atPath: loopA, withDestinationPath: "b.pdf")
        try FileManager.default.createSymbolicLink(atPath: loopB, withDestinationPath: "a.pdf")
        try FileManager.default.createSymbolicLink(atPath: (folder.path as NSString).appendingPathComponent("gone"),
                                                   withDestinationPath: "/nonexistent/gone")
        let sub = (folder.path as NSString).appendingPathComponent("sub")
        try FileManager.default.createDirectory(atPath: sub, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: (sub as NSString).appendingPathComponent("up"),
                                                   withDestinationPath: "..")
        let found = InputDiscovery().discover([folder.path])
        #expect(found.problems.map(\.reason) == ["symbolic link loop", "symbolic link loop"])
        #expect(found.notDocuments.count == 1)
    }

    @Test func namesThatAreNotUTF8AreReportedEscaped() throws {
        let folder = try ScratchFolder()
        folder.write(rawName: Array("bad-".utf8) + [0xFF, 0xFE] + Array(".png".utf8), pngSignature)
        folder.write(rawName: Array("notes-".utf8) + [0xE9] + Array(".txt".utf8), Array("x".utf8))
        let found = InputDiscovery().discover([folder.path])
        #expect(found.files.isEmpty)
        #expect(found.problems.count == 1)
        #expect(found.problems.first?.path == folder.path + "/bad-\\xff\\xfe.png")
        #expect(found.problems.first?.reason.contains("not valid UTF-8") == true)
        #expect(found.notDocuments.count == 1)
    }

    @Test func escapingKeepsValidUTF8AndHexesTheRest() {
        #expect(DirectoryListing.escaped(Array("café".utf8)) == "café")
        #expect(DirectoryListing.escaped([0x61, 0xC3, 0x28, 0x62]) == "a\\xc3(b")
        #expect(DirectoryListing.escaped([0xF0, 0x9F, 0x93, 0x84, 0x80]) == "📄\\x80")
    }

    @Test func theIngestLockFileIsNotAnInput() throws {
        let folder = try ScratchFolder()
        let database = (folder.path as NSString).appendingPathComponent("archive.sqlite")
        let lock = try IngestLock(database: database)
        let found = InputDiscovery(excluding: [database]).discover([folder.path])
        #expect(found.files.isEmpty && found.notDocuments.isEmpty)
        withExtendedLifetime(lock) {}
    }
}

@Suite struct IngestLockTests {
    @Test func aSecondIngestOnTheSameArchiveIsRefusedUntilTheFirstEnds() throws {
        let folder = try ScratchFolder()
        let database = (folder.path as NSString).appendingPathComponent("archive.sqlite")
        var first: IngestLock? = try IngestLock(database: database)
        #expect(throws: IngestLockError.busy(database: database, holder: getpid())) {
            _ = try IngestLock(database: database)
        }
        first = nil
        _ = first
        let again = try IngestLock(database: database)
        #expect(again.path == database + "-ingest.lock")
    }

    @Test func theRefusalSaysWhatToDo() {
        let message = IngestLockError.busy(database: "a.sqlite", holder: 42).description
        #expect(message == "a.sqlite: another ingest (process 42) is writing to this archive; wait for it to finish or use another --db")
    }
}

@Suite struct PipelineErrorTests {
    @Test func reasonsDoNotRepeatThePath() {
        let error = PipelineError.unreadable(path: "/x/scan.tif", reason: "page 1: corrupt")
        #expect(error.reason == "page 1: corrupt")
        #expect(error.description == "/x/scan.tif: page 1: corrupt")
        #expect(PipelineError.timedOut(path: "/x/a.pdf", seconds: 20).reason == "took longer than the 20 s limit per file")
        #expect(PipelineError.timedOut(path: "/x/a.pdf", seconds: 0.5).reason == "took longer than the 0.5 s limit per file")
    }

    @Test func theDeadlinePassesOnlyAfterTheLimit() throws {
        try Deadline(seconds: nil, path: "a.pdf").check()
        try Deadline(seconds: 60, path: "a.pdf").check()
        let expired = Deadline(seconds: 0.001, path: "a.pdf")
        usleep(5_000)
        #expect(throws: PipelineError.timedOut(path: "a.pdf", seconds: 0.001)) { try expired.check() }
    }
}
