import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads documents one at a time for `Ingestor`: in this process (`DocumentReader`) or in a child
/// process (`WorkerReader`).
protocol DocumentReading: AnyObject {
    func read(path: String) throws -> ReadDocument
    /// Ends whatever the reader holds (a child process); it may be used again afterwards.
    func finish()
}

extension DocumentReader: DocumentReading {
    func finish() {}
}

/// Where `Ingestor` reads documents. Decoders are C libraries fed hostile files: in `.isolated`
/// mode each job's reading runs in a child process, so a crash in poppler or libtiff, a page that
/// runs past the per-file limit inside C code, or a decompression bomb that exhausts its memory
/// limit costs that one file (reported) instead of the whole batch. Storing stays in the parent.
public enum ReadingMode: Sendable {
    case inProcess
    case isolated(WorkerCommand)
}

/// How to start a reading worker: an executable and arguments that run `WorkerLoop.run` (the CLI's
/// hidden `read-worker` subcommand), and how long past the per-file limit to wait before killing it.
public struct WorkerCommand: Sendable {
    public var executable: String
    public var arguments: [String]
    /// Seconds past `PipelineOptions.perFileTimeout` the worker gets to give up by itself (it checks
    /// the limit between pages and stages) before it is killed.
    public var grace: Double

    public init(executable: String, arguments: [String], grace: Double = 10) {
        self.executable = executable
        self.arguments = arguments
        self.grace = grace
    }
}

/// A worker's answer for one file, one JSON line on its standard output.
struct WorkerReply: Codable {
    var document: ReadDocument?
    var failure: String?
}

/// A worker that did not answer: it crashed, was killed past the time limit, or said nonsense.
public struct WorkerFailure: Error, Equatable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}

enum WorkerCoding {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}

/// The child side: reads one JSON-encoded path per line from standard input and answers each with
/// one `WorkerReply` line on standard output, until standard input ends.
public enum WorkerLoop {
    public static func run(engine: OCREngine) {
        // Die with the parent: a killed ingest must not leave a reader finishing a long page.
        let parent = getppid()
        let watcher = Thread {
            while getppid() == parent { usleep(200_000) }
            _exit(0)
        }
        watcher.start()
        let reader = engine.makeReader()
        let encoder = WorkerCoding.encoder
        while let line = readLine(strippingNewline: true) {
            guard let data = line.data(using: .utf8), let path = try? JSONDecoder().decode(String.self, from: data) else {
                write(WorkerReply(document: nil, failure: "worker received an unreadable request"), encoder)
                continue
            }
            do {
                write(WorkerReply(document: try reader.read(path: path), failure: nil), encoder)
            } catch {
                write(WorkerReply(document: nil, failure: Ingestor.reason(error)), encoder)
            }
            releaseFreedMemory()
        }
    }

    private static func write(_ reply: WorkerReply, _ encoder: JSONEncoder) {
        let data = (try? encoder.encode(reply))
            ?? Data(#"{"failure":"worker could not encode its answer"}"#.utf8)
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

/// Hands the heap's free pages back to the system after a document. glibc keeps the freed page
/// bitmaps and scratch of one document (tens of MB) and the next reuses only part of them, so a
/// long-lived reader otherwise grows from ~150 MB for one page to ~230 MB over a batch.
func releaseFreedMemory() {
    #if canImport(Glibc)
    if let trim = mallocTrim { _ = trim(0) }
    #endif
}

#if canImport(Glibc)
/// glibc's `malloc_trim` (malloc.h is not part of the Glibc module), looked up once.
private let mallocTrim: (@convention(c) (Int) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
}()
#endif
