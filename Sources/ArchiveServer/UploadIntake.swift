import Foundation
import Hummingbird

/// Turns a `POST /api/ocr` body (multipart field `image`, or JSON `{"images": [base64...]}`) into
/// checked uploads: size, count, type and pixel limits are all enforced here, before any file
/// reaches a worker.
struct UploadIntake: Sendable {
    let configuration: ServerConfiguration

    func uploads(from request: Request) async throws -> [Upload] {
        let contentType = request.headers[.contentType] ?? ""
        let media = HeaderParameters.parse(contentType).main.lowercased()
        guard media == "multipart/form-data" || media == "application/json" else {
            throw ArchiveServerError.unsupportedType(
                "send multipart/form-data (field 'image') or application/json ({\"images\": [base64, ...]}), not '\(contentType.prefix(100))'")
        }
        let body = try await collectBody(request)
        let files = media == "application/json" ? try jsonFiles(body) : try multipartFiles(body, contentType: contentType)
        guard !files.isEmpty else {
            throw ArchiveServerError.badInput("no file: send one or more files in the multipart field 'image'")
        }
        guard files.count <= configuration.maxFilesPerRequest else {
            throw ArchiveServerError.tooLarge("\(files.count) files in one request; the limit is \(configuration.maxFilesPerRequest)")
        }
        return try files.enumerated().map { index, file in try checkedUpload(file.bytes, name: file.name, index: index) }
    }

    private func collectBody(_ request: Request) async throws -> [UInt8] {
        let limit = configuration.maxBodyBytes
        let tooLarge = ArchiveServerError.tooLarge("request body is over the \(describeBytes(limit)) limit")
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit { throw tooLarge }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw tooLarge
        }
    }

    private func multipartFiles(_ body: [UInt8], contentType: String) throws -> [(name: String?, bytes: [UInt8])] {
        do {
            let boundary = try MultipartForm.boundary(contentType: contentType)
            // Parts beyond the file limit are refused by count; the +8 leaves room for other fields.
            let parts = try MultipartForm.parse(body, boundary: boundary, maxParts: configuration.maxFilesPerRequest + 8)
            return parts.filter { $0.name == "image" || $0.name == "images" }.map { ($0.filename, $0.body) }
        } catch {
            if case .tooManyParts = error { throw ArchiveServerError.tooLarge(error.message) }
            throw ArchiveServerError.badInput(error.message)
        }
    }

    private struct JSONUpload: Decodable {
        var images: [String]
        var filenames: [String]?
    }

    private func jsonFiles(_ body: [UInt8]) throws -> [(name: String?, bytes: [UInt8])] {
        let upload: JSONUpload
        do {
            upload = try JSONDecoder().decode(JSONUpload.self, from: Data(body))
        } catch {
            throw ArchiveServerError.badInput("JSON body must be {\"images\": [\"<base64>\", ...], \"filenames\": [...] (optional)}")
        }
        return try upload.images.enumerated().map { index, encoded in
            var text = Substring(encoded)
            // Accept data URLs as well as bare base64.
            if text.hasPrefix("data:"), let comma = text.firstIndex(of: ",") { text = text[text.index(after: comma)...] }
            let compact = text.filter { !$0.isWhitespace }
            guard let data = Data(base64Encoded: String(compact)) else {
                throw ArchiveServerError.badInput("images[\(index)] is not valid base64")
            }
            let name = upload.filenames.flatMap { index < $0.count ? $0[index] : nil }
            return (name, Array(data))
        }
    }

    private func checkedUpload(_ bytes: [UInt8], name: String?, index: Int) throws -> Upload {
        let fallback = "upload-\(index + 1)"
        let filename = Self.displayName(name) ?? fallback
        guard !bytes.isEmpty else { throw ArchiveServerError.badInput("\(filename): the file is empty") }
        guard let kind = UploadKind(sniffing: bytes) else {
            throw ArchiveServerError.unsupportedType("\(filename): not a PDF, PNG, JPEG or TIFF file")
        }
        let limits = configuration.uploadLimits
        if let size = ImageHeader.pixelSize(of: bytes, kind: kind),
           case let (pixels, overflow) = size.width.multipliedReportingOverflow(by: size.height),
           overflow || pixels > limits.maxPixelsPerPage {
            throw ArchiveServerError.tooLarge(
                "\(filename): \(size.width)×\(size.height) pixels is over the \(limits.maxPixelsPerPage)-pixel limit per page")
        }
        return Upload(filename: filename, kind: kind, bytes: bytes, limits: limits)
    }

    /// The client's name for the file, reduced to something safe to show: last path component, no
    /// control characters, at most 200 characters. Never used as a path.
    static func displayName(_ raw: String?) -> String? {
        guard let raw else { return nil }
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let cleaned = String(last.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.prefix(200)
                                .map(Character.init))
        return cleaned.isEmpty || cleaned == "." || cleaned == ".." ? nil : cleaned
    }
}

func describeBytes(_ count: Int) -> String {
    count >= 1 << 20 && count % (1 << 20) == 0 ? "\(count >> 20) MiB" : "\(count)-byte"
}

/// Image dimensions read from the header alone, so a decompression bomb is refused before anyone
/// decodes it. PDF and TIFF pages are checked by the recogniser (it gets the limits).
enum ImageHeader {
    static func pixelSize(of bytes: [UInt8], kind: UploadKind) -> (width: Int, height: Int)? {
        switch kind {
        case .png: pngSize(bytes)
        case .jpeg: jpegSize(bytes)
        case .pdf, .tiff: nil
        }
    }

    private static func bigEndian(_ bytes: [UInt8], _ offset: Int, _ count: Int) -> Int {
        (offset..<offset + count).reduce(0) { $0 << 8 | Int(bytes[$1]) }
    }

    private static func pngSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4).
        guard bytes.count >= 24, Array(bytes[12..<16]) == Array("IHDR".utf8) else { return nil }
        return (bigEndian(bytes, 16, 4), bigEndian(bytes, 20, 4))
    }

    private static func jpegSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        var offset = 2
        while offset + 9 < bytes.count {
            guard bytes[offset] == 0xFF else { return nil }
            let marker = bytes[offset + 1]
            if marker == 0xFF { offset += 1; continue }  // fill byte
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { offset += 2; continue }
            let length = bigEndian(bytes, offset + 2, 2)
            // SOF0...SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range.
            if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) {
                return (bigEndian(bytes, offset + 7, 2), bigEndian(bytes, offset + 5, 2))
            }
            guard length >= 2 else { return nil }
            offset += 2 + length
        }
        return nil
    }
}
