// The token rules of the archive's full-text index, shared by the FTS5 tokenizer (documents)
// and the query parser (which must know whether a term yields any token at all).
//
// - Every CJK character (hanzi, kana, hangul, CJK compatibility ideographs) is its own token,
//   so a Chinese query of any length is a phrase of single characters.
// - Runs of letters and digits are one token, case-folded and diacritic-folded.
// - Full-width ASCII (Ａ１，) counts as its ASCII twin.
// - Digit grouping is dropped: a comma between a digit and exactly three digits is skipped,
//   so `1,234.50` and `1234.50` both give `1234` `50`. A period is a boundary.
// - Leading zeros of a digit-only token are dropped unless it follows a decimal point,
//   so `2024年05月` meets `2024年5月` while `1.05` stays apart from `1.5`.
// - Everything else (punctuation, currency signs, spaces) separates tokens.
// Offsets are byte offsets into the UTF-8 text, as FTS5 wants, so highlights land exactly.

import Foundation

enum TokenScanner {
    /// Calls `emit(token, start, end)` for each token of `text` (UTF-8 bytes).
    /// `token` is only valid during the call. Returns early with the first non-zero `emit` result.
    static func scan(
        _ text: UnsafeBufferPointer<UInt8>,
        emit: (UnsafeBufferPointer<UInt8>, Int, Int) -> Int32
    ) -> Int32 {
        var run = RunBuffer()
        var index = 0
        let count = text.count
        while index < count {
            let (raw, length) = decode(text, at: index)
            let scalar = fullWidthToASCII(raw)
            if isCJK(scalar) {
                if let code = run.flush(end: index, emit: emit) { return code }
                let code = emit(UnsafeBufferPointer(rebasing: text[index..<(index + length)]), index, index + length)
                if code != 0 { return code }
            } else if let folded = foldedAlphanumeric(scalar) {
                if run.isEmpty {
                    run.start = index
                    run.followsDecimalPoint = index >= 2 && text[index - 1] == UInt8(ascii: ".")
                        && isASCIIDigit(text[index - 2]) && folded.isDigit
                }
                run.append(folded)
            } else if scalar == ",", run.lastWasDigit, isGroupOfThree(text, after: index + length) {
                // A thousands separator: the number continues after it.
            } else {
                if let code = run.flush(end: index, emit: emit) { return code }
            }
            index += length
        }
        return run.flush(end: count, emit: emit) ?? 0
    }

    /// The tokens of a string, for the query parser and tests.
    static func tokens(of string: String) -> [String] {
        var result: [String] = []
        var utf8 = Array(string.utf8)
        _ = utf8.withUnsafeMutableBufferPointer { buffer in
            scan(UnsafeBufferPointer(buffer)) { token, _, _ in
                result.append(String(decoding: token, as: UTF8.self))
                return 0
            }
        }
        return result
    }

    static func isCJK(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x31F0...0x31FF: true        // hiragana, katakana
        case 0x3400...0x4DBF, 0x4E00...0x9FFF: true        // CJK unified ideographs (+ ext. A)
        case 0xF900...0xFAFF, 0x20000...0x3FFFF: true      // compatibility, ext. B and later
        case 0xAC00...0xD7AF, 0x1100...0x11FF, 0x3130...0x318F: true  // hangul
        case 0x3005, 0x3007: true                          // 々 〇
        default: false
        }
    }

    /// Full-width ASCII forms (U+FF01...U+FF5E) and the ideographic space become ASCII.
    static func fullWidthToASCII(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar.value {
        case 0xFF01...0xFF5E: Unicode.Scalar(scalar.value - 0xFEE0)!
        case 0x3000: " "
        default: scalar
        }
    }

    /// The folded UTF-8 of a letter or digit, or nil for anything that separates tokens.
    /// ASCII (nearly all Latin text) takes the allocation-free case.
    private static func foldedAlphanumeric(_ scalar: Unicode.Scalar) -> Folded? {
        let value = scalar.value
        if value < 0x80 {
            let byte = UInt8(value)
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"): return .ascii(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): return .ascii(byte + 32)
            default: return nil
            }
        }
        let properties = scalar.properties
        if properties.numericType == .decimal, let digit = properties.numericValue {
            return .ascii(UInt8(ascii: "0") + UInt8(digit))
        }
        guard properties.isAlphabetic else { return nil }
        // Rare path (accented Latin, Greek, Cyrillic): decompose, drop the marks, lowercase.
        let decomposed = String(Character(scalar)).decomposedStringWithCanonicalMapping
        let base = decomposed.unicodeScalars.filter { $0.properties.generalCategory != .nonspacingMark }
        var folded = String(String.UnicodeScalarView(base)).lowercased()
        if folded == "ß" { folded = "ss" }
        return folded.isEmpty ? nil : .other(Array(folded.utf8))
    }

    /// Whether exactly three digits (ASCII or full-width) follow `index`.
    private static func isGroupOfThree(_ text: UnsafeBufferPointer<UInt8>, after index: Int) -> Bool {
        var position = index
        for digitsSeen in 0...3 {
            guard position < text.count else { return digitsSeen == 3 }
            let (raw, length) = decode(text, at: position)
            let isDigit = fullWidthToASCII(raw).properties.numericType == .decimal
            if digitsSeen == 3 { return !isDigit }
            if !isDigit { return false }
            position += length
        }
        return false
    }

    private static func isASCIIDigit(_ byte: UInt8?) -> Bool {
        guard let byte else { return false }
        return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// Decodes one scalar; invalid UTF-8 decodes as U+FFFD over one byte.
    private static func decode(_ text: UnsafeBufferPointer<UInt8>, at index: Int) -> (Unicode.Scalar, Int) {
        let lead = text[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        guard length > 1, index + length <= text.count else { return ("\u{FFFD}", 1) }
        var value = UInt32(lead) & (0xFF >> (length + 1))
        for offset in 1..<length {
            let byte = text[index + offset]
            guard byte & 0xC0 == 0x80 else { return ("\u{FFFD}", 1) }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        guard let scalar = Unicode.Scalar(value) else { return ("\u{FFFD}", 1) }
        return (scalar, length)
    }
}

enum Folded {
    case ascii(UInt8)
    case other([UInt8])

    var isDigit: Bool {
        if case .ascii(let byte) = self { return byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        return false
    }
}

/// The letters and digits of the token being built.
private struct RunBuffer {
    var bytes: [UInt8] = []
    var start = 0
    var allDigits = true
    var lastWasDigit = false
    var followsDecimalPoint = false

    var isEmpty: Bool { bytes.isEmpty }

    init() { bytes.reserveCapacity(64) }

    mutating func append(_ folded: Folded) {
        switch folded {
        case .ascii(let byte): bytes.append(byte)
        case .other(let utf8): bytes.append(contentsOf: utf8)
        }
        let isDigit = folded.isDigit
        allDigits = allDigits && isDigit
        lastWasDigit = isDigit
    }

    /// Emits the run as one token ending at byte `end`; nil when FTS5 should carry on.
    mutating func flush(end: Int, emit: (UnsafeBufferPointer<UInt8>, Int, Int) -> Int32) -> Int32? {
        guard !bytes.isEmpty else { return nil }
        defer {
            bytes.removeAll(keepingCapacity: true)
            allDigits = true
            lastWasDigit = false
        }
        var first = 0
        if allDigits && !followsDecimalPoint {
            while first < bytes.count - 1 && bytes[first] == UInt8(ascii: "0") { first += 1 }
        }
        let code = bytes.withUnsafeBufferPointer { buffer in
            emit(UnsafeBufferPointer(rebasing: buffer[first...]), start, end)
        }
        return code == 0 ? nil : code
    }
}
