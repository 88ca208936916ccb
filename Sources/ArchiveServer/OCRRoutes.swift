import Foundation
import Hummingbird
import OCRPipeline

/// `POST /api/ocr`: one file answers one result object; several answer `{"results": [...]}` in
/// the order they were sent.
struct OCRRoutes: Sendable {
    let recogniser: any DocumentRecogniser
    let archive: any ArchiveReading
    let scheduler: RecognitionScheduler
    let intake: UploadIntake

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.post("/api/ocr") { request, _ in try await recognise(request) }
    }

    func recognise(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let store = try flag(parameters["store"].map(String.init), name: "store")
        let pageImages = try flag(parameters["images"].map(String.init), name: "images")
        try await scheduler.gate.refuseIfFull()
        let uploads = try await intake.uploads(from: request)
        let recogniser = self.recogniser
        let archive = self.archive
        // One request holds one worker for all its files: the cap counts requests, as the pool
        // of the original design did, and a multi-file request cannot starve others twice over.
        let results = try await scheduler.run { () async throws -> [OCRFileResult] in
            var results: [OCRFileResult] = []
            for upload in uploads {
                try Task.checkCancellation()
                let recognition = try await recogniser.recognise(upload, renderPageImages: pageImages)
                var documentID: Int64?
                if store { documentID = try await archive.store(upload, recognition: recognition).id }
                results.append(OCRFileResult(upload: upload, recognition: recognition, documentID: documentID))
            }
            return results
        }
        return results.count == 1 ? jsonResponse(results[0]) : jsonResponse(OCRBatchResult(results: results))
    }

    private func flag(_ value: String?, name: String) throws -> Bool {
        switch value {
        case nil, "0": return false
        case "1": return true
        default: throw ArchiveServerError.badInput("?\(name)= takes 1 or 0")
        }
    }
}

struct OCRBatchResult: Encodable {
    var results: [OCRFileResult]
}

/// The answer for one file: the truth format (`path`, `pages`) plus the original design's flat
/// `text` and `lines` lists.
struct OCRFileResult: Encodable {
    struct FlatLine: Encodable {
        var page: Int
        var text: String
        var confidence: Double
        var bbox: [Int]
    }

    struct Page: Encodable {
        var page: Int
        var width: Int
        var height: Int
        var dpi: Double
        var source: String
        var lines: [OCRLine]
        /// `data:image/png;base64,...` of the page as rasterised, with `?images=1`.
        var image: String?
    }

    var filename: String
    var kind: UploadKind
    var path: String
    var text: [String]
    var lines: [FlatLine]
    var pages: [Page]
    /// Pages that could not be read, with the reason; the other pages are still answered.
    var failures: [String]
    var documentID: Int64?

    enum CodingKeys: String, CodingKey {
        case filename, kind, path, text, lines, pages, failures
        case documentID = "document_id"
    }

    init(upload: Upload, recognition: Recognition, documentID: Int64?) {
        let document = recognition.document
        filename = upload.filename
        kind = upload.kind
        path = document.path
        text = document.text
        lines = document.pages.flatMap { page in
            page.lines.map { FlatLine(page: page.page, text: $0.text, confidence: $0.confidence, bbox: $0.bbox) }
        }
        pages = document.pages.enumerated().map { index, page in
            let png = index < recognition.pageImages.count ? recognition.pageImages[index] : nil
            return Page(page: page.page, width: page.width, height: page.height, dpi: page.dpi, source: page.source,
                        lines: page.lines,
                        image: png.map { "data:image/png;base64," + Data($0).base64EncodedString() })
        }
        failures = recognition.failures
        self.documentID = documentID
    }
}
