import ArchiveServer
import Hummingbird
import HummingbirdTesting
import Testing

/// The worker cap and the deadline, with a recogniser that blocks until the test lets it go.
@Suite struct OverloadTests {
    @Test func beyondWorkersAndQueueTheAnswerIs503AtOnce() async throws {
        let latch = Latch()
        let recogniser = FakeRecogniser(.wait(latch, honoursCancellation: false))
        // A deadline far beyond the test: on a loaded 2-core run, CPU-bound suites beside this one
        // can hold the cooperative threads for over a minute, and a request that timed out meanwhile
        // would free its slot and let the "rejected" one in.
        let configuration = ServerConfiguration(workers: 2, queueDepth: 1, timeoutSeconds: 900, retryAfterSeconds: 2)
        try await withServer(configuration, recogniser: recogniser) { client in
            try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<3 { group.addTask { try await postImage(client).status } }
                try await latch.waitForArrivals(2)       // both workers busy
                try await waitUntil(client, waiting: 1)  // and the queue full
                let rejected = try await postImage(client)
                #expect(rejected.status == .serviceUnavailable)
                #expect(rejected.headers[.retryAfter] == "2")
                #expect(rejected.errorMessage == "all recognition workers are busy; retry in 2 s")
                // Turned away before the body is read: even a malformed upload gets the 503.
                let unread = try await client.execute(uri: "/api/ocr", method: .post, headers: multipartHeaders(),
                                                      body: ByteBuffer(string: "not multipart at all"))
                #expect(unread.status == .serviceUnavailable)
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
                latch.open()
                var statuses: [HTTPResponse.Status] = []
                for try await status in group { statuses.append(status) }
                #expect(statuses == [.ok, .ok, .ok])
            }
        }
        #expect(recogniser.calls == 3)
    }

    @Test func deadlineCancelsTheWorkAndAnswers504() async throws {
        let latch = Latch()
        let recogniser = FakeRecogniser(.wait(latch, honoursCancellation: true))
        // A deadline long enough for a loaded machine to reach the recogniser before it passes (work
        // cancelled before it began never calls the recogniser, and there is nothing to count).
        try await withServer(ServerConfiguration(timeoutSeconds: 1), recogniser: recogniser) { client in
            let response = try await postImage(client)
            #expect(response.status == .gatewayTimeout)
            #expect(response.errorMessage == "recognition took longer than the 1 s limit and was cancelled")
            // The 504 goes out at the deadline without waiting for the work to stop; the work notices
            // its cancellation on its own time and records it before it gives its slot back.
            try await waitUntil(client, running: 0)
        }
        #expect(recogniser.calls == 1)
        #expect(recogniser.cancellations == 1)
    }

    @Test func workThatIgnoresCancellationKeepsItsSlotUntilItStops() async throws {
        let latch = Latch()
        let recogniser = FakeRecogniser(.wait(latch, honoursCancellation: false))
        let configuration = ServerConfiguration(workers: 1, queueDepth: 0, timeoutSeconds: 0.2)
        try await withServer(configuration, recogniser: recogniser) { client in
            #expect(try await postImage(client).status == .gatewayTimeout)
            // The first recognition is still running: the cap still counts it.
            #expect(try await postImage(client).status == .serviceUnavailable)
            latch.open()
            try await waitUntil(client, running: 0)
            #expect(try await postImage(client).status == .ok)
        }
    }

    @Test func aQueuedRequestThatTimesOutLeavesTheQueue() async throws {
        let latch = Latch()
        let recogniser = FakeRecogniser(.wait(latch, honoursCancellation: false))
        let configuration = ServerConfiguration(workers: 1, queueDepth: 1, timeoutSeconds: 0.3)
        try await withServer(configuration, recogniser: recogniser) { client in
            async let first = postImage(client)
            try await latch.waitForArrivals(1)
            // Waits in the queue, then times out there without ever reaching the recogniser.
            #expect(try await postImage(client).status == .gatewayTimeout)
            try await waitUntil(client, waiting: 0)
            latch.open()
            #expect(try await first.status == .gatewayTimeout)
        }
        #expect(recogniser.calls == 1)
    }
}

/// Polls /healthz (bounded) until the gate shows the given load.
func waitUntil(_ client: any TestClientProtocol, running: Int? = nil, waiting: Int? = nil) async throws {
    for _ in 0..<1000 {
        let load = try await client.execute(uri: "/healthz", method: .get).json()["load"] as? [String: Int]
        if (running == nil || load?["running"] == running) && (waiting == nil || load?["waiting"] == waiting) { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    Issue.record("gate never reached running=\(String(describing: running)) waiting=\(String(describing: waiting))")
}
