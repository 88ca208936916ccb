import Hummingbird

/// Which methods each path of the API answers, so a known path asked with another method gets
/// 405 with `Allow` (the router alone would say 404). `*` matches one path component, `*.png` one
/// that ends in ".png". Kept beside the routes' registration; a test checks it against OpenAPI.
enum RouteTable {
    static let routes: [(pattern: [Substring], methods: [HTTPRequest.Method])] = [
        ("/", [.get]), ("/app.js", [.get]), ("/app.css", [.get]), ("/api/openapi.json", [.get]),
        ("/healthz", [.get]), ("/api/ocr", [.post]), ("/api/search", [.get]), ("/api/documents", [.get]),
        ("/api/documents/*", [.get]), ("/api/documents/*/pages/*.png", [.get]),
    ].map { ($0.0.split(separator: "/"), $0.1) }

    /// The methods `path` answers, or nil when no route has that shape.
    static func allowedMethods(for path: String) -> [HTTPRequest.Method]? {
        let components = path.split(separator: "/")
        return routes.first { route in
            route.pattern.count == components.count && zip(route.pattern, components).allSatisfy { pattern, component in
                pattern == "*" || pattern == component || (pattern == "*.png" && component.hasSuffix(".png"))
            }
        }?.methods
    }
}
