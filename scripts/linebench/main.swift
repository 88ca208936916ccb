// linebench: runs the line segmenter over pages given as binary PNM files (P5 gray, P6 colour)
// and writes truth-format JSON per document plus per-page timings. scripts/eval-lines drives it;
// it reads PNM so measuring does not depend on any particular image decoder.
//
//   linebench LIST OUT_DIR [--draw DIR] [--crops DIR]
// --crops writes every line as the recogniser gets it (height 32) to DIR/<id>-p<N>-l<K>.png.
// LIST: one page per line, "id<TAB>page<TAB>dpi<TAB>path.pnm"; pages of one id are consecutive.
import Foundation
import LineSegmentation
import PageImage

struct PNMError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "\(path): \(reason)" }
}

func readPNM(_ path: String, page: Int, dpi: Double) throws -> PageBitmap {
    guard let data = FileManager.default.contents(atPath: path) else { throw PNMError(path: path, reason: "cannot read") }
    let bytes = [UInt8](data)
    var pos = 0
    func token() -> String {
        while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x0A || bytes[pos] == 0x0D || bytes[pos] == 0x09 || bytes[pos] == 0x23 {
            if bytes[pos] == 0x23 { while pos < bytes.count && bytes[pos] != 0x0A { pos += 1 } } else { pos += 1 }
        }
        let s = pos
        while pos < bytes.count, !(bytes[pos] == 0x20 || bytes[pos] == 0x0A || bytes[pos] == 0x0D || bytes[pos] == 0x09) { pos += 1 }
        return String(decoding: bytes[s..<pos], as: UTF8.self)
    }
    let magic = token()
    guard let w = Int(token()), let h = Int(token()), Int(token()) == 255 else { throw PNMError(path: path, reason: "bad header") }
    pos += 1
    switch magic {
    case "P5":
        guard bytes.count - pos >= w * h else { throw PNMError(path: path, reason: "truncated") }
        return PageBitmap(number: page, gray: GrayImage(width: w, height: h, pixels: Array(bytes[pos..<(pos + w * h)])), rgb: nil, dpi: dpi)
    case "P6":
        guard bytes.count - pos >= w * h * 3 else { throw PNMError(path: path, reason: "truncated") }
        let rgb = Array(bytes[pos..<(pos + w * h * 3)])
        var gray = [UInt8](repeating: 0, count: w * h)
        for i in 0..<(w * h) {
            let r = 77 * Int(rgb[3 * i]), g = 150 * Int(rgb[3 * i + 1]), b = 29 * Int(rgb[3 * i + 2])
            gray[i] = UInt8((r + g + b) >> 8)
        }
        return PageBitmap(number: page, gray: GrayImage(width: w, height: h, pixels: gray),
                          rgb: RGBImage(width: w, height: h, pixels: rgb), dpi: dpi)
    default:
        throw PNMError(path: path, reason: "not a binary PGM/PPM")
    }
}

/// Writes the page in gray with the line boxes drawn in (black frames, 3 px) as a PGM.
func drawBoxes(_ page: PageBitmap, _ layout: PageLayout, to path: String) {
    var img = page.gray
    for l in layout.lines {
        for t in 0..<3 {
            for x in max(0, l.x0 - t)..<min(img.width, l.x1 + t) {
                if l.y0 - t >= 0 { img[x, l.y0 - t] = 0 }
                if l.y1 + t - 1 < img.height { img[x, l.y1 + t - 1] = 0 }
            }
            for y in max(0, l.y0 - t)..<min(img.height, l.y1 + t) {
                if l.x0 - t >= 0 { img[l.x0 - t, y] = 0 }
                if l.x1 + t - 1 < img.width { img[l.x1 + t - 1, y] = 0 }
            }
        }
    }
    var out = Data("P5\n\(img.width) \(img.height)\n255\n".utf8)
    out.append(contentsOf: img.pixels)
    _ = FileManager.default.createFile(atPath: path, contents: out)
}

func cpuNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// A "VmXXX:   1234 kB" field of /proc/self/status, in MB.
func procStatusMegabytes(_ field: String) -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
        let kb = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Double($0) } ?? 0
        return kb / 1024
    }
    return 0
}

func maxRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

let args = CommandLine.arguments
guard args.count >= 3 else {
    FileHandle.standardError.write(Data("usage: linebench LIST OUT_DIR [--draw DIR]\n".utf8))
    exit(2)
}
let drawDir = args.firstIndex(of: "--draw").map { args[$0 + 1] }
let cropDir = args.firstIndex(of: "--crops").map { args[$0 + 1] }
let list = try String(contentsOfFile: args[1], encoding: .utf8)
var docs: [(String, [[String: Any]])] = []
let segmenter = LineSegmenter()
for row in list.split(separator: "\n") {
    let f = row.split(separator: "\t").map(String.init)
    guard f.count == 4, let pageNo = Int(f[1]), let dpi = Double(f[2]) else { continue }
    let page = try readPNM(f[3], page: pageNo, dpi: dpi)
    // Thread CPU time, not wall time: the measuring machine is shared, and the figure wanted is
    // the cost on one core.
    // Reset the kernel's peak-RSS mark so the growth below is this page's alone.
    try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    let rssBefore = procStatusMegabytes("VmRSS")
    let c0 = cpuNanoseconds()
    let layout = segmenter.segment(page)
    let ms = Double(cpuNanoseconds() - c0) / 1e6
    // What the recogniser will ask for next: every line cut at its input height.
    let c1 = cpuNanoseconds()
    for line in layout.lines { _ = layout.lineImage(line, height: 32) }
    let cropMs = Double(cpuNanoseconds() - c1) / 1e6
    // Growth of the peak over the resident size before segmenting: the segmenter's own memory
    // for this page, crops included.
    let rssGrowth = procStatusMegabytes("VmHWM") - rssBefore
    print("\(f[0])\t\(pageNo)\t\(page.gray.width)x\(page.gray.height)\t\(String(format: "%.1f", ms))\t\(layout.lines.count)\trot=\(layout.rotation)\tskew=\(String(format: "%.2f", layout.skewDegrees))\tcrops32=\(String(format: "%.1f", cropMs))\tpeak+=\(String(format: "%.1f", rssGrowth))MB")
    if let drawDir { drawBoxes(page, layout, to: "\(drawDir)/\(f[0])-p\(pageNo).pgm") }
    if let cropDir {
        for (k, line) in layout.lines.enumerated() {
            try PNGEncoder.write(layout.lineImage(line, height: 32), to: "\(cropDir)/\(f[0])-p\(pageNo)-l\(k + 1).png")
        }
    }
    let pageJSON: [String: Any] = [
        "page": pageNo, "width": page.gray.width, "height": page.gray.height, "dpi": dpi,
        "lines": layout.lines.map { ["text": "", "bbox": $0.bbox] as [String: Any] },
    ]
    if let last = docs.last, last.0 == f[0] { docs[docs.count - 1].1.append(pageJSON) } else { docs.append((f[0], [pageJSON])) }
}
for (id, pages) in docs {
    let obj: [String: Any] = ["path": id, "pages": pages]
    let data = try JSONSerialization.data(withJSONObject: obj, options: [.sortedKeys])
    _ = FileManager.default.createFile(atPath: "\(args[2])/\(id).json", contents: data)
}
print("maxrss_mb\t\(String(format: "%.1f", maxRSSMegabytes()))")
