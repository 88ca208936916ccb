import ArgumentParser
import CRNN
import Foundation
import PageImage

/// `docvault recognise IMG...`: each image is one text line; prints its text and confidence.
struct RecogniseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recognise",
        abstract: "Recognise line images (one text line each) with the CRNN model.")

    @Argument(help: "Line images (PNG, JPEG, TIFF or binary PGM), one text line each.")
    var images: [String]

    @Option(name: .long, help: "Weights directory holding crnn.safetensors and charset.txt (default: $DOCVAULT_MODEL, else weights/ found upwards from the executable or the working directory).")
    var model: String?

    @Flag(name: .long, help: "Print JSON with per-character confidences and positions.")
    var json = false

    func validate() throws {
        guard !images.isEmpty else { throw ValidationError("give at least one image") }
    }

    func run() throws {
        guard let directory = ModelDirectory.locate(explicit: model) else { throw RecogniseError.noModel }
        let loaded = try CRNNModel(directory: directory)
        let lines = try images.map(LineImageFile.load)
        // A crop twice as tall as wide may be a vertical line: read turned as well (LineOrientation).
        let readings = RecognitionSession(model: loaded).recogniseOriented(lines)
        let results = readings.map(\.line)
        if json {
            let records = zip(images, readings).map { path, reading in
                let line = reading.line
                return RecognisedLineRecord(file: path, text: line.text, confidence: line.confidence,
                                     quarterTurns: reading.quarterTurns,
                                     characters: line.characters.map {
                                         .init(char: String($0.character), confidence: $0.confidence, x: $0.x)
                                     })
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(records), as: UTF8.self))
        } else {
            for (path, line) in zip(images, results) {
                print("\(path)\t\(String(format: "%.3f", line.confidence))\t\(line.text)")
            }
        }
    }
}

private struct RecognisedLineRecord: Encodable {
    struct Character: Encodable {
        var char: String
        var confidence: Double
        var x: Double
    }
    var file: String
    var text: String
    var confidence: Double
    /// Quarter turns counter-clockwise under which the line was read (1 or 3: a vertical line);
    /// character positions run along the turned image.
    var quarterTurns: Int
    var characters: [Character]
}

enum RecogniseError: Error, CustomStringConvertible {
    case noModel
    case unreadable(file: String, reason: String)
    case unsupportedFormat(file: String)

    var description: String {
        switch self {
        case .noModel:
            return "no weights/crnn.safetensors found above the executable or the working directory; pass --model DIR or set \(ModelDirectory.environmentVariable)"
        case let .unreadable(file, reason): return "\(file): cannot read image: \(reason)"
        case let .unsupportedFormat(file): return "\(file): not a PNG, JPEG, TIFF or binary PGM (P5) image"
        }
    }
}

/// Reads a line image as 8-bit gray: PNG, JPEG and TIFF through PageImage (the decoders ingest
/// uses, with their limits), binary PGM here (the line crops the benchmark scripts write).
enum LineImageFile {
    static func load(_ path: String) throws -> LineImage {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RecogniseError.unreadable(file: path, reason: "no such file or not readable")
        }
        let bytes = [UInt8](data)
        if bytes.starts(with: Array("P5".utf8)) { return try pgm(bytes, path: path) }
        guard let format = DocumentFormat.sniff(bytes), format != .pdf else { throw RecogniseError.unsupportedFormat(file: path) }
        let gray: GrayImage
        do {
            let document = try Document(bytes: bytes, name: path)
            guard document.pageCount == 1 else {
                throw RecogniseError.unreadable(file: path, reason: "\(document.pageCount) pages; a line image has one")
            }
            gray = try document.page(1, colour: false).gray
        } catch let error as PageImageError {
            throw RecogniseError.unreadable(file: path, reason: error.reason)
        }
        return LineImage(width: gray.width, height: gray.height, pixels: gray.pixels)
    }

    /// Binary PGM: "P5", width, height, maxval (≤ 255), one whitespace, then the pixels.
    private static func pgm(_ bytes: [UInt8], path: String) throws -> LineImage {
        var fields: [Int] = []
        var index = 2
        while fields.count < 3 {
            while index < bytes.count, bytes[index] == UInt8(ascii: "#") || isSpace(bytes[index]) {
                if bytes[index] == UInt8(ascii: "#") { while index < bytes.count, bytes[index] != 0x0A { index += 1 } }
                index += 1
            }
            var value = 0, digits = 0
            while index < bytes.count, (48...57).contains(bytes[index]) {
                value = value * 10 + Int(bytes[index] - 48)
                index += 1
                digits += 1
            }
            guard digits > 0 else { throw RecogniseError.unreadable(file: path, reason: "malformed PGM header") }
            fields.append(value)
        }
        index += 1
        let (width, height, maxValue) = (fields[0], fields[1], fields[2])
        guard maxValue == 255, bytes.count - index >= width * height else {
            throw RecogniseError.unreadable(file: path, reason: "PGM must be 8-bit (maxval 255) and complete")
        }
        return LineImage(width: width, height: height, pixels: Array(bytes[index..<index + width * height]))
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
}
