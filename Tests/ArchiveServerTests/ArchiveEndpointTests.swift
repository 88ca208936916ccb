import ArchiveServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct ArchiveEndpointTests {
    @Test func searchPassesTheQueryAndAnswersGroupedHits() async throws {
        let archive = FakeArchive()
        try await withServer(archive: archive) { client in
            let query = "发票号码".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
            let response = try await client.execute(uri: "/api/search?q=\(query)&limit=5&min_confidence=0.5&doc=1", method: .get)
            #expect(response.status == .ok)
            let json = try response.json()
            #expect(json["query"] as? String == "发票号码")
            let documents = try #require(json["documents"] as? [[String: Any]])
            #expect(documents.count == 1)
            let hit = try #require((documents[0]["hits"] as? [[String: Any]])?.first)
            #expect(hit["page"] as? Int == 1)
            #expect(hit["highlights"] as? [[Int]] == [[0, 4]])
            #expect(hit["bbox"] as? [Int] == [100, 200, 800, 240])
        }
        #expect(archive.lastQuery == SearchRequest(text: "发票号码", limit: 5, minConfidence: 0.5, documentID: 1))
    }

    @Test func hostileQueryAndStoredScriptStayInert() async throws {
        try await withServer { client in
            let response = try await client.execute(uri: "/api/search?q=%3Cscript%3E", method: .get)
            #expect(response.status == .ok)
            #expect(!response.text.contains("<script>"))
            let documents = try #require(try response.json()["documents"] as? [[String: Any]])
            let hit = try #require((documents.first?["hits"] as? [[String: Any]])?.first)
            #expect((hit["text"] as? String)?.hasPrefix("<script>alert('x')</script>") == true)
        }
    }

    @Test func badSearchParametersAre400() async throws {
        try await withServer { client in
            for uri in ["/api/search", "/api/search?q=%20%20", "/api/search?q=a&limit=0", "/api/search?q=a&limit=9999",
                        "/api/search?q=a&limit=ten", "/api/search?q=a&min_confidence=2", "/api/search?q=a&doc=../1",
                        "/api/search?q=" + String(repeating: "x", count: 501)] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .badRequest, "\(uri)")
                #expect(response.errorMessage != nil)
            }
        }
    }

    @Test func documentsAndPages() async throws {
        try await withServer { client in
            let list = try await client.execute(uri: "/api/documents", method: .get)
            #expect(list.status == .ok)
            let documents = try list.jsonArray()
            #expect(documents.first?["path"] as? String == "invoices/acme.pdf")
            #expect(documents.first?["ingested_at"] as? String == "2026-11-25T12:00:00Z")

            let one = try await client.execute(uri: "/api/documents/1", method: .get)
            #expect(one.status == .ok)
            let pages = try #require(try one.json()["pages"] as? [[String: Any]])
            #expect(pages.count == 2)
            #expect(!one.text.contains("<script>"))

            let png = try await client.execute(uri: "/api/documents/1/pages/2.png", method: .get)
            #expect(png.status == .ok)
            #expect(png.headers[.contentType] == "image/png")
            #expect(Array(png.body.readableBytesView.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        }
    }

    @Test func missingAndHostileIdsAre404() async throws {
        try await withServer { client in
            for uri in ["/api/documents/99", "/api/documents/0", "/api/documents/abc", "/api/documents/..%2F..%2Fetc%2Fpasswd",
                        "/api/documents/1/pages/3.png", "/api/documents/1/pages/0.png", "/api/documents/1/pages/x.png",
                        "/api/documents/99/pages/1.png", "/api/documents/1/pages/1.jpg", "/nothing/here", "/../etc/passwd",
                        // Traversal in the page route and the static files: never a file outside.
                        "/api/documents/1/pages/..%2F..%2F..%2Fetc%2Fpasswd", "/api/documents/1/pages/%2E%2E%2F1.png",
                        "/api/documents/1/pages/1.png%00.txt", "/api/documents/1/../../../etc/passwd",
                        "/%2e%2e/%2e%2e/etc/passwd", "/app.js/../../../etc/passwd", "/..%2F..%2Fetc%2Fpasswd"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .notFound, "\(uri)")
                #expect(response.errorMessage != nil, "\(uri)")
                #expect(!response.text.contains("root:"), "\(uri)")
            }
        }
    }

    @Test func knownPathWithWrongMethodIs405() async throws {
        try await withServer { client in
            for (uri, method, allowed) in [("/healthz", HTTPRequest.Method("TRACE")!, "GET"), ("/api/ocr", .get, "POST"),
                                           ("/api/documents/1/pages/1.png", .delete, "GET"), ("/", .post, "GET")] {
                let response = try await client.execute(uri: uri, method: method)
                #expect(response.status == .methodNotAllowed, "\(method) \(uri)")
                #expect(response.headers[HTTPFields.Element.Name("Allow")!] == allowed)
                #expect(response.errorMessage == "\(uri) answers \(allowed)")
            }
            #expect(try await client.execute(uri: "/api/nothing", method: .delete).status == .notFound)
        }
    }

    @Test func healthReportsWorkers() async throws {
        try await withServer(ServerConfiguration(workers: 3)) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            let json = try response.json()
            #expect(json["status"] as? String == "ok")
            #expect(json["workers"] as? Int == 3)
        }
    }
}
