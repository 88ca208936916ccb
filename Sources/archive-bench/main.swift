// archive-bench: fills an archive with synthetic lines and measures search latency.
//   archive-bench fill   --db FILE [--lines 1000000] [--lines-per-page 20] [--pages-per-document 2]
//   archive-bench search --db FILE [--repeat 5] [--window N] [--queries 40]
// scripts/bench-search runs both and prints the figures.

import ArchiveStore
import Foundation

struct BenchOptions {
    var command = ""
    var database = "bench.sqlite"
    var lines = 1_000_000
    var linesPerPage = 20
    var pagesPerDocument = 2
    var repeats = 5
    var queries = 40
    var window: Int?
    var showSlowest = false
    var only: String?
    var minConfidence: Double?
    var format = "csv"
    var out = "/dev/null"

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        guard let command = rest.popFirst(), ["fill", "search", "export"].contains(command) else { throw BenchError.usage }
        self.command = command
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError.usage }
            switch flag {
            case "--db": database = value
            case "--lines": lines = try Self.number(value)
            case "--lines-per-page": linesPerPage = try Self.number(value)
            case "--pages-per-document": pagesPerDocument = try Self.number(value)
            case "--repeat": repeats = try Self.number(value)
            case "--queries": queries = try Self.number(value)
            case "--window": window = try Self.number(value)
            case "--show-slowest": showSlowest = value == "yes"
            case "--only": only = value
            case "--min-confidence": minConfidence = Double(value)
            case "--format": format = value
            case "--out": out = value
            default: throw BenchError.usage
            }
        }
    }

    static func number(_ text: String) throws -> Int {
        guard let value = Int(text), value > 0 else { throw BenchError.usage }
        return value
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage
    var description: String {
        "usage: archive-bench fill|search|export --db FILE [--lines N] [--lines-per-page N] "
            + "[--pages-per-document N] [--repeat N] [--queries N] [--window N] [--only 'q1|q2'] "
            + "[--show-slowest yes] [--min-confidence X] [--format csv|json|jsonl] [--out FILE]"
    }
}

func fill(_ options: BenchOptions) throws {
    let archive = try Archive(path: options.database)
    var random = SplitMix64(state: 20_240_512)
    let linesPerDocument = options.linesPerPage * options.pagesPerDocument
    let start = ContinuousClock.now
    var stored = 0
    var documentNumber = 0
    while stored < options.lines {
        documentNumber += 1
        let pages = (1...options.pagesPerDocument).map { number in
            NewPage(number: number, width: 2480, height: 3508, dpi: 300, source: .ocr, lines: (0..<options.linesPerPage).map { index in
                let text = SyntheticText.line(&random)
                let confidence = Double.random(in: 0.6...1, using: &random)
                return NewLine(text: text, confidence: confidence,
                               box: LineBox(x0: 150, y0: 200 + 150 * index, x1: 2300, y1: 260 + 150 * index),
                               characterConfidences: text.map { _ in confidence })
            })
        }
        let hash = (0..<4).map { _ in String(format: "%016llx", random.next()) }.joined()
        try archive.store(document: NewDocument(
            path: "/synthetic/\(documentNumber / 1000)/invoice-\(documentNumber).pdf", size: 250_000,
            modified: Date(timeIntervalSince1970: 1_700_000_000 + Double(documentNumber)), sha256: hash,
            kind: .pdf, pages: pages))
        stored += linesPerDocument
        if documentNumber % 2500 == 0 {
            let seconds = (ContinuousClock.now - start).seconds
            FileHandle.standardError.write(Data("  \(stored) lines, \(Int(Double(stored) / seconds)) lines/s\n".utf8))
        }
    }
    let fillSeconds = (ContinuousClock.now - start).seconds
    try archive.optimize()
    let stats = try archive.stats()
    print(String(format: "filled %d lines in %d documents in %.1f s (%.0f lines/s, index optimised after %.1f s)",
                 stats.lines, stats.documents, fillSeconds, Double(stats.lines) / fillSeconds,
                 (ContinuousClock.now - start).seconds))
    print(String(format: "database: %.1f MB, %.0f bytes per line", Double(stats.databaseBytes) / 1e6,
                 Double(stats.databaseBytes) / Double(max(stats.lines, 1))))
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

func benchmarkQueries(count: Int) -> [(String, [String])] {
    var random = SplitMix64(state: 7)
    var prose: [[Character]] = []
    while prose.count < 2000 {
        let line = Array(SyntheticText.line(&random))
        if line.count >= 6, line.allSatisfy({ $0.unicodeScalars.first!.value >= 0x4E00 }) { prose.append(line) }
    }
    func pieces(_ length: Int) -> [String] {
        (0..<count).map { index in
            let line = prose[(index * 37) % prose.count]
            let start = (index * 7) % (line.count - length + 1)
            return String(line[start..<(start + length)])
        }
    }
    let hanzi = SyntheticText.commonHanzi
    let single = (0..<count).map { String(hanzi[($0 * hanzi.count / count)]) }
    let double = ["发票", "金额", "日期", "公司", "税额", "北京", "服务"] + pieces(2)
    let quadruple = ["发票号码", "开票日期", "有限公司", "价税合计", "办公用品"] + pieces(4)
    let englishFixed = ["invoice", "ACME GmbH", "total amount", "payment due", "inv*", "1,234.50", "\"thank you\"",
                        "software OR license", "Müller", "consulting -software"]
    let english = englishFixed + (0..<count).map { SyntheticText.englishWords[($0 * 13) % SyntheticText.englishWords.count] }
    return [("1-char Chinese", single), ("2-char Chinese", Array(double.prefix(count))),
            ("4-char Chinese", Array(quadruple.prefix(count))), ("English", Array(english.prefix(count)))]
}

func export(_ options: BenchOptions) throws {
    let archive = try Archive(path: options.database)
    let format: ExportFormat = switch options.format {
    case "json": .json
    case "jsonl": .jsonl
    default: .csv(excel: false)
    }
    FileManager.default.createFile(atPath: options.out, contents: nil)
    guard let handle = FileHandle(forWritingAtPath: options.out) else { throw BenchError.usage }
    let start = ContinuousClock.now
    let lines = try archive.export(format, to: handle)
    let seconds = (ContinuousClock.now - start).seconds
    print(String(format: "exported %d lines as %@ in %.1f s (%.0f lines/s)", lines, options.format, seconds,
                 Double(lines) / seconds))
}

/// CPU time this thread has used: GRDB runs reads on the calling thread for pool.read.
func threadCPUMilliseconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) * 1000 + Double(time.tv_nsec) / 1e6
}

func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)]
}

func search(_ options: BenchOptions) throws {
    let archive = try Archive(path: options.database)
    let stats = try archive.stats()
    var searchOptions = SearchOptions(limit: 20, linesPerDocument: 3)
    if let window = options.window { searchOptions.rankingWindow = window }
    searchOptions.minConfidence = options.minConfidence
    print("archive: \(stats.lines) lines, \(stats.documents) documents, "
          + String(format: "%.0f bytes per line; ranking window %d", Double(stats.databaseBytes) / Double(max(stats.lines, 1)),
                   searchOptions.rankingWindow))
    print("wall-clock ms (p50 p95 max), then CPU ms of the searching thread (p50 p95): the CPU figures")
    print("are what an idle machine would show when other processes load this one")
    print("category          queries  p50 ms  p95 ms  max ms  cpu p50 cpu p95  mean documents  mean matching lines in them")
    var categories = benchmarkQueries(count: options.queries)
    if let only = options.only { categories = [("only", only.components(separatedBy: "|"))] }
    for (category, queries) in categories {
        var timings: [Double] = []
        var cpuTimings: [Double] = []
        var slowest: [(Double, String)] = []
        var documents = 0
        var lines = 0
        for query in queries { _ = try archive.search(query, options: searchOptions) }  // warm the cache
        for _ in 0..<options.repeats {
            for query in queries {
                let start = ContinuousClock.now
                let cpuStart = threadCPUMilliseconds()
                let results = try archive.search(query, options: searchOptions)
                cpuTimings.append(threadCPUMilliseconds() - cpuStart)
                timings.append((ContinuousClock.now - start).seconds * 1000)
                slowest.append((timings.last!, query))
                documents += results.documents.count
                lines += results.documents.reduce(0) { $0 + $1.matchingLines }
            }
        }
        timings.sort()
        cpuTimings.sort()
        let runs = Double(timings.count)
        print(category.padding(toLength: 17, withPad: " ", startingAt: 0) + String(format: " %7d %7.2f %7.2f %7.2f %7.2f %7.2f %15.1f %18.0f", queries.count,
                     percentile(timings, 0.5), percentile(timings, 0.95), timings.last ?? 0,
                     percentile(cpuTimings, 0.5), percentile(cpuTimings, 0.95),
                     Double(documents) / runs, Double(lines) / runs))
        if options.showSlowest {
            let top = slowest.sorted { $0.0 > $1.0 }.prefix(5).map { String(format: "%@ %.1f ms", $0.1, $0.0) }
            print("  slowest: " + top.joined(separator: ", "))
        }
    }
}

do {
    let options = try BenchOptions(Array(CommandLine.arguments.dropFirst()))
    switch options.command {
    case "fill": try fill(options)
    case "export": try export(options)
    default: try search(options)
    }
} catch {
    FileHandle.standardError.write(Data("archive-bench: \(error)\n".utf8))
    exit(error is BenchError ? 2 : 1)
}
