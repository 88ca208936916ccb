import Hummingbird

/// Who may talk to the server.
/// - With a token (required off loopback): every path but `/healthz` needs it, as
///   `Authorization: Bearer <token>`, the `docvault_token` cookie, or `?token=` (for the page's
///   first visit: `GET /?token=...` sets the cookie and redirects to a clean URL).
/// - Without one (loopback only): requests must name a loopback host, so a web page elsewhere
///   cannot reach the archive by DNS rebinding.
struct AccessMiddleware<Context: RequestContext>: RouterMiddleware {
    static var cookieName: String { "docvault_token" }
    let token: String?

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token else {
            // The first Host header becomes the authority; any further ones stay among the fields.
            let hosts = [request.head.authority].compactMap { $0 } + request.headers[values: HTTPFields.Element.Name("Host")!]
            if let foreign = hosts.first(where: { !ServerConfiguration.isLoopback(Self.hostName($0)) }) {
                throw ArchiveServerError.hostNotAllowed(String(foreign.prefix(100)))
            }
            return try await next(request, context)
        }
        if request.uri.path == "/healthz" { return try await next(request, context) }
        if let presented = request.uri.queryParameters["token"].map(String.init), Self.same(presented, token) {
            if request.uri.path == "/" && request.method == .get {
                var response = Response(status: .seeOther)
                response.headers[.location] = "/"
                response.headers[.setCookie] = "\(Self.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
                return response
            }
            return try await next(request, context)
        }
        if let header = request.headers[.authorization], header.hasPrefix("Bearer "),
           Self.same(String(header.dropFirst(7)).trimmingCharacters(), token) {
            return try await next(request, context)
        }
        if let cookie = request.cookies[Self.cookieName], Self.same(cookie.value, token) {
            return try await next(request, context)
        }
        throw ArchiveServerError.unauthorized
    }

    /// "127.0.0.1:8080" -> "127.0.0.1", "[::1]:8080" -> "::1", "localhost" -> "localhost".
    static func hostName(_ authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<close])
        }
        if let colon = authority.lastIndex(of: ":") { return String(authority[..<colon]) }
        return authority
    }

    /// Compares in time that does not depend on where the first difference is.
    static func same(_ presented: String, _ expected: String) -> Bool {
        let lhs = Array(presented.utf8), rhs = Array(expected.utf8)
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Headers every response carries; the page's Content-Security-Policy allows only its own script
/// and style files, so even a missed escape could not run injected script.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var pagePolicy: String {
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; "
            + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPFields.Element.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[.contentSecurityPolicy] = Self.pagePolicy
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}

private extension String {
    func trimmingCharacters() -> String { String(trimmingSpaces) }
}
