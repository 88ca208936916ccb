@testable import ArchiveServer
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AccessTests {
    @Test func offLoopbackRequiresAStrongToken() throws {
        #expect(throws: ConfigurationError.tokenRequired(host: "0.0.0.0")) {
            try ServerConfiguration(host: "0.0.0.0").validate()
        }
        #expect(throws: ConfigurationError.weakToken) { try ServerConfiguration(host: "0.0.0.0", token: "short").validate() }
        #expect(throws: ConfigurationError.weakToken) {
            try ServerConfiguration(token: "has spaces and ; semicolons").validate()
        }
        try ServerConfiguration(host: "0.0.0.0", token: testToken).validate()
        try ServerConfiguration(host: "127.0.0.2").validate()
        try ServerConfiguration(host: "::1").validate()
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(workers: 0).validate() }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(timeoutSeconds: 0).validate() }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration(port: 70000).validate() }
    }

    @Test func loopbackNames() {
        for host in ["127.0.0.1", "localhost", "LOCALHOST", "::1", "[::1]", "127.1.2.3"] {
            #expect(ServerConfiguration.isLoopback(host), "\(host)")
        }
        for host in ["0.0.0.0", "192.168.1.2", "127.0.0.1.evil.com", "evil.com", "localhost.evil.com", "::", "1270.0.0.1"] {
            #expect(!ServerConfiguration.isLoopback(host), "\(host)")
        }
        #expect(AccessMiddleware<BasicRequestContext>.hostName("127.0.0.1:8080") == "127.0.0.1")
        #expect(AccessMiddleware<BasicRequestContext>.hostName("[::1]:8080") == "::1")
        #expect(AccessMiddleware<BasicRequestContext>.hostName("evil.com:80") == "evil.com")
    }

    @Test func tokenGuardsEveryAPICallAndThePage() async throws {
        let configuration = ServerConfiguration(host: "0.0.0.0", token: testToken)
        try await withServer(configuration) { client in
            for uri in ["/", "/app.js", "/api/openapi.json", "/api/documents", "/api/search?q=a", "/api/documents/1",
                        "/api/documents/1/pages/1.png"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .unauthorized, "\(uri)")
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
                #expect(response.errorMessage?.hasPrefix("missing or wrong token") == true)
                let wrong = try await client.execute(uri: uri, method: .get, headers: bearer(testToken + "x"))
                #expect(wrong.status == .unauthorized, "\(uri)")
                let right = try await client.execute(uri: uri, method: .get, headers: bearer(testToken))
                #expect(right.status == .ok, "\(uri)")
            }
            let upload = try await postImage(client)
            #expect(upload.status == .unauthorized)
            #expect(try await postImage(client, headers: bearer(testToken)).status == .ok)
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
    }

    @Test func pageVisitWithTokenSetsCookieThatAPICallsAccept() async throws {
        try await withServer(ServerConfiguration(host: "0.0.0.0", token: testToken)) { client in
            let visit = try await client.execute(uri: "/?token=\(testToken)", method: .get)
            #expect(visit.status == .seeOther)
            #expect(visit.headers[.location] == "/")
            let cookie = try #require(visit.headers[.setCookie])
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            var headers: HTTPFields = [:]
            headers[.cookie] = "docvault_token=\(testToken)"
            #expect(try await client.execute(uri: "/api/documents", method: .get, headers: headers).status == .ok)
            headers[.cookie] = "docvault_token=nope"
            #expect(try await client.execute(uri: "/api/documents", method: .get, headers: headers).status == .unauthorized)
            let image = try await client.execute(uri: "/api/documents/1/pages/1.png?token=\(testToken)", method: .get)
            #expect(image.status == .ok)
        }
    }

    @Test func pageCarriesStrictSecurityHeaders() async throws {
        try await withServer { client in
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("script-src 'self'"))
            #expect(!policy.contains("unsafe-inline"))
            #expect(page.headers[.xContentTypeOptions] == "nosniff")
            let error = try await client.execute(uri: "/missing", method: .get)
            #expect(error.headers[.xContentTypeOptions] == "nosniff")
        }
    }
}
