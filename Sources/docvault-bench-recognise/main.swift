// Times DocVault's recogniser on line crops made by scripts/line_crops.py, on one thread.
// Driven by scripts/bench-recognise, which runs PyTorch and Tesseract on the same crops.
//
//     docvault-bench-recognise CROPS_DIR --model WEIGHTS_DIR --out PREDICTIONS.txt
//
// Prints one JSON object with the figures; writes one recognised text per crop (index order).
import CRNN
import Foundation
import Glibc

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
}

func argument(_ name: String) -> String? {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

/// Resident memory of this process in bytes, from /proc/self/status.
func residentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kilobytes = Int(line.split(separator: " ")[1]) else { return 0 }
    return kilobytes * 1024
}

/// The crops' PGM files are written with a fixed header, so the pixels are the last w·h bytes.
/// Hands freed heap memory back to the system (glibc malloc_trim, looked up at run time because
/// Swift's Glibc module does not import malloc.h), so that RSS counts live allocations only and not
/// what the allocator kept from buffers freed while loading.
func trimHeap() {
    typealias Trim = @convention(c) (Int) -> Int32
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return }
    _ = unsafeBitCast(symbol, to: Trim.self)(0)
}

func loadCrop(_ url: URL) throws -> LineImage {
    let bytes = [UInt8](try Data(contentsOf: url))
    let header = String(decoding: bytes.prefix(32), as: UTF8.self).split(whereSeparator: \.isWhitespace)
    guard header.count >= 3, header[0] == "P5", let width = Int(header[1]), let height = Int(header[2]),
          bytes.count >= width * height else { throw BenchmarkError(description: "\(url.path): not a P5 crop") }
    return LineImage(width: width, height: height, pixels: Array(bytes.suffix(width * height)))
}

/// Wall-clock and this thread's CPU seconds of `body`. On a shared machine the CPU time is the
/// steadier figure: it leaves out the time other processes held the core.
func seconds(_ body: () -> Void) -> (wall: Double, cpu: Double) {
    func cpuNow() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }
    let start = DispatchTime.now().uptimeNanoseconds, cpuStart = cpuNow()
    body()
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpuNow() - cpuStart)
}

func main() throws {
    guard CommandLine.arguments.count >= 2 else {
        throw BenchmarkError(description: "usage: docvault-bench-recognise CROPS_DIR [--model DIR] [--out FILE]")
    }
    let crops = URL(fileURLWithPath: CommandLine.arguments[1])
    guard let weights = ModelDirectory.locate(explicit: argument("--model")) else {
        throw BenchmarkError(description: "no model found; pass --model DIR")
    }
    let index = try String(contentsOf: crops.appendingPathComponent("index.tsv"), encoding: .utf8)
        .split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
    let lines = try index.map { try loadCrop(crops.appendingPathComponent(String($0[0]))) }
    let fixedDirectory = crops.appendingPathComponent("fixed")
    let fixedNames = try FileManager.default.contentsOfDirectory(atPath: fixedDirectory.path).sorted()
    let fixed = try fixedNames.map { try loadCrop(fixedDirectory.appendingPathComponent($0)) }

    // The first load also maps in Foundation's JSON and file code; the second, with the first
    // still alive, shows what one more model costs in resident memory.
    let firstLoad = try CRNNModel(directory: weights)
    trimHeap()
    let before = residentBytes()
    let loadStart = DispatchTime.now().uptimeNanoseconds
    let model = try CRNNModel(directory: weights)
    let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - loadStart) / 1e9
    let modelResidentUntrimmed = residentBytes() - before
    trimHeap()
    let modelResident = residentBytes() - before
    withExtendedLifetime(firstLoad) {}
    let session = RecognitionSession(model: model)

    _ = session.recognise(Array(fixed.prefix(16)))  // warm up scratch buffers and OpenBLAS
    var results: [RecognisedLine] = []
    let allSeconds = seconds { results = session.recognise(lines) }
    // The 32x320 figures are the best of three passes: other processes on the machine only ever
    // make a pass slower.
    func best(_ body: () -> Void) -> (wall: Double, cpu: Double) {
        let passes = (0..<3).map { _ in seconds(body) }
        return (passes.map(\.wall).min()!, passes.map(\.cpu).min()!)
    }
    let fixedBatched = best { _ = session.recognise(fixed) }
    let fixedSingle = best { for line in fixed { _ = session.recognise(line) } }

    if let out = argument("--out") {
        try (results.map { $0.text.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n") + "\n")
            .write(toFile: out, atomically: true, encoding: .utf8)
    }
    let fileBytes = (try FileManager.default.attributesOfItem(atPath: weights.appendingPathComponent("crnn.safetensors").path)[.size] as? Int) ?? 0
    let figures: [String: Any] = [
        "engine": "docvault", "lines": lines.count,
        "seconds": allSeconds.wall, "cpu_seconds": allSeconds.cpu,
        "lines_per_s": Double(lines.count) / allSeconds.wall, "lines_per_cpu_s": Double(lines.count) / allSeconds.cpu,
        "ms_per_32x320": fixedBatched.wall / Double(fixed.count) * 1000,
        "cpu_ms_per_32x320": fixedBatched.cpu / Double(fixed.count) * 1000,
        "cpu_ms_per_32x320_one_at_a_time": fixedSingle.cpu / Double(fixed.count) * 1000,
        "model_load_s": loadSeconds, "model_rss_mb": Double(modelResident) / 1e6,
        "model_rss_untrimmed_mb": Double(modelResidentUntrimmed) / 1e6,
        "weights_fp32_mb": Double(model.weightBytes) / 1e6, "file_mb": Double(fileBytes) / 1e6,
    ]
    let json = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
}

do {
    try main()
} catch {
    FileHandle.standardError.write(Data("docvault-bench-recognise: \(error)\n".utf8))
    exit(1)
}
