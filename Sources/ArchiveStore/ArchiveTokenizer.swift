import GRDB

/// The FTS5 tokenizer named `docvault` that `lines_fts` is declared with (see TokenScanner for
/// its rules). A custom tokenizer rather than a wrapper around unicode61, because a wrapper gives
/// every character of a hanzi run the run's offsets and so breaks phrase positions and highlights.
final class ArchiveTokenizer: FTS5CustomTokenizer {
    static let name = "docvault"

    init(db: Database, arguments: [String]) throws {}

    func tokenize(
        context: UnsafeMutableRawPointer?,
        tokenization: FTS5Tokenization,
        pText: UnsafePointer<CChar>?,
        nText: CInt,
        tokenCallback: @escaping FTS5TokenCallback
    ) -> CInt {
        guard let pText, nText > 0 else { return 0 }  // SQLITE_OK
        let text = UnsafeRawPointer(pText).assumingMemoryBound(to: UInt8.self)
        let buffer = UnsafeBufferPointer(start: text, count: Int(nText))
        return TokenScanner.scan(buffer) { token, start, end in
            token.withMemoryRebound(to: CChar.self) { chars in
                tokenCallback(context, 0, chars.baseAddress, CInt(chars.count), CInt(start), CInt(end))
            }
        }
    }
}
