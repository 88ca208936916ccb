import Crypto
import Foundation

/// SHA-256 of a file's bytes, read in chunks so large files never sit in memory whole.
public enum ContentHash {
    public static func sha256(ofFile path: String, chunkSize: Int = 1 << 20) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw PipelineError.unreadable(path: path, reason: "cannot open for reading")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let chunk: Data
            do {
                chunk = try handle.read(upToCount: chunkSize) ?? Data()
            } catch {
                throw PipelineError.unreadable(path: path, reason: "read failed (\(error.localizedDescription))")
            }
            if chunk.isEmpty { break }
            hasher.update(data: chunk)
        }
        return hex(hasher.finalize())
    }

    public static func sha256(of bytes: Data) -> String {
        hex(SHA256.hash(data: bytes))
    }

    private static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
