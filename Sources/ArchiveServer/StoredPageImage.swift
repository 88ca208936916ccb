import Foundation
import PageImage

/// One stored page to draw for `GET /api/documents/{id}/pages/{n}.png`: the archived file, the
/// page and the size its boxes were measured in. Codable because isolated readers get it in a line.
public struct StoredPageImage: Sendable, Equatable, Codable {
    public var documentID: Int64
    public var page: Int
    /// The archived file (a server path: never shown to the client).
    public var path: String
    public var dpi: Double
    public var width: Int
    public var height: Int

    public init(documentID: Int64, page: Int, path: String, dpi: Double, width: Int, height: Int) {
        self.documentID = documentID
        self.page = page
        self.path = path
        self.dpi = dpi
        self.width = width
        self.height = height
    }

    /// Names the page in messages, never by its server path.
    var label: String { "document \(documentID) page \(page)" }

    /// Renders the page as PNG in the pixel space of its boxes. A file that moved, changed or
    /// went away since it was read is `.notFound`: there is nothing to show.
    func drawPNG(limits: Limits) throws -> [UInt8] {
        let bitmap: PageBitmap
        do {
            bitmap = try Document(path: path, limits: limits).page(page, dpi: dpi)
        } catch let error as PageImageError {
            throw ArchiveServerError.notFound("document \(documentID): its file cannot be read now (\(error.reason))")
        }
        guard bitmap.gray.width == width, bitmap.gray.height == height else {
            throw ArchiveServerError.notFound("document \(documentID): its file changed since it was stored")
        }
        if let rgb = bitmap.rgb { return try PNGEncoder.encode(rgb, dpi: bitmap.dpi, name: path) }
        return try PNGEncoder.encode(bitmap.gray, dpi: bitmap.dpi, name: path)
    }
}

/// Draws stored pages. Rendering a stored PDF runs the same C decoders as reading an upload, so
/// a hostile file in the archive (stored before a limit existed, or by `ingest` with a larger
/// one) is as dangerous here: `docvault serve` draws in its isolated readers
/// (`IsolatedRecogniser`), `--no-isolate` in the server (`InProcessPageRenderer`).
public protocol StoredPageRendering: Sendable {
    /// The page as PNG; honours the request's deadline like `DocumentRecogniser`.
    func png(of page: StoredPageImage) async throws -> [UInt8]
}

/// Draws stored pages in the server process, on a Dispatch queue (cairo blocks its thread).
public struct InProcessPageRenderer: StoredPageRendering {
    /// Limits for rendering a stored page; a file that changed on disk cannot ask for more.
    public let limits: Limits

    public init(limits: Limits = .default) { self.limits = limits }

    public func png(of page: StoredPageImage) async throws -> [UInt8] {
        try await offPool { [limits] in try page.drawPNG(limits: limits) }
    }
}
