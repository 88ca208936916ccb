import OCRPipeline

// The two things the server needs from the rest of DocVault. They are protocols so that the router
// is tested with in-test fakes and the CLI wires the real pipeline and store in `docvault serve`.
// Both are async and must honour task cancellation: the server cancels the task at its deadline
// (`--timeout`) and when the client goes away, so check `Task.checkCancellation()` between pages
// and between batches of lines.
//
// CPU-heavy work (decoding, segmentation, CRNN) belongs off Swift's cooperative thread pool (a
// Dispatch queue or threads of the pipeline's own, awaited through a continuation): the pool has
// one thread per core, and blocking it stalls the deadline timers and every other request.
//
// Errors: throw `ArchiveServerError` (.badInput, .unsupportedType, .tooLarge, .notFound) to choose
// the HTTP status; any other error becomes a 500 whose details go to the log, not to the client.

/// Runs the OCR pipeline on one uploaded file, without touching the archive.
public protocol DocumentRecogniser: Sendable {
    /// Recognise every page of `upload`. With `renderPageImages`, also return each page as a PNG of
    /// the bitmap the boxes refer to (the web page draws the boxes over it; browsers cannot show
    /// PDF or TIFF pages themselves). Must refuse pages over `upload.limits.maxPixelsPerPage`
    /// (`.tooLarge`) and documents over `upload.limits.maxPages` before decoding them.
    func recognise(_ upload: Upload, renderPageImages: Bool) async throws -> Recognition
}

/// Read access to the archive, plus storing an upload for `POST /api/ocr?store=1`.
public protocol ArchiveReading: Sendable {
    /// Same semantics as `docvault search --json`: ranked, grouped by document.
    func search(_ query: SearchRequest) async throws -> SearchAnswer
    /// Every stored document, newest first.
    func documents() async throws -> [DocumentSummary]
    /// One document with its pages and lines; `.notFound` when there is no such id.
    func document(id: Int64) async throws -> ArchivedDocument
    /// Page `page` (1-based) of document `id` rendered as PNG in the pixel space of its boxes;
    /// `.notFound` when the document or page does not exist.
    func pageImagePNG(documentID: Int64, page: Int) async throws -> [UInt8]
    /// Store an upload and its recognised pages (de-duplicated by content hash like ingest);
    /// returns the stored document, which may be an earlier copy of the same content.
    func store(_ upload: Upload, recognition: Recognition) async throws -> DocumentSummary
}

/// One uploaded file. `filename` is what the client called it, reduced to its last path component
/// and stripped of control characters; it is for display and `OCRDocument.path` only and must
/// never be used to open a file.
public struct Upload: Sendable {
    public var filename: String
    public var kind: UploadKind
    public var bytes: [UInt8]
    public var limits: UploadLimits

    public init(filename: String, kind: UploadKind, bytes: [UInt8], limits: UploadLimits) {
        self.filename = filename
        self.kind = kind
        self.bytes = bytes
        self.limits = limits
    }
}

public struct UploadLimits: Sendable, Equatable, Codable {
    public var maxPixelsPerPage: Int
    public var maxPages: Int

    public init(maxPixelsPerPage: Int = 60_000_000, maxPages: Int = 200) {
        self.maxPixelsPerPage = maxPixelsPerPage
        self.maxPages = maxPages
    }
}

public struct Recognition: Sendable {
    public var document: OCRDocument
    /// One PNG per page when asked for, in page order; empty otherwise.
    public var pageImages: [[UInt8]]
    /// Pages that could not be read ("page 3: corrupt ..."), or were read with content missing
    /// (an image the decoder dropped); the others are in `document`.
    public var failures: [String]
    /// Everything the pipeline read (per-character confidences, rotation, skew), which the archive
    /// stores for `?store=1`; nil from recognisers that are not the pipeline (test fakes).
    public var pipelineResult: ReadDocument?

    public init(document: OCRDocument, pageImages: [[UInt8]] = [], failures: [String] = [],
                pipelineResult: ReadDocument? = nil) {
        self.document = document
        self.pageImages = pageImages
        self.failures = failures
        self.pipelineResult = pipelineResult
    }
}

/// The file types the pipeline reads, told apart by their first bytes, never by the name.
public enum UploadKind: String, Sendable, Codable, CaseIterable {
    case pdf, png, jpeg, tiff

    public init?(sniffing bytes: [UInt8]) {
        func starts(_ magic: [UInt8]) -> Bool { bytes.count >= magic.count && Array(bytes.prefix(magic.count)) == magic }
        if starts([0x25, 0x50, 0x44, 0x46, 0x2D]) { self = .pdf }                         // "%PDF-"
        else if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { self = .png }
        else if starts([0xFF, 0xD8, 0xFF]) { self = .jpeg }
        else if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { self = .tiff }
        else { return nil }
    }
}
