@testable import ArchiveServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct PageAssetTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    @Test func pageScriptAndStyleAreServedFromHere() async throws {
        try await withServer { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.text.contains(#"<script src="/app.js" defer></script>"#))
            #expect(page.text.contains(#"id="file-input""#))
            // No third-party scripts or styles: every src/href is a local path.
            #expect(!page.text.contains("http://") && !page.text.contains("https://") && !page.text.contains("//cdn"))
            let script = try await client.execute(uri: "/app.js", method: .get)
            #expect(script.status == .ok)
            #expect(script.headers[.contentType] == "text/javascript; charset=utf-8")
            let style = try await client.execute(uri: "/app.css", method: .get)
            #expect(style.headers[.contentType] == "text/css; charset=utf-8")
        }
    }

    /// Data reaches the page only as text: the script has no way to parse HTML from a string.
    @Test func scriptNeverParsesDataAsHTML() async throws {
        try await withServer { client in
            let script = try await client.execute(uri: "/app.js", method: .get).text
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function",
                         "DOMParser", "createContextualFragment", "srcdoc"] {
                #expect(!script.contains(sink), "\(sink)")
            }
            #expect(script.contains("textContent"))
        }
    }

    @Test func servedOpenAPIIsTheCommittedOneAndCoversEveryRoute() async throws {
        let committed = try Data(contentsOf: Self.repositoryRoot.appendingPathComponent("api/openapi.json"))
        try await withServer { client in
            let served = try await client.execute(uri: "/api/openapi.json", method: .get)
            #expect(served.status == .ok)
            #expect(Data(served.body.readableBytesView) == committed, "api/openapi.json and the served copy differ")
            let spec = try served.json()
            #expect(spec["openapi"] as? String == "3.1.0")
            let paths = Set((spec["paths"] as? [String: Any] ?? [:]).keys)
            #expect(paths == ["/api/ocr", "/api/search", "/api/documents", "/api/documents/{id}",
                              "/api/documents/{id}/pages/{page}.png", "/healthz", "/api/openapi.json"])
            // The 405 table knows the same methods as the description.
            for (path, item) in spec["paths"] as? [String: [String: Any]] ?? [:] {
                let concrete = path.replacingOccurrences(of: "{id}", with: "7").replacingOccurrences(of: "{page}", with: "2")
                let methods = Set((RouteTable.allowedMethods(for: concrete) ?? []).map { $0.rawValue.lowercased() })
                #expect(methods == Set(item.keys), "\(path)")
            }
        }
    }
}
