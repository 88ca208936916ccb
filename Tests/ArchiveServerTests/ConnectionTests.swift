@testable import ArchiveServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import TestSupport

/// Slow and numerous clients over a real loopback socket: a client that stops sending loses its
/// connection after the idle limit without holding up anyone else, and a crowd of connections at
/// once is served without the server failing.
@Suite struct ConnectionTests {
    /// Runs the real server (fake backends) on a free port for `body`, shut down gracefully
    /// afterwards (cancelling its task with connections in flight trips an assertion in NIO).
    func withLiveServer(_ configuration: ServerConfiguration, recogniser: FakeRecogniser = FakeRecogniser(),
                        _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        var logger = Logger(label: "ConnectionTests")
        logger.logLevel = .critical
        let app = try buildApplication(configuration: configuration, recogniser: recogniser, archive: FakeArchive(),
                                       logger: logger)
        try await app.test(.live) { client in
            try await body(try #require(client.port))
        }
    }

    @Test func stalledClientsAreCutOffAtTheIdleLimitWhileOthersAreServed() async throws {
        var configuration = ServerConfiguration(port: 0)
        configuration.idleTimeoutSeconds = 2
        try await withLiveServer(configuration) { port in
            // One stops in the middle of its headers, one in the middle of a declared body.
            let inHeaders = try LoopbackSocket(port: port)
            try inHeaders.send("POST /api/ocr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty")
            let inBody = try LoopbackSocket(port: port)
            try inBody.send("POST /api/ocr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                            + "Content-Length: 100000\r\n\r\n--b\r\n")
            let started = Date()
            let other = try LoopbackSocket(port: port)
            try other.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(try await TestSupport.offPool { try other.receiveAll(timeout: 5) }.hasPrefix("HTTP/1.1 200"))
            // Answered while both stalled connections were still open (before the idle limit).
            #expect(Date().timeIntervalSince(started) < 2, "a stalled client held up another")
            // Each stalled connection is closed by the server (end of file, whatever was said first).
            _ = try await TestSupport.offPool { try inHeaders.receiveAll(timeout: 20) }
            _ = try await TestSupport.offPool { try inBody.receiveAll(timeout: 20) }
            #expect(Date().timeIntervalSince(started) < 20)
        }
    }

    /// A byte now and then keeps the idle limit from firing; the read deadline still ends it.
    @Test func tricklingClientsAreCutAtTheReadDeadlineWhileOthersAreServed() async throws {
        var configuration = ServerConfiguration(port: 0, readTimeoutSeconds: 1.5)
        configuration.idleTimeoutSeconds = 30
        try await withLiveServer(configuration) { port in
            let body = try LoopbackSocket(port: port)
            try body.send("POST /api/ocr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                          + "Content-Length: 100000\r\n\r\n--b\r\n")
            let head = try LoopbackSocket(port: port)
            try head.send("GET /healthz HTTP/1.1\r\n")
            let started = Date()
            // One byte every 0.2 s on both, far inside the idle limit, until the server hangs up.
            let trickle = Thread {
                for _ in 0..<150 {
                    guard (try? body.send("x")) != nil, (try? head.send("X")) != nil else { return }
                    Thread.sleep(forTimeInterval: 0.2)
                }
            }
            trickle.start()
            let other = try LoopbackSocket(port: port)
            try other.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(try await TestSupport.offPool { try other.receiveAll(timeout: 5) }.hasPrefix("HTTP/1.1 200"))
            let cutBody = try await TestSupport.offPool { try body.receiveAll(timeout: 20) }
            #expect(cutBody.hasPrefix("HTTP/1.1 408"), "\(cutBody.prefix(200))")
            #expect(cutBody.contains(#"{"error":"the request was not received within the 1.5 s limit"}"#))
            let cutHead = try await TestSupport.offPool { try head.receiveAll(timeout: 20) }
            #expect(cutHead.hasPrefix("HTTP/1.1 408"), "\(cutHead.prefix(200))")
            // Cut at the deadline (well before the trickle's 30 s), not at the idle limit.
            let elapsed = Date().timeIntervalSince(started)
            #expect(elapsed >= 1.2 && elapsed < 15, "cut after \(elapsed) s")
        }
    }

    /// Requests sent in pieces 0.2 s apart, one after another on one connection, until it has lived
    /// longer than the read limit: each request gets its own allowance, so none is cut.
    @Test func slowButCompleteRequestsOnOneConnectionAreServed() async throws {
        // A request's allowance starts when the previous answer is sent and ends with its head:
        // three gaps (0.6 s) of the 2.5 s, so a loaded machine can stretch each gap fourfold.
        let limit = 2.5
        try await withLiveServer(ServerConfiguration(port: 0, readTimeoutSeconds: limit)) { port in
            let client = try LoopbackSocket(port: port)
            // Timed on a thread of its own: a sleep on the cooperative pool ends only when a pool
            // thread is free, and a busy test process can stretch it past the limit.
            let (requests, lived) = try await TestSupport.offPool { try Self.sendSlowly(on: client, until: limit * 1.2) }
            try client.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            let answers = try await TestSupport.offPool { try client.receiveAll(timeout: 10) }
            #expect(lived > limit, "the connection lived only \(lived) s")
            #expect(answers.components(separatedBy: "HTTP/1.1 200").count - 1 == requests + 1, "\(answers.prefix(600))")
            #expect(!answers.contains("408"))
        }
    }

    /// Sends requests for /healthz in three pieces 0.2 s apart until `seconds` have passed; returns
    /// how many were sent and for how long. A failed send says what the server said before it hung up.
    static func sendSlowly(on client: LoopbackSocket, until seconds: Double) throws -> (Int, Double) {
        let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        let opened = Date()
        var requests = 0
        while Date().timeIntervalSince(opened) < seconds {
            for piece in [request.prefix(10), request.dropFirst(10).prefix(15), request.dropFirst(25)] {
                do {
                    try client.send(String(piece))
                } catch {
                    let said = (try? client.receiveAll(timeout: 1)) ?? "nothing readable"
                    let elapsed = Date().timeIntervalSince(opened)
                    throw RawSocketError.failed("send in request \(requests + 1) after \(elapsed) s; the server said: \(said.prefix(400))")
                }
                Thread.sleep(forTimeInterval: 0.2)
            }
            requests += 1
        }
        return (requests, Date().timeIntervalSince(opened))
    }

    /// A client may send its next request before the last one is answered (HTTP pipelining); the
    /// read limit bounds its sending, not the server's work: a recognition that outlasts the limit
    /// behind an answered request is still answered.
    @Test func aPipelinedRequestWhoseWorkOutlastsTheReadLimitIsAnswered() async throws {
        let configuration = ServerConfiguration(port: 0, readTimeoutSeconds: 1)
        try await withLiveServer(configuration, recogniser: FakeRecogniser(.delay(.seconds(2)))) { port in
            let client = try LoopbackSocket(port: port)
            let upload = Array(multipartBody([MultipartFile(filename: "page.png", contentType: "image/png",
                                                            bytes: TestImages.pngHeader(width: 800, height: 600))]).readableBytesView)
            let heads = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                + "POST /api/ocr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=\(testBoundary)\r\n"
                + "Content-Length: \(upload.count)\r\nConnection: close\r\n\r\n"
            // One write: the second request is in before the first is answered.
            try client.send(bytes: Array(heads.utf8) + upload)
            let answers = try await TestSupport.offPool { try client.receiveAll(timeout: 20) }
            #expect(answers.components(separatedBy: "HTTP/1.1 200").count - 1 == 2, "\(answers.prefix(600))")
            #expect(answers.contains("Invoice 2024-05-12"))
        }
    }

    @Test func twoHundredConnectionsAtOnceAreAllAnswered() async throws {
        try await withLiveServer(ServerConfiguration(port: 0)) { port in
            let sockets = try (0..<200).map { _ in try LoopbackSocket(port: port) }
            for socket in sockets {
                try socket.send("GET /api/documents HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            }
            let answered = try await TestSupport.offPool { try sockets.filter { try $0.receiveAll(timeout: 20).hasPrefix("HTTP/1.1 200") }.count }
            #expect(answered == 200)
            let after = try LoopbackSocket(port: port)
            try after.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(try await TestSupport.offPool { try after.receiveAll(timeout: 5) }.hasPrefix("HTTP/1.1 200"))
        }
    }
}

/// A blocking loopback connection (127.0.0.1, else ::1: the live test server binds "localhost"),
/// for clients that misbehave on purpose.
final class LoopbackSocket: @unchecked Sendable {
    private let descriptor: Int32

    init(port: Int) throws {
        if let socket = Self.connect4(port: port) ?? Self.connect6(port: port) {
            descriptor = socket
        } else {
            throw RawSocketError.failed("connect to port \(port)")
        }
    }

    private static func connect4(port: Int) -> Int32? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return connect(family: AF_INET, &address)
    }

    private static func connect6(port: Int) -> Int32? {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(port).bigEndian)
        address.sin6_addr = in6addr_loopback
        return connect(family: AF_INET6, &address)
    }

    private static func connect<Address>(family: Int32, _ address: inout Address) -> Int32? {
        let socket = Glibc.socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<Address>.size))
            }
        }
        if connected == 0 { return socket }
        close(socket)
        return nil
    }

    deinit { close(descriptor) }

    func send(_ text: String) throws { try send(bytes: Array(text.utf8)) }

    func send(bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw RawSocketError.failed("send") }
    }

    /// Everything until the server closes the connection; throws when `timeout` seconds pass first.
    func receiveAll(timeout: Double) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw RawSocketError.failed("no end of file within \(timeout) s") }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&poller, 1, Int32(left * 1000) + 1) <= 0 { continue }
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            answer += buffer[0..<count]
        }
        return String(decoding: answer, as: UTF8.self)
    }
}

