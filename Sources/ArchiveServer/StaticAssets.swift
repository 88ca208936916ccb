import Foundation
import Hummingbird

/// The web page (HTML, script, style) and the OpenAPI description, shipped as resources of this
/// target and read once when the router is built.
struct StaticAssets: Sendable {
    struct Asset: Sendable {
        var bytes: [UInt8]
        var contentType: String
    }

    /// URL path -> asset. Only these names are ever served; nothing from a URL reaches the disk.
    let assets: [String: Asset]

    static let files: [(path: String, resource: String, ext: String, contentType: String)] = [
        ("/", "index", "html", "text/html; charset=utf-8"),
        ("/app.js", "app", "js", "text/javascript; charset=utf-8"),
        ("/app.css", "app", "css", "text/css; charset=utf-8"),
        ("/api/openapi.json", "openapi", "json", "application/json; charset=utf-8"),
    ]

    static func load() throws(StaticAssetError) -> StaticAssets {
        var assets: [String: Asset] = [:]
        for file in files {
            guard let url = Bundle.module.url(forResource: file.resource, withExtension: file.ext, subdirectory: "Public"),
                  let data = try? Data(contentsOf: url) else {
                throw .missing("Public/\(file.resource).\(file.ext)")
            }
            assets[file.path] = Asset(bytes: Array(data), contentType: file.contentType)
        }
        return StaticAssets(assets: assets)
    }

    func register<Context: RequestContext>(on router: Router<Context>) {
        for (path, asset) in assets {
            router.get(RouterPath(path)) { _, _ in rawResponse(asset.bytes, contentType: asset.contentType) }
        }
    }
}

public enum StaticAssetError: Error, Equatable, CustomStringConvertible {
    case missing(String)

    public var description: String {
        switch self {
        case .missing(let name): "the server's resource \(name) is missing from the build"
        }
    }
}
