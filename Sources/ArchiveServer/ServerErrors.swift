import Foundation
import Hummingbird
import Logging

/// Every failure the server answers with, and the status it maps to. Messages name the file (as the
/// client called it) and the reason; they never carry server paths or internal error text.
/// Codable because upload reader processes send them back to the server as they are.
public enum ArchiveServerError: Error, Sendable, Equatable, Codable {
    case badInput(String)
    case unsupportedType(String)
    case tooLarge(String)
    /// The file's reader process crashed or was killed over its memory limit (a hostile file).
    case readFailed(String)
    case notFound(String)
    case unauthorized
    case hostNotAllowed(String)
    case busy(retryAfterSeconds: Int)
    case timedOut(seconds: Double)

    public var status: HTTPResponse.Status {
        switch self {
        case .badInput: .badRequest
        case .unsupportedType: .unsupportedMediaType
        case .tooLarge: .contentTooLarge
        case .readFailed: .unprocessableContent
        case .notFound: .notFound
        case .unauthorized: .unauthorized
        case .hostNotAllowed: .forbidden
        case .busy: .serviceUnavailable
        case .timedOut: .gatewayTimeout
        }
    }

    public var message: String {
        switch self {
        case .badInput(let reason), .unsupportedType(let reason), .tooLarge(let reason), .readFailed(let reason),
             .notFound(let reason):
            reason
        case .unauthorized:
            "missing or wrong token: send 'Authorization: Bearer <token>' (the page: open /?token=<token>)"
        case .hostNotAllowed(let host):
            "host '\(host)' is not allowed: this server is bound to loopback without a token"
        case .busy(let seconds):
            "all recognition workers are busy; retry in \(seconds) s"
        case .timedOut(let seconds):
            "recognition took longer than the \(formatSeconds(seconds)) s limit and was cancelled"
        }
    }
}

private func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}

/// Turns every error below it into `{"error": "..."}` with the right status, so clients (and the
/// router tests, which see no server-level error handling) always get the same shape.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ArchiveServerError {
            var headers: HTTPFields = [:]
            if case .busy(let seconds) = error { headers[.retryAfter] = String(seconds) }
            if case .unauthorized = error { headers[.wwwAuthenticate] = "Bearer" }
            return errorResponse(error.status, error.message, headers: headers)
        } catch let error as HTTPError {
            // Handlers say "not found" with ArchiveServerError; an HTTPError 404 is the router's
            // own "no route", which for a known path asked with the wrong method is a 405.
            if error.status == .notFound, let allowed = RouteTable.allowedMethods(for: request.uri.path),
               !allowed.contains(request.method) {
                var headers: HTTPFields = [:]
                headers[HTTPFields.Element.Name("Allow")!] = allowed.map(\.rawValue).joined(separator: ", ")
                return errorResponse(.methodNotAllowed, "\(request.uri.path) answers \(headers[HTTPFields.Element.Name("Allow")!] ?? "")", headers: headers)
            }
            return errorResponse(error.status, error.body ?? error.status.reasonPhrase)
        } catch let error as any HTTPResponseError {
            // Hummingbird's own (NIOTooManyBytesError is one): keep the status, say it in words.
            let message = error.status == .contentTooLarge
                ? "request body is larger than the server accepts" : error.status.reasonPhrase
            return errorResponse(error.status, message)
        } catch is CancellationError {
            return errorResponse(.serviceUnavailable, "request cancelled")
        } catch {
            context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return errorResponse(.internalServerError, "internal error (see the server log)")
        }
    }
}

func errorResponse(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
    jsonResponse(["error": message], status: status, headers: headers)
}

/// JSON with sorted keys and no HTML-significant characters left raw, so a response opened in a
/// browser tab by mistake cannot run script even when a line of text reads `<script>`.
func jsonResponse<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var bytes: [UInt8]
    do {
        bytes = Array(try encoder.encode(value))
    } catch {
        bytes = Array(#"{"error":"response could not be encoded"}"#.utf8)
        return rawResponse(bytes, status: .internalServerError, contentType: "application/json; charset=utf-8")
    }
    bytes = escapeHTMLSignificant(bytes)
    var response = rawResponse(bytes, status: status, contentType: "application/json; charset=utf-8")
    for field in headers { response.headers.append(field) }
    return response
}

/// Rewrites `<`, `>` and `&` as `\u003c` etc. They only occur inside JSON strings, where the
/// escaped form decodes to the same text.
func escapeHTMLSignificant(_ json: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(json.count)
    for byte in json {
        switch byte {
        case UInt8(ascii: "<"): out.append(contentsOf: Array(#"\u003c"#.utf8))
        case UInt8(ascii: ">"): out.append(contentsOf: Array(#"\u003e"#.utf8))
        case UInt8(ascii: "&"): out.append(contentsOf: Array(#"\u0026"#.utf8))
        default: out.append(byte)
        }
    }
    return out
}

func rawResponse(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, contentType: String) -> Response {
    var headers: HTTPFields = [:]
    headers[.contentType] = contentType
    return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
}
