import Foundation

/// A sorted word list (lower-case ASCII letters, one word per line; weights/lexicon.txt), kept as
/// one byte buffer with offsets and searched by bisection: ~100,000 English words cost ~1.4 MB
/// instead of the ~6 MB of a Set<String>.
public struct Lexicon: Sendable {
    private let bytes: [UInt8]
    /// Start of every word in `bytes`, plus the end of the last one.
    private let starts: [Int32]

    public var count: Int { starts.count - 1 }

    /// Words in any order and case; kept lower-cased, sorted, without duplicates. Words with
    /// anything but ASCII letters are ignored.
    public init<S: Sequence>(words: S) where S.Element: StringProtocol {
        var lowered = words.compactMap { word -> [UInt8]? in
            let u = Array(word.utf8).map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
            return !u.isEmpty && u.allSatisfy({ $0 >= 97 && $0 <= 122 }) ? u : nil
        }
        lowered.sort { $0.lexicographicallyPrecedes($1) }
        var bytes: [UInt8] = []
        var starts: [Int32] = [0]
        var previous: [UInt8]?
        for word in lowered where word != previous {
            bytes += word
            starts.append(Int32(bytes.count))
            previous = word
        }
        self.bytes = bytes
        self.starts = starts
    }

    /// Reads a word list file; throws `PipelineError.modelUnavailable` naming the file when it
    /// cannot be read.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError.modelUnavailable(reason: "\(path): cannot read the lexicon")
        }
        if let sorted = Lexicon(sortedLines: [UInt8](data)) {
            self = sorted
        } else {
            self.init(words: String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline))
        }
    }

    /// The fast path for a file as scripts/make-lexicon writes it (lower-case, sorted, unique):
    /// taken over in place, a few milliseconds and no per-word allocation; nil if it is not so.
    private init?(sortedLines data: [UInt8]) {
        var starts: [Int32] = [0]
        var bytes: [UInt8] = []
        bytes.reserveCapacity(data.count)
        var previous = 0..<0
        var start = 0
        for end in data.indices where data[end] == 10 || end == data.count - 1 {
            let stop = data[end] == 10 ? end : end + 1
            let word = start..<(stop > start && data[stop - 1] == 13 ? stop - 1 : stop)
            start = end + 1
            guard !word.isEmpty else { continue }
            guard data[word].allSatisfy({ $0 >= 97 && $0 <= 122 }),
                  previous.isEmpty || data[previous].lexicographicallyPrecedes(data[word])
            else { return nil }
            bytes += data[word]
            starts.append(Int32(bytes.count))
            previous = word
        }
        self.bytes = bytes
        self.starts = starts
    }

    /// Whether `word` (ASCII letters, any case) is in the list.
    public func contains(_ word: some StringProtocol) -> Bool {
        var key: [UInt8] = []
        for b in word.utf8 {
            let lower = b >= 65 && b <= 90 ? b + 32 : b
            guard lower >= 97 && lower <= 122 else { return false }
            key.append(lower)
        }
        guard !key.isEmpty else { return false }
        var lo = 0, hi = count
        return bytes.withUnsafeBufferPointer { all in
            while lo < hi {
                let mid = (lo + hi) / 2
                let word = all[Int(starts[mid])..<Int(starts[mid + 1])]
                if word.elementsEqual(key) { return true }
                if word.lexicographicallyPrecedes(key) { lo = mid + 1 } else { hi = mid }
            }
            return false
        }
    }
}
