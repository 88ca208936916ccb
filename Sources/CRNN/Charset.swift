import Foundation

/// The classes of the model (weights/MODEL.md): line k of charset.txt is class k + 1, class 0 is the
/// CTC blank and has no line.
public struct Charset: Sendable, Equatable {
    /// One Unicode scalar per non-blank class; `scalars[k]` is class k + 1.
    public let scalars: [Unicode.Scalar]
    /// Hex SHA-256 of the file's bytes.
    public let sha256: String
    /// The class of the word space " ", if the charset has one.
    public let spaceClass: Int?

    /// Number of classes including the blank.
    public var classCount: Int { scalars.count + 1 }

    /// The character of class `index` (1-based; 0 is the blank and has none).
    public func character(ofClass index: Int) -> Unicode.Scalar { scalars[index - 1] }

    public init(path: String) throws(CRNNError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .invalidCharset(file: path, reason: "cannot read: \(error.localizedDescription)")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    /// Parses charset bytes: lines separated by "\n", nothing trimmed; a final "\n" ends the last
    /// line rather than starting an empty one.
    init(bytes: [UInt8], path: String) throws(CRNNError) {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidCharset(file: path, reason: "not valid UTF-8")
        }
        var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        if text.unicodeScalars.last == "\n" { lines.removeLast() }
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(lines.count)
        for (index, line) in lines.enumerated() {
            guard line.count == 1, let scalar = line.first else {
                throw .invalidCharset(file: path, reason: "line \(index + 1) holds \(line.count) Unicode scalars, expected exactly 1")
            }
            scalars.append(scalar)
        }
        self.scalars = scalars
        self.sha256 = SHA256.hex(bytes)
        self.spaceClass = scalars.firstIndex(of: " ").map { $0 + 1 }
    }
}
