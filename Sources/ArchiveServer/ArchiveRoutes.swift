import Hummingbird

/// Search and the stored documents. Ids and page numbers are parsed as integers before they reach
/// the archive, so nothing from the URL can name a file or reach SQL as text.
struct ArchiveRoutes: Sendable {
    let archive: any ArchiveReading
    let scheduler: RecognitionScheduler

    static let maxSearchLimit = 200

    func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/api/search") { request, _ in try await search(request) }
        router.get("/api/documents") { _, _ in jsonResponse(try await archive.documents()) }
        router.get("/api/documents/:id") { _, context in
            jsonResponse(try await archive.document(id: try documentID(context)))
        }
        router.get("/api/documents/:id/pages/{page}.png") { _, context in
            let id = try documentID(context)
            let page = try pageNumber(context)
            // Rendering a PDF page is as heavy as recognising one: same workers, same deadline.
            let archive = self.archive
            let png = try await scheduler.run { try await archive.pageImagePNG(documentID: id, page: page) }
            var response = rawResponse(png, contentType: "image/png")
            response.headers[.cacheControl] = "private, max-age=300"
            return response
        }
    }

    func search(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let text = parameters["q"].map(String.init) ?? ""
        guard !text.trimmingSpaces.isEmpty else { throw ArchiveServerError.badInput("?q= is required: the words to search for") }
        guard text.count <= 500 else { throw ArchiveServerError.badInput("?q= is longer than 500 characters") }
        var query = SearchRequest(text: text)
        if let raw = parameters["limit"] {
            guard let limit = Int(raw), (1...Self.maxSearchLimit).contains(limit) else {
                throw ArchiveServerError.badInput("?limit= must be 1...\(Self.maxSearchLimit)")
            }
            query.limit = limit
        }
        if let raw = parameters["min_confidence"] {
            guard let value = Double(raw), (0...1).contains(value) else {
                throw ArchiveServerError.badInput("?min_confidence= must be a number from 0 to 1")
            }
            query.minConfidence = value
        }
        if let raw = parameters["doc"] {
            guard let id = Int64(raw), id > 0 else { throw ArchiveServerError.badInput("?doc= must be a document id") }
            query.documentID = id
        }
        return jsonResponse(try await archive.search(query))
    }

    private func documentID(_ context: some RequestContext) throws -> Int64 {
        guard let raw = context.parameters.get("id"), let id = Int64(raw), id > 0 else {
            throw ArchiveServerError.notFound("no such document")
        }
        return id
    }

    private func pageNumber(_ context: some RequestContext) throws -> Int {
        guard let raw = context.parameters.get("page"), let page = Int(raw), page > 0 else {
            throw ArchiveServerError.notFound("no such page")
        }
        return page
    }
}
