import ArchiveServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct OCREndpointTests {
    @Test func oneFileAnswersTruthFormatPlusFlatLists() async throws {
        try await withServer { client in
            let response = try await postImage(client, width: 800, height: 600)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let json = try response.json()
            #expect(json["text"] as? [String] == ["Invoice 2024-05-12", "合计 ¥860.00"])
            #expect(json["filename"] as? String == "page.png")
            #expect(json["kind"] as? String == "png")
            let lines = try #require(json["lines"] as? [[String: Any]])
            #expect(lines.count == 2)
            #expect(lines[0]["bbox"] as? [Int] == [80, 60, 720, 90])
            #expect(lines[1]["confidence"] as? Double == 0.62)
            #expect(lines[1]["page"] as? Int == 1)
            let pages = try #require(json["pages"] as? [[String: Any]])
            #expect(pages.first?["width"] as? Int == 800)
            #expect(pages.first?["image"] == nil)
            #expect(json["document_id"] == nil)
        }
    }

    @Test func severalFilesAnswerResultsInOrder() async throws {
        try await withServer { client in
            let body = multipartBody([
                MultipartFile(filename: "a.png", bytes: TestImages.pngHeader(width: 100, height: 200)),
                MultipartFile(field: "note", bytes: Array("ignored field".utf8)),
                MultipartFile(filename: "b.jpg", bytes: TestImages.jpegHeader(width: 300, height: 400)),
            ])
            let response = try await client.execute(uri: "/api/ocr", method: .post, headers: multipartHeaders(), body: body)
            #expect(response.status == .ok)
            let results = try #require(try response.json()["results"] as? [[String: Any]])
            #expect(results.map { $0["filename"] as? String } == ["a.png", "b.jpg"])
            #expect(results.map { $0["kind"] as? String } == ["png", "jpeg"])
        }
    }

    @Test func base64JSONBodyIsAccepted() async throws {
        try await withServer { client in
            let png = Data(TestImages.pngHeader(width: 640, height: 480)).base64EncodedString()
            let json = #"{"images": ["\#(png)", "data:image/png;base64,\#(png)"], "filenames": ["x/../scan.png"]}"#
            let response = try await client.execute(uri: "/api/ocr", method: .post, headers: jsonHeaders(),
                                                    body: ByteBuffer(string: json))
            #expect(response.status == .ok)
            let results = try #require(try response.json()["results"] as? [[String: Any]])
            #expect(results.map { $0["filename"] as? String } == ["scan.png", "upload-2"])
        }
    }

    @Test func storeAndImagesFlags() async throws {
        let archive = FakeArchive()
        try await withServer(archive: archive) { client in
            let response = try await postImage(client, query: "?store=1&images=1")
            #expect(response.status == .ok)
            let json = try response.json()
            #expect(json["document_id"] as? Int == 2)
            let pages = try #require(json["pages"] as? [[String: Any]])
            #expect((pages[0]["image"] as? String)?.hasPrefix("data:image/png;base64,iVBORw0KGgo") == true)
            for flag in ["?store=maybe", "?store=true", "?images=", "?images=2"] {
                let bad = try await postImage(client, query: flag)
                #expect(bad.status == .badRequest, "\(flag)")
                #expect(bad.errorMessage?.hasSuffix("= takes 1 or 0") == true)
            }
        }
        #expect(archive.count == 2)
    }

    @Test func scriptInRecognisedTextStaysInertInJSON() async throws {
        let payload = "<script>alert(1)</script> & \"quotes\""
        try await withServer(recogniser: FakeRecogniser(lineTexts: [payload])) { client in
            let response = try await postImage(client)
            #expect(response.status == .ok)
            #expect(!response.text.contains("<"))
            #expect(!response.text.contains(">"))
            #expect(try response.json()["text"] as? [String] == [payload])
        }
    }

    @Test func wrongContentTypeAndUnknownFileTypeAre415() async throws {
        try await withServer { client in
            var plain: HTTPFields = [:]
            plain[.contentType] = "text/plain"
            let text = try await client.execute(uri: "/api/ocr", method: .post, headers: plain, body: ByteBuffer(string: "hi"))
            #expect(text.status == .unsupportedMediaType)
            #expect(text.errorMessage?.contains("multipart/form-data") == true)

            let body = multipartBody([MultipartFile(filename: "evil.png", bytes: Array("GIF89a not ours".utf8))])
            let gif = try await client.execute(uri: "/api/ocr", method: .post, headers: multipartHeaders(), body: body)
            #expect(gif.status == .unsupportedMediaType)
            #expect(gif.errorMessage == "evil.png: not a PDF, PNG, JPEG or TIFF file")
        }
    }

    @Test func limitsAnswer413() async throws {
        var configuration = ServerConfiguration(maxBodyBytes: 4096, maxFilesPerRequest: 2)
        configuration.uploadLimits.maxPixelsPerPage = 1_000_000
        try await withServer(configuration) { client in
            let big = multipartBody([MultipartFile(filename: "big.png", bytes: TestImages.pngHeader(width: 10, height: 10)
                                                    + [UInt8](repeating: 0, count: 5000))])
            let tooBig = try await client.execute(uri: "/api/ocr", method: .post, headers: multipartHeaders(), body: big)
            #expect(tooBig.status == .contentTooLarge)
            #expect(tooBig.errorMessage == "request body is over the 4096-byte limit")

            let bomb = try await postImage(client, width: 100_000, height: 100_000)
            #expect(bomb.status == .contentTooLarge)
            #expect(bomb.errorMessage?.hasPrefix("page.png: 100000×100000 pixels") == true)
            let overflow = try await postImage(client, width: 0xFFFF_FFFF, height: 0xFFFF_FFFF)
            #expect(overflow.status == .contentTooLarge)
            let jpegBomb = multipartBody([MultipartFile(filename: "b.jpg", bytes: TestImages.jpegHeader(width: 60000, height: 60000))])
            let jpeg = try await client.execute(uri: "/api/ocr", method: .post, headers: multipartHeaders(), body: jpegBomb)
            #expect(jpeg.status == .contentTooLarge)

            let three = multipartBody((1...3).map { MultipartFile(filename: "\($0).png", bytes: TestImages.pngHeader(width: 9, height: 9)) })
            let many = try await client.execute(uri: "/api/ocr", method: .post, headers: multipartHeaders(), body: three)
            #expect(many.status == .contentTooLarge)
            #expect(many.errorMessage == "3 files in one request; the limit is 2")
        }
    }

    @Test func malformedUploadsAre400() async throws {
        try await withServer { client in
            var noBoundary: HTTPFields = [:]
            noBoundary[.contentType] = "multipart/form-data"
            let cases: [(HTTPFields, String, String)] = [
                (noBoundary, "--x\r\n", "multipart body without a boundary parameter in Content-Type"),
                (multipartHeaders(), "no boundary anywhere", "multipart body does not start with its boundary"),
                (multipartHeaders(), "--\(testBoundary)\r\nContent-Disposition: form-data; name=\"image\"\r\n\r\ntruncated",
                 "multipart part 1: not closed by a boundary (truncated upload?)"),
                (multipartHeaders(), "--\(testBoundary)\r\nContent-Type: image/png\r\n\r\nx\r\n--\(testBoundary)--",
                 "multipart part 1: no Content-Disposition form-data header"),
                (multipartHeaders(), "--\(testBoundary)--\r\n", "no file: send one or more files in the multipart field 'image'"),
                (jsonHeaders(), "{\"images\": [\"not base64!\"]}", "images[0] is not valid base64"),
                (jsonHeaders(), "{\"image\": 1}", "JSON body must be {\"images\": [\"<base64>\", ...], \"filenames\": [...] (optional)}"),
            ]
            for (headers, body, message) in cases {
                let response = try await client.execute(uri: "/api/ocr", method: .post, headers: headers, body: ByteBuffer(string: body))
                #expect(response.status == .badRequest, "\(body)")
                #expect(response.errorMessage == message)
            }
            let empty = multipartBody([MultipartFile(filename: "empty.png", bytes: [])])
            let emptyFile = try await client.execute(uri: "/api/ocr", method: .post, headers: multipartHeaders(), body: empty)
            #expect(emptyFile.status == .badRequest)
            #expect(emptyFile.errorMessage == "empty.png: the file is empty")
        }
    }

    @Test func recogniserErrorsMapToStatusesWithoutLeakingInternals() async throws {
        let failing = FakeRecogniser(.fail(ArchiveServerError.badInput("page.png: PNG data is truncated")))
        try await withServer(recogniser: failing) { client in
            let response = try await postImage(client)
            #expect(response.status == .badRequest)
            #expect(response.errorMessage == "page.png: PNG data is truncated")
        }
        let crashing = FakeRecogniser(.fail(FakeError.secretInternalFailure("/srv/secret/path")))
        try await withServer(recogniser: crashing) { client in
            let response = try await postImage(client)
            #expect(response.status == .internalServerError)
            #expect(response.errorMessage == "internal error (see the server log)")
            #expect(!response.text.contains("secret"))
        }
    }
}
