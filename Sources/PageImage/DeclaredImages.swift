import Foundation

/// The image sizes a PDF declares in its image XObject dictionaries (`/Subtype /Image ... /Width W
/// /Height H`), read from the bytes without decoding anything. An image XObject is a stream,
/// streams never sit inside object streams, and dictionaries are never encrypted, so each one's
/// dictionary is in the file as plain text. Sizes given by reference (`/Width 5 0 R`) are skipped:
/// this is for spotting decompression bombs cheaply, not for reading the file.
enum DeclaredImages {
    /// How far around `/Subtype /Image` its dictionary's `/Width` and `/Height` are looked for.
    static let window = 4096

    /// Every declared image's size, in file order.
    static func sizes(in bytes: [UInt8]) -> [(width: Int, height: Int)] {
        var sizes: [(width: Int, height: Int)] = []
        bytes.withUnsafeBytes { raw in
            let text = Array("/Image".utf8)
            var from = 0
            while from < raw.count, let at = find(text, in: raw, from: from) {
                from = at + text.count
                guard isSubtypeValue(raw, at: at, end: from) else { continue }
                let lower = lastOccurrence(of: Array(" obj".utf8), in: raw, before: at) ?? max(0, at - window)
                let upper = find(Array("stream".utf8), in: raw, from: from, limit: from + window) ?? min(raw.count, from + window)
                guard let width = integer(after: Array("/Width".utf8), in: raw, lower, upper),
                      let height = integer(after: Array("/Height".utf8), in: raw, lower, upper) else { continue }
                sizes.append((width, height))
            }
        }
        return sizes
    }

    /// The largest declared image (by pixels) that is too large to decode just to check whether
    /// it was drawn: wider or taller than cairo's 32767-pixel surfaces, or more pixels than a
    /// page may have (`limit`).
    static func oversized(in bytes: [UInt8], pixelLimit limit: Int) -> (width: Int, height: Int)? {
        func pixels(_ size: (width: Int, height: Int)) -> Int {
            let (product, overflow) = size.width.multipliedReportingOverflow(by: size.height)
            return overflow ? Int.max : product
        }
        return sizes(in: bytes).filter { $0.width > 32767 || $0.height > 32767 || pixels($0) > limit }
            .max { pixels($0) < pixels($1) }
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        // PDF white space and delimiters: a name ends at one of these.
        [0x00, 0x09, 0x0A, 0x0C, 0x0D, 0x20, 0x28, 0x29, 0x3C, 0x3E, 0x5B, 0x5D, 0x7B, 0x7D, 0x2F, 0x25].contains(byte)
    }

    private static func isSpace(_ byte: UInt8) -> Bool { [0x00, 0x09, 0x0A, 0x0C, 0x0D, 0x20].contains(byte) }

    /// `/Image` at `at` is the whole name (not `/ImageMask`) and the value of `/Subtype`.
    private static func isSubtypeValue(_ raw: UnsafeRawBufferPointer, at: Int, end: Int) -> Bool {
        guard end >= raw.count || isDelimiter(raw[end]) else { return false }
        var back = at
        while back > 0 && isSpace(raw[back - 1]) { back -= 1 }
        let key = Array("/Subtype".utf8)
        guard back >= key.count else { return false }
        return (0..<key.count).allSatisfy { raw[back - key.count + $0] == key[$0] }
    }

    /// The non-negative integer that follows `key` (and white space) within `lower..<upper`, unless
    /// it is the object number of a reference (`5 0 R`).
    private static func integer(after key: [UInt8], in raw: UnsafeRawBufferPointer, _ lower: Int, _ upper: Int) -> Int? {
        guard let at = find(key, in: raw, from: lower, limit: upper) else { return nil }
        var index = at + key.count
        guard index < upper, isDelimiter(raw[index]) else { return nil }
        while index < upper && isSpace(raw[index]) { index += 1 }
        var value = 0, digits = 0
        while index < upper, (0x30...0x39).contains(raw[index]), digits < 12 {
            value = value * 10 + Int(raw[index] - 0x30)
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        // "W G R": a reference, whose target this does not follow.
        var look = index
        while look < upper && isSpace(raw[look]) { look += 1 }
        var generation = look
        while generation < upper && (0x30...0x39).contains(raw[generation]) { generation += 1 }
        if generation > look {
            while generation < upper && isSpace(raw[generation]) { generation += 1 }
            if generation < upper && raw[generation] == UInt8(ascii: "R") { return nil }
        }
        return value
    }

    /// The first `needle` in `from..<limit` (memchr for its first byte, then a compare: glibc's
    /// memmem is not in Swift's Glibc module).
    private static func find(_ needle: [UInt8], in raw: UnsafeRawBufferPointer, from: Int, limit: Int? = nil) -> Int? {
        let end = min(limit ?? raw.count, raw.count)
        guard let base = raw.baseAddress, let first = needle.first else { return nil }
        var at = from
        while end - at >= needle.count {
            guard let hit = memchr(base + at, Int32(first), end - at - needle.count + 1) else { return nil }
            at = base.distance(to: UnsafeRawPointer(hit))
            if needle.withUnsafeBytes({ memcmp(base + at, $0.baseAddress!, needle.count) }) == 0 { return at }
            at += 1
        }
        return nil
    }

    private static func lastOccurrence(of needle: [UInt8], in raw: UnsafeRawBufferPointer, before: Int) -> Int? {
        let lower = max(0, before - window)
        var found: Int?
        var from = lower
        while let hit = find(needle, in: raw, from: from, limit: before) {
            found = hit
            from = hit + 1
        }
        return found
    }
}
