import ArchiveServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging

/// Runs `body` against the real router, in process, with the given fakes.
func withServer<Value: Sendable>(
    _ configuration: ServerConfiguration = ServerConfiguration(),
    recogniser: FakeRecogniser = FakeRecogniser(),
    archive: FakeArchive = FakeArchive(),
    _ body: @Sendable @escaping (any TestClientProtocol) async throws -> Value
) async throws -> Value {
    var logger = Logger(label: "ArchiveServerTests")
    logger.logLevel = .critical
    let app = try buildApplication(configuration: configuration, recogniser: recogniser, archive: archive, logger: logger)
    return try await app.test(.router) { client in try await body(client) }
}

struct MultipartFile {
    var field: String = "image"
    var filename: String?
    var contentType: String = "application/octet-stream"
    var bytes: [UInt8]
}

let testBoundary = "----docvault-test-boundary-7MA4YWxkTrZu0gW"

func multipartBody(_ files: [MultipartFile], boundary: String = testBoundary) -> ByteBuffer {
    var bytes: [UInt8] = []
    for file in files {
        var disposition = "Content-Disposition: form-data; name=\"\(file.field)\""
        if let filename = file.filename { disposition += "; filename=\"\(filename)\"" }
        bytes += Array("--\(boundary)\r\n\(disposition)\r\nContent-Type: \(file.contentType)\r\n\r\n".utf8)
        bytes += file.bytes
        bytes += Array("\r\n".utf8)
    }
    bytes += Array("--\(boundary)--\r\n".utf8)
    return ByteBuffer(bytes: bytes)
}

func multipartHeaders(boundary: String = testBoundary, extra: HTTPFields = [:]) -> HTTPFields {
    var headers = extra
    headers[.contentType] = "multipart/form-data; boundary=\(boundary)"
    return headers
}

func jsonHeaders(_ extra: HTTPFields = [:]) -> HTTPFields {
    var headers = extra
    headers[.contentType] = "application/json"
    return headers
}

func bearer(_ token: String) -> HTTPFields {
    var headers: HTTPFields = [:]
    headers[.authorization] = "Bearer \(token)"
    return headers
}

/// Posts one PNG header file to /api/ocr.
func postImage(_ client: any TestClientProtocol, query: String = "", width: Int = 800, height: Int = 600,
               headers: HTTPFields = [:]) async throws -> TestResponse {
    let body = multipartBody([MultipartFile(filename: "page.png", contentType: "image/png",
                                            bytes: TestImages.pngHeader(width: width, height: height))])
    return try await client.execute(uri: "/api/ocr\(query)", method: .post, headers: multipartHeaders(extra: headers), body: body)
}

extension TestResponse {
    var text: String { String(buffer: body) }

    func json() throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
        guard let dictionary = object as? [String: Any] else { throw JSONShapeError.notAnObject(text) }
        return dictionary
    }

    func jsonArray() throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView))
        guard let array = object as? [[String: Any]] else { throw JSONShapeError.notAnArray(text) }
        return array
    }

    /// The message of an `{"error": "..."}` body, or nil when the body has another shape.
    var errorMessage: String? { (try? json())?["error"] as? String }
}

enum JSONShapeError: Error { case notAnObject(String), notAnArray(String) }

let testToken = "s3cret-token-for-tests-0123456789"
