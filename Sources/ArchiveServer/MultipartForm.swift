/// One part of a `multipart/form-data` body (RFC 7578 over RFC 2046 framing).
struct FormPart: Sendable, Equatable {
    var name: String?
    var filename: String?
    var contentType: String?
    var body: [UInt8]
}

enum MultipartError: Error, Equatable {
    case missingBoundary
    case invalidBoundary
    case noOpeningBoundary
    case malformedDelimiter(part: Int)
    case headersTooLong(part: Int)
    case unterminatedHeaders(part: Int)
    case malformedHeader(part: Int)
    case missingContentDisposition(part: Int)
    case unterminatedPart(part: Int)
    case tooManyParts(limit: Int)

    var message: String {
        switch self {
        case .missingBoundary: "multipart body without a boundary parameter in Content-Type"
        case .invalidBoundary: "multipart boundary must be 1 to 70 characters"
        case .noOpeningBoundary: "multipart body does not start with its boundary"
        case .malformedDelimiter(let part): "multipart part \(part): boundary not followed by a line break"
        case .headersTooLong(let part): "multipart part \(part): headers longer than 8 KiB"
        case .unterminatedHeaders(let part): "multipart part \(part): headers not ended by an empty line"
        case .malformedHeader(let part): "multipart part \(part): a header line without a colon"
        case .missingContentDisposition(let part): "multipart part \(part): no Content-Disposition form-data header"
        case .unterminatedPart(let part): "multipart part \(part): not closed by a boundary (truncated upload?)"
        case .tooManyParts(let limit): "multipart body has more than \(limit) parts"
        }
    }
}

enum MultipartForm {
    static let maxHeaderBytes = 8 * 1024

    /// The boundary parameter of a `multipart/form-data` Content-Type, quoted or not.
    static func boundary(contentType: String) throws(MultipartError) -> String {
        let parameters = HeaderParameters.parse(contentType)
        guard let boundary = parameters.values["boundary"] else { throw .missingBoundary }
        guard (1...70).contains(boundary.utf8.count) else { throw .invalidBoundary }
        return boundary
    }

    static func parse(_ body: [UInt8], boundary: String, maxParts: Int) throws(MultipartError) -> [FormPart] {
        let dashBoundary = Array("--\(boundary)".utf8)
        let delimiter = [13, 10] + dashBoundary  // CRLF "--" boundary
        let crlf: [UInt8] = [13, 10]
        var position: Int
        if body.starts(with: dashBoundary) {
            position = 0
        } else if let found = BytePattern(delimiter).firstIndex(in: body, from: 0) {
            position = found + 2  // skip the preamble
        } else {
            throw .noOpeningBoundary
        }
        let delimiterPattern = BytePattern(delimiter)
        var parts: [FormPart] = []
        while true {
            var cursor = position + dashBoundary.count
            if body[cursor...].starts(with: [45, 45]) { return parts }  // "--": close delimiter
            let partNumber = parts.count + 1
            guard partNumber <= maxParts else { throw .tooManyParts(limit: maxParts) }
            while cursor < body.count, body[cursor] == 32 || body[cursor] == 9 { cursor += 1 }  // padding
            guard body[cursor...].starts(with: crlf) else { throw .malformedDelimiter(part: partNumber) }
            cursor += 2
            let headerEnd: Int
            let contentStart: Int
            if body[cursor...].starts(with: crlf) {
                headerEnd = cursor
                contentStart = cursor + 2
            } else {
                let limit = min(body.count, cursor + maxHeaderBytes)
                guard let end = BytePattern([13, 10, 13, 10]).firstIndex(in: body, from: cursor, upTo: limit) else {
                    throw limit < body.count ? .headersTooLong(part: partNumber) : .unterminatedHeaders(part: partNumber)
                }
                headerEnd = end
                contentStart = end + 4
            }
            var part = try parseHeaders(body[cursor..<headerEnd], part: partNumber)
            guard let next = delimiterPattern.firstIndex(in: body, from: contentStart) else {
                throw .unterminatedPart(part: partNumber)
            }
            part.body = Array(body[contentStart..<next])
            parts.append(part)
            position = next + 2
        }
    }

    private static func parseHeaders(_ bytes: ArraySlice<UInt8>, part: Int) throws(MultipartError) -> FormPart {
        var result = FormPart(name: nil, filename: nil, contentType: nil, body: [])
        var sawDisposition = false
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { throw .malformedHeader(part: part) }
            let name = line[..<colon].trimmingSpaces.lowercased()
            let value = String(line[line.index(after: colon)...].trimmingSpaces)
            switch name {
            case "content-disposition":
                let parameters = HeaderParameters.parse(value)
                guard parameters.main.lowercased() == "form-data" else { throw .missingContentDisposition(part: part) }
                sawDisposition = true
                result.name = parameters.values["name"]
                result.filename = parameters.values["filename"]
            case "content-type":
                result.contentType = value
            default:
                continue
            }
        }
        guard sawDisposition else { throw .missingContentDisposition(part: part) }
        return result
    }
}

/// `main; key=value; key="quoted \" value"` as in Content-Type and Content-Disposition.
struct HeaderParameters: Equatable {
    var main: String
    var values: [String: String]

    static func parse(_ header: String) -> HeaderParameters {
        var characters = Substring(header)
        let main = takeUntil(&characters, ";").trimmingSpaces
        var values: [String: String] = [:]
        while !characters.isEmpty {
            characters = characters.dropFirst()  // the ";"
            let key = takeUntil(&characters, "=;").trimmingSpaces.lowercased()
            guard characters.first == "=" else { continue }
            characters = characters.dropFirst().drop(while: { $0 == " " || $0 == "\t" })
            let value: String
            if characters.first == "\"" {
                value = takeQuoted(&characters)
                _ = takeUntil(&characters, ";")
            } else {
                value = String(takeUntil(&characters, ";").trimmingSpaces)
            }
            // The first occurrence wins; `filename*` (RFC 5987) is a different key and ignored.
            if !key.isEmpty, values[key] == nil { values[key] = value }
        }
        return HeaderParameters(main: String(main), values: values)
    }

    private static func takeUntil(_ characters: inout Substring, _ stops: String) -> Substring {
        let end = characters.firstIndex(where: { stops.contains($0) }) ?? characters.endIndex
        defer { characters = characters[end...] }
        return characters[..<end]
    }

    private static func takeQuoted(_ characters: inout Substring) -> String {
        var value = ""
        var index = characters.index(after: characters.startIndex)
        while index < characters.endIndex {
            let character = characters[index]
            if character == "\"" {
                characters = characters[characters.index(after: index)...]
                return value
            }
            if character == "\\", characters.index(after: index) < characters.endIndex {
                index = characters.index(after: index)
            }
            value.append(characters[index])
            index = characters.index(after: index)
        }
        characters = characters[characters.endIndex...]
        return value
    }
}

/// Boyer-Moore-Horspool search, so a 30 MB upload is scanned in one pass even when its bytes keep
/// almost matching the boundary.
struct BytePattern {
    let needle: [UInt8]
    private let shifts: [Int]

    init(_ needle: [UInt8]) {
        precondition(!needle.isEmpty)
        self.needle = needle
        var shifts = [Int](repeating: needle.count, count: 256)
        for index in 0..<(needle.count - 1) { shifts[Int(needle[index])] = needle.count - 1 - index }
        self.shifts = shifts
    }

    func firstIndex(in haystack: [UInt8], from start: Int, upTo end: Int? = nil) -> Int? {
        let end = end ?? haystack.count
        let last = needle.count - 1
        var position = start
        while position + last < end {
            var index = last
            while haystack[position + index] == needle[index] {
                if index == 0 { return position }
                index -= 1
            }
            position += shifts[Int(haystack[position + last])]
        }
        return nil
    }
}

extension StringProtocol {
    var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        let start = firstIndex(where: { !isSpace($0) }) ?? endIndex
        let end = lastIndex(where: { !isSpace($0) }).map(index(after:)) ?? start
        return Substring(self[start..<Swift.max(start, end)])
    }
}
