@testable import ArchiveServer
import Testing

@Suite struct MultipartFormTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func boundaryFromContentType() throws {
        #expect(try MultipartForm.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(try MultipartForm.boundary(contentType: "multipart/form-data;boundary=\"a b;c\"; charset=utf-8") == "a b;c")
        #expect(try MultipartForm.boundary(contentType: "Multipart/Form-Data; BOUNDARY=xyz") == "xyz")
        #expect(throws: MultipartError.missingBoundary) { try MultipartForm.boundary(contentType: "multipart/form-data") }
        #expect(throws: MultipartError.invalidBoundary) {
            try MultipartForm.boundary(contentType: "multipart/form-data; boundary=" + String(repeating: "b", count: 71))
        }
    }

    @Test func partsWithPreambleFilenamesAndBinaryBodies() throws {
        // The body contains CR LF "--" and a near-copy of the boundary, which must not end the part.
        let binary: [UInt8] = [0, 13, 10, 45, 45, 88, 13, 10, 45, 45, 66, 79, 85, 255, 13, 10]
        let body = bytes("preamble to ignore\r\n--BOUN\r\n"
                         + "Content-Disposition: form-data; name=\"image\"; filename=\"a \\\"quoted\\\" name.png\"\r\n"
                         + "Content-Type: image/png\r\n\r\n") + binary
            + bytes("\r\n--BOUN  \r\ncontent-disposition: FORM-DATA; name=note\r\n\r\n\r\n--BOUN--\r\nepilogue")
        let parts = try MultipartForm.parse(body, boundary: "BOUN", maxParts: 5)
        #expect(parts.count == 2)
        #expect(parts[0] == FormPart(name: "image", filename: "a \"quoted\" name.png", contentType: "image/png", body: binary))
        #expect(parts[1] == FormPart(name: "note", filename: nil, contentType: nil, body: []))
    }

    @Test func malformedBodiesNameThePartAndReason() {
        let cases: [(String, MultipartError)] = [
            ("", .noOpeningBoundary),
            ("--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end", .unterminatedPart(part: 1)),
            ("--B\r\nContent-Disposition: form-data; name=\"a\"", .unterminatedHeaders(part: 1)),
            ("--Bjunk\r\n\r\n\r\n--B--", .malformedDelimiter(part: 1)),
            ("--B\r\nno colon here\r\n\r\nx\r\n--B--", .malformedHeader(part: 1)),
            ("--B\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--B--", .missingContentDisposition(part: 1)),
            ("--B\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--B\r\nX: y\r\n\r\nz\r\n--B--",
             .missingContentDisposition(part: 2)),
            ("--B\r\nX-Long: " + String(repeating: "h", count: 9000) + "\r\n\r\nx\r\n--B--", .headersTooLong(part: 1)),
        ]
        for (body, expected) in cases {
            #expect(throws: expected, "\(body.prefix(40))") { try MultipartForm.parse(bytes(body), boundary: "B", maxParts: 4) }
        }
        let many = String(repeating: "--B\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n", count: 5) + "--B--"
        #expect(throws: MultipartError.tooManyParts(limit: 4)) { try MultipartForm.parse(bytes(many), boundary: "B", maxParts: 4) }
    }

    @Test func bytePatternAgreesWithNaiveSearch() {
        var generator = SplitMix(seed: 7)
        for _ in 0..<300 {
            let haystack = (0..<Int(generator.next() % 200)).map { _ in UInt8(generator.next() % 3) + 65 }
            let needle = (0..<Int(generator.next() % 4 + 1)).map { _ in UInt8(generator.next() % 3) + 65 }
            let naive = haystack.count < needle.count ? nil
                : (0...(haystack.count - needle.count)).first { Array(haystack[$0..<$0 + needle.count]) == needle }
            #expect(BytePattern(needle).firstIndex(in: haystack, from: 0) == naive)
        }
    }

    @Test func displayNamesAreLastComponentWithoutControls() {
        #expect(UploadIntake.displayName("../../etc/passwd") == "passwd")
        #expect(UploadIntake.displayName("C:\\Users\\me\\scan 1.png") == "scan 1.png")
        #expect(UploadIntake.displayName("bad\u{0}name\n.png") == "badname.png")
        #expect(UploadIntake.displayName("..") == nil)
        #expect(UploadIntake.displayName("/") == nil)
        #expect(UploadIntake.displayName(String(repeating: "a", count: 500))?.count == 200)
    }
}

/// Deterministic pseudo-random numbers for generated test cases.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
