/// Deterministic mutations of a seed input (a small xorshift generator, so a run is repeatable
/// from its seed): bit flips, byte overwrites with boundary values, chunk deletion, duplication and
/// splicing from another seed, truncation, and 16/32-bit fields set to extreme numbers.
struct Mutator {
    private var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    mutating func below(_ bound: Int) -> Int { bound <= 1 ? 0 : Int(next() % UInt64(bound)) }

    static let interesting: [UInt32] = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000,
                                        0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 100_000, 65_500]

    mutating func mutate(_ input: [UInt8], other: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0...below(4) {
            guard !bytes.isEmpty else { return other }
            switch below(8) {
            case 0, 1:
                let at = below(bytes.count)
                bytes[at] ^= UInt8(1) << UInt8(below(8))
            case 2:
                bytes[below(bytes.count)] = UInt8(truncatingIfNeeded: Self.interesting[below(Self.interesting.count)])
            case 3:
                let at = below(bytes.count), length = min(bytes.count - at, 1 + below(64))
                bytes.removeSubrange(at..<at + length)
            case 4:
                let at = below(bytes.count), length = min(bytes.count - at, 1 + below(64))
                bytes.insert(contentsOf: bytes[at..<at + length], at: below(bytes.count))
            case 5:
                guard !other.isEmpty else { continue }
                let from = below(other.count), length = min(other.count - from, 1 + below(256))
                let at = below(bytes.count)
                bytes.replaceSubrange(at..<min(bytes.count, at + length), with: other[from..<from + length])
            case 6:
                bytes = Array(bytes.prefix(1 + below(bytes.count)))
            default:
                // A 16- or 32-bit field (either byte order) set to a boundary value: sizes, counts, offsets.
                let value = Self.interesting[below(Self.interesting.count)]
                let width = below(2) == 0 ? 2 : 4
                guard bytes.count > width else { continue }
                let at = below(bytes.count - width)
                let bigEndian = below(2) == 0
                for k in 0..<width {
                    let shift = UInt32(8 * (bigEndian ? width - 1 - k : k))
                    bytes[at + k] = UInt8(truncatingIfNeeded: value >> shift)
                }
            }
        }
        return bytes
    }

    /// A search query assembled from pieces that stress the parser: operators, quotes,
    /// wildcards, FTS5 syntax a user might type, control characters, CJK and combining marks.
    mutating func query() -> String {
        let pieces = ["invoice", "发票", "号码", "\"", "\"\"", "*", "**", "-", "--", "OR", "AND", "NOT", "or", "|", "&",
                      "(", ")", "^", ":", "NEAR(", "NEAR/2", "{", "}", "col:", "text:", "+", "'", "\\", "%", "_",
                      "\u{0}", "\u{7}", "\n", "\t", "\u{301}", "e\u{301}", "😀", "👩‍👩‍👧", "\u{200B}", "\u{FEFF}", "ß",
                      "İ", "ﬁ", "１２３", "1,234.50", "GB29", "a", "ab*", "abcdef*", "发*", "-发票", "\"invoice", "x\"y",
                      String(repeating: "a", count: 300), String(repeating: "发", count: 100), "\u{10FFFF}", "\u{FFFD}"]
        var text = ""
        for _ in 0..<(1 + below(8)) {
            text += pieces[below(pieces.count)]
            if below(3) > 0 { text += " " }
        }
        return text
    }
}
