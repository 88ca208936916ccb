@testable import ArchiveServer
import Foundation
import Glibc
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

/// Over a real socket, where the Host header becomes the request's authority. Hummingbird's test
/// clients always send "localhost", so this one writes the request by hand.
@Suite struct LiveAccessTests {
    @Test func foreignHostNameIsRefusedOnLoopback() async throws {
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = try buildApplication(configuration: ServerConfiguration(port: 0), recogniser: FakeRecogniser(),
                                       archive: FakeArchive(), logger: .init(label: "LiveAccessTests"),
                                       onServerRunning: { portSink.yield($0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            let foreign = try rawGET(port: port, path: "/api/documents", hosts: ["attacker.example:\(port)"])
            #expect(foreign.hasPrefix("HTTP/1.1 403"))
            #expect(foreign.contains("host 'attacker.example:\(port)' is not allowed"))
            let smuggled = try rawGET(port: port, path: "/api/documents", hosts: ["127.0.0.1", "attacker.example"])
            #expect(smuggled.hasPrefix("HTTP/1.1 403"))
            let local = try rawGET(port: port, path: "/api/documents", hosts: ["127.0.0.1:\(port)"])
            #expect(local.hasPrefix("HTTP/1.1 200"))
            group.cancelAll()
        }
    }

    /// One GET over a fresh IPv4 loopback connection; the whole answer as text.
    func rawGET(port: Int, path: String, hosts: [String]) throws -> String {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw RawSocketError.failed("socket") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw RawSocketError.failed("connect") }
        let request = "GET \(path) HTTP/1.1\r\n" + hosts.map { "Host: \($0)\r\n" }.joined() + "Connection: close\r\n\r\n"
        _ = request.withCString { send(socket, $0, strlen($0), 0) }
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}

enum RawSocketError: Error { case failed(String) }
