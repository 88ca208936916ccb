import ArchiveServer
import Foundation
import OCRPipeline

/// What the fake recogniser does with an upload.
enum RecogniserBehaviour: Sendable {
    /// Answers at once with lines derived from the image size.
    case answer
    /// Waits until `Latch.open()`; stops early when cancelled if `honoursCancellation`.
    case wait(Latch, honoursCancellation: Bool)
    /// Fails with the given error.
    case fail(any Error & Sendable)
    /// Takes this long (cancellable), like a real page would.
    case delay(Duration)
}

/// A recogniser that reads only the PNG header: page size from IHDR, two lines whose boxes are
/// fractions of the page, and a line of text chosen by the test (XSS payloads, Chinese ...).
final class FakeRecogniser: DocumentRecogniser, @unchecked Sendable {
    let behaviour: RecogniserBehaviour
    let lineTexts: [String]
    private let lock = NSLock()
    private var _calls = 0
    private var _cancelled = 0

    init(_ behaviour: RecogniserBehaviour = .answer, lineTexts: [String] = ["Invoice 2024-05-12", "合计 ¥860.00"]) {
        self.behaviour = behaviour
        self.lineTexts = lineTexts
    }

    var calls: Int { lock.withLock { _calls } }
    var cancellations: Int { lock.withLock { _cancelled } }

    func recognise(_ upload: Upload, renderPageImages: Bool) async throws -> Recognition {
        lock.withLock { _calls += 1 }
        switch behaviour {
        case .answer:
            break
        case .fail(let error):
            throw error
        case .delay(let duration):
            try await Task.sleep(for: duration)
        case .wait(let latch, let honoursCancellation):
            do {
                try await latch.wait(honoursCancellation: honoursCancellation)
            } catch {
                lock.withLock { _cancelled += 1 }
                throw error
            }
        }
        let (width, height) = Self.pngSize(upload.bytes) ?? (1000, 1400)
        let lines = lineTexts.enumerated().map { index, text in
            OCRLine(text: text, confidence: index == 0 ? 0.97 : 0.62,
                    bbox: [width / 10, height / 10 * (index + 1), width * 9 / 10, height / 10 * (index + 1) + height / 20])
        }
        let page = OCRPage(page: 1, width: width, height: height, dpi: 300, source: "ocr", lines: lines)
        // The fake cannot render PDF or TIFF: those get a blank page of the default's proportions.
        let pageImage = upload.kind == .png || upload.kind == .jpeg ? upload.bytes : TestImages.blankPage
        let images = renderPageImages ? [pageImage] : []
        return Recognition(document: OCRDocument(path: upload.filename, pages: [page]), pageImages: images)
    }

    static func pngSize(_ bytes: [UInt8]) -> (Int, Int)? {
        guard bytes.count >= 24, UploadKind(sniffing: bytes) == .png else { return nil }
        func be(_ offset: Int) -> Int { (offset..<offset + 4).reduce(0) { $0 << 8 | Int(bytes[$1]) } }
        return (be(16), be(20))
    }
}

/// A one-shot gate tests open to let blocked work finish; it also tells the test how many are
/// waiting, so overload tests know the server's workers are really taken.
final class Latch: @unchecked Sendable {
    private let lock = NSLock()
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var _arrived = 0

    var arrived: Int { lock.withLock { _arrived } }

    func open() {
        let toResume = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
            isOpen = true
            defer { waiters = [] }
            return waiters
        }
        toResume.forEach { $0.resume() }
    }

    func wait(honoursCancellation: Bool) async throws {
        lock.withLock { _arrived += 1 }
        if honoursCancellation {
            // Poll so cancellation is noticed the way a pipeline notices it: between steps.
            while !lock.withLock({ isOpen }) {
                try await Task.sleep(for: .milliseconds(5))
            }
            return
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = lock.withLock { () -> Bool in
                if isOpen { return true }
                waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// Waits (bounded) until `count` callers have arrived.
    func waitForArrivals(_ count: Int) async throws {
        for _ in 0..<2000 where arrived < count { try await Task.sleep(for: .milliseconds(5)) }
        if arrived < count { throw FakeError.timedOutWaitingForArrivals }
    }
}

enum FakeError: Error { case timedOutWaitingForArrivals, secretInternalFailure(String) }

/// An in-memory archive: search is a case-sensitive substring match with code-point offsets.
final class FakeArchive: ArchiveReading, @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [ArchivedDocument]
    /// Uploaded bytes of stored PNGs and JPEGs, served back as their page image (single-page fakes).
    private var pageImages: [Int64: [UInt8]] = [:]
    private(set) var lastQuery: SearchRequest?

    init(documents: [ArchivedDocument] = FakeArchive.sample) { stored = documents }

    static let sample: [ArchivedDocument] = [
        ArchivedDocument(id: 1, path: "invoices/acme.pdf", pages: [
            OCRPage(page: 1, width: 1000, height: 1400, dpi: 300, source: "ocr", lines: [
                OCRLine(text: "ACME GmbH", confidence: 0.98, bbox: [100, 100, 400, 140]),
                OCRLine(text: "发票号码 24412000000012345678", confidence: 0.91, bbox: [100, 200, 800, 240]),
            ]),
            OCRPage(page: 2, width: 1000, height: 1400, dpi: 300, source: "ocr", lines: [
                OCRLine(text: "<script>alert('x')</script> total ¥860.00", confidence: 0.55, bbox: [100, 300, 900, 340]),
            ]),
        ]),
    ]

    var count: Int { lock.withLock { stored.count } }

    func search(_ query: SearchRequest) async throws -> SearchAnswer {
        let documents = lock.withLock { () -> [ArchivedDocument] in
            lastQuery = query
            return stored
        }
        var results: [SearchDocument] = []
        for document in documents where query.documentID == nil || query.documentID == document.id {
            var hits: [SearchHit] = []
            for page in document.pages {
                for (index, line) in page.lines.enumerated() {
                    guard let offset = Self.codePointOffset(of: query.text, in: line.text) else { continue }
                    if let minimum = query.minConfidence, line.confidence < minimum { continue }
                    let end = offset + query.text.unicodeScalars.count
                    hits.append(SearchHit(page: page.page, line: index + 1, text: line.text, confidence: line.confidence,
                                          bbox: line.bbox, highlights: [[offset, end]]))
                }
            }
            if !hits.isEmpty { results.append(SearchDocument(id: document.id, path: document.path, score: -1, hits: hits)) }
        }
        return SearchAnswer(query: query.text, documents: Array(results.prefix(query.limit)))
    }

    static func codePointOffset(of needle: String, in text: String) -> Int? {
        let hay = Array(text.unicodeScalars), pin = Array(needle.unicodeScalars)
        guard !pin.isEmpty, pin.count <= hay.count else { return nil }
        return (0...(hay.count - pin.count)).first { Array(hay[$0..<$0 + pin.count]) == pin }
    }

    func documents() async throws -> [DocumentSummary] {
        lock.withLock { stored.map(Self.summary) }
    }

    func document(id: Int64) async throws -> ArchivedDocument {
        guard let document = lock.withLock({ stored.first { $0.id == id } }) else {
            throw ArchiveServerError.notFound("no document \(id)")
        }
        return document
    }

    func pageImagePNG(documentID: Int64, page: Int) async throws -> [UInt8] {
        let document = try await document(id: documentID)
        guard document.pages.contains(where: { $0.page == page }) else {
            throw ArchiveServerError.notFound("document \(documentID) has no page \(page)")
        }
        return lock.withLock { pageImages[documentID] } ?? TestImages.blankPage
    }

    func store(_ upload: Upload, recognition: Recognition) async throws -> DocumentSummary {
        lock.withLock {
            let document = ArchivedDocument(id: Int64(stored.count + 1), path: upload.filename, pages: recognition.document.pages)
            stored.append(document)
            if upload.kind == .png || upload.kind == .jpeg { pageImages[document.id] = upload.bytes }
            return Self.summary(document)
        }
    }

    private static func summary(_ document: ArchivedDocument) -> DocumentSummary {
        DocumentSummary(id: document.id, path: document.path, kind: "pdf", pages: document.pages.count,
                        lines: document.pages.reduce(0) { $0 + $1.lines.count },
                        sha256: String(repeating: "ab", count: 32), ingestedAt: "2026-11-25T12:00:00Z")
    }
}

enum TestImages {
    /// A valid 10×14 white PNG (made with Pillow), the proportions of the fake's default page.
    static let blankPage: [UInt8] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
        0x0A, 0x00, 0x00, 0x00, 0x0E, 0x08, 0x00, 0x00, 0x00, 0x00, 0x33, 0xC8, 0xD2, 0x77, 0x00, 0x00, 0x00, 0x11, 0x49,
        0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xFC, 0xCF, 0x00, 0x03, 0x4C, 0x0C, 0x83, 0x8A, 0x09, 0x00, 0xA1, 0x6D, 0x01,
        0x1B, 0xCF, 0xFE, 0x16, 0xCD, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ]

    /// The first 33 bytes of a PNG (signature + IHDR): enough for type and size checks.
    static func pngHeader(width: Int, height: Int) -> [UInt8] {
        func be(_ value: Int) -> [UInt8] { [24, 16, 8, 0].map { UInt8((value >> $0) & 0xFF) } }
        return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + be(13) + Array("IHDR".utf8)
            + be(width) + be(height) + [8, 0, 0, 0, 0] + [0, 0, 0, 0]
    }

    /// A JPEG header with an SOF0 frame of the given size.
    static func jpegHeader(width: Int, height: Int) -> [UInt8] {
        let app0: [UInt8] = [0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0]
        let sof: [UInt8] = [0xFF, 0xC0, 0x00, 0x11, 8, UInt8(height >> 8), UInt8(height & 0xFF),
                            UInt8(width >> 8), UInt8(width & 0xFF), 3] + [UInt8](repeating: 1, count: 9)
        return [0xFF, 0xD8] + app0 + sof
    }
}
