// docvault-fuzz: a bounded mutation fuzzer (a plain loop, no libFuzzer build needed) for the page
// decoders (PageImage `Document(bytes:name:)`, with the line segmenter on small pages) and the
// search-query parser (`Archive.search` on a small archive). scripts/fuzz drives it: it restarts
// the process after a crash and keeps the input that caused it.
//
//   docvault-fuzz decoders SECONDS SEED CURRENT_FILE SEED_PATH...
//   docvault-fuzz query    SECONDS SEED CURRENT_FILE
// Every input is written to CURRENT_FILE before it is tried, so a crash leaves it behind. Exit
// status 0: no finding; 3: a finding (printed as "FINDING ..."); a signal: a crash.
import ArchiveStore
import Foundation
import LineSegmentation
import PageImage

let arguments = CommandLine.arguments
guard arguments.count >= 5, let seconds = Double(arguments[2]), let seed = UInt64(arguments[3]) else {
    FileHandle.standardError.write(Data("usage: docvault-fuzz decoders|query SECONDS SEED CURRENT_FILE [SEED_PATH...]\n".utf8))
    exit(2)
}
let currentFile = arguments[4]
let deadline = Date().addingTimeInterval(seconds)

/// Writes the input about to be tried, so that a crash leaves it on disk.
func remember(_ bytes: [UInt8]) {
    guard let file = fopen(currentFile, "wb") else { return }
    _ = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
    fclose(file)
}

/// A watchdog: an input that takes longer than this is a finding (a hang), not a slow success.
let hangSeconds = 20.0
nonisolated(unsafe) var iterationStarted = Date()
let watchdog = Thread {
    while true {
        sleep(1)
        if Date().timeIntervalSince(iterationStarted) > hangSeconds {
            let line = "FINDING hang: one input ran over \(Int(hangSeconds)) s (kept as the current input)\n"
            FileHandle.standardOutput.write(Data(line.utf8))
            exit(3)
        }
    }
}
watchdog.start()

func seeds(from paths: [String]) -> [[UInt8]] {
    var found: [[UInt8]] = []
    for path in paths {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { continue }
        let files = isFolder.boolValue
            ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
            : [path]
        for file in files {
            if let data = FileManager.default.contents(atPath: file), !data.isEmpty, data.count < 4 << 20 {
                found.append([UInt8](data))
            }
        }
    }
    return found
}

func fuzzDecoders(_ seedInputs: [[UInt8]], seed: UInt64) -> Int32 {
    var mutator = Mutator(seed: seed)
    guard !seedInputs.isEmpty else { print("no seed inputs"); return 2 }
    // Small limits keep each input fast; the limits themselves are part of what is tested.
    let limits = Limits(maxFileBytes: 8 << 20, maxPixelsPerPage: 4_000_000, maxPages: 50)
    let segmenter = LineSegmenter()
    var tried = 0, opened = 0, pages = 0, segmented = 0
    var errors: [String: Int] = [:]
    var findings = 0
    while Date() < deadline {
        let input = mutator.mutate(seedInputs[mutator.below(seedInputs.count)],
                                   other: seedInputs[mutator.below(seedInputs.count)])
        remember(input)
        iterationStarted = Date()
        tried += 1
        do {
            let document = try Document(bytes: input, name: "fuzz-input", limits: limits)
            opened += 1
            for number in 1...max(1, min(document.pageCount, 2)) where number <= document.pageCount {
                _ = try? document.textLayer(page: number, dpi: 50)
                guard let page = try? document.page(number, dpi: 50) else { continue }
                pages += 1
                if page.gray.pixels.count != page.gray.width * page.gray.height
                    || (page.rgb.map { $0.pixels.count != $0.width * $0.height * 3 } ?? false) {
                    print("FINDING bitmap size does not match its pixels (\(page.gray.width)x\(page.gray.height))")
                    findings += 1
                }
                if page.gray.width * page.gray.height <= 1_000_000 {
                    _ = segmenter.segment(page)
                    segmented += 1
                }
            }
        } catch let error as PageImageError {
            if error.path != "fuzz-input" { print("FINDING error names another file: \(error)"); findings += 1 }
            errors[String(describing: error).split(separator: ":").dropFirst().first.map(String.init) ?? "?", default: 0] += 1
        } catch {
            print("FINDING untyped error: \(error)")
            findings += 1
        }
        if findings > 0 { break }
    }
    let kinds = errors.sorted { $0.value > $1.value }.prefix(6).map { "\($0.value)\($0.key)" }.joined(separator: ",")
    print("decoders: \(tried) inputs, \(opened) opened, \(pages) pages decoded, \(segmented) segmented, \(findings) findings; top errors:\(kinds)")
    return findings > 0 ? 3 : 0
}

func fuzzQueries(seed: UInt64) -> Int32 {
    var mutator = Mutator(seed: seed)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("docvault-fuzz-\(getpid())").path
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let archive: Archive
    do {
        archive = try Archive(path: folder + "/fuzz.sqlite")
        let texts = ["Invoice number INV-2024-00731", "发票号码 24412000000012345678", "Total due EUR 1,528.56",
                     "ACME GmbH Friedrichstrasse", "合计 ¥753.00", "café naïve e\u{301}"]
        let lines = texts.enumerated().map { NewLine(text: $1, confidence: 0.9, box: LineBox(x0: 0, y0: $0 * 20, x1: 100, y1: $0 * 20 + 18)) }
        try archive.store(document: NewDocument(path: "/fuzz.pdf", size: 1, modified: Date(), sha256: String(repeating: "a", count: 64),
                                                kind: .pdf, pages: [NewPage(number: 1, width: 100, height: 200, dpi: 72, source: .textLayer, lines: lines)]))
    } catch {
        print("cannot set up the archive: \(error)")
        return 2
    }
    var tried = 0, matched = 0, findings = 0
    var previous = "invoice"
    while Date() < deadline {
        var query = mutator.query()
        if mutator.below(3) == 0 {
            query = String(decoding: mutator.mutate(Array(previous.utf8), other: Array(query.utf8)), as: UTF8.self)
        }
        previous = query
        remember(Array(query.utf8))
        iterationStarted = Date()
        tried += 1
        _ = SearchQuery(parsing: query).matchExpression
        do {
            if try !archive.search(query).documents.isEmpty { matched += 1 }
        } catch {
            print("FINDING search threw for \(query.unicodeScalars.map { $0.isASCII && $0.value >= 32 ? String($0) : "\\u{\(String($0.value, radix: 16))}" }.joined()): \(error)")
            findings += 1
            break
        }
    }
    print("query: \(tried) queries, \(matched) matched something, \(findings) findings")
    return findings > 0 ? 3 : 0
}

switch arguments[1] {
case "decoders": exit(fuzzDecoders(seeds(from: Array(arguments.dropFirst(5))), seed: seed))
case "query": exit(fuzzQueries(seed: seed))
default:
    FileHandle.standardError.write(Data("unknown target \(arguments[1]) (decoders or query)\n".utf8))
    exit(2)
}
