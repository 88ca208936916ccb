import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads documents one at a time for `Ingestor`: in this process (`DocumentReader`) or in a child
/// process (`WorkerReader`, over a `WorkerProcess`).
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

public enum WorkerCoding {
    public static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }

    public static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }
}

/// The child side: reads one JSON-encoded path per line from standard input and answers each with
/// one `WorkerReply` line on standard output, until standard input ends.
public enum WorkerLoop {
    public static func run(engine: OCREngine) {
        let reader = engine.makeReader()
        let encoder = WorkerCoding.encoder
        serve { line in
            guard let path = try? JSONDecoder().decode(String.self, from: line) else {
                return encode(WorkerReply(document: nil, failure: "worker received an unreadable request"), encoder)
            }
            do {
                return encode(WorkerReply(document: try reader.read(path: path), failure: nil), encoder)
            } catch {
                return encode(WorkerReply(document: nil, failure: Ingestor.reason(error)), encoder)
            }
        }
    }

    /// The loop every kind of worker runs: one request line in, `answer`'s one line out (it must not
    /// contain a newline; JSON without pretty-printing never does), until standard input ends.
    /// The worker dies with its parent: a killed ingest or server must not leave a reader
    /// finishing a long page.
    public static func serve(_ answer: (Data) -> Data) {
        let parent = getppid()
        let watcher = Thread {
            while getppid() == parent { usleep(200_000) }
            _exit(0)
        }
        watcher.start()
        while let line = readLine(strippingNewline: true) {
            FileHandle.standardOutput.write(answer(Data(line.utf8)) + Data("\n".utf8))
            releaseFreedMemory()
        }
    }

    private static func encode(_ reply: WorkerReply, _ encoder: JSONEncoder) -> Data {
        (try? encoder.encode(reply)) ?? Data(#"{"failure":"worker could not encode its answer"}"#.utf8)
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
private let mallocTrim = libcFunction("malloc_trim", as: (@convention(c) (Int) -> Int32).self)
#endif
