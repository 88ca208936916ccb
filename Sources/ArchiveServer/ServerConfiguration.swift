/// What `docvault serve` was asked for, checked before anything starts.
public struct ServerConfiguration: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Required off loopback; when set, every API call and the page need it.
    public var token: String?
    /// Recognitions that run at once.
    public var workers: Int
    /// Requests that may wait for a worker; beyond workers + queue the answer is 503 at once.
    public var queueDepth: Int
    /// Per-request limit on waiting plus recognition, in seconds.
    public var timeoutSeconds: Double
    /// Largest request body accepted (all files of one request together, before base64 decoding).
    public var maxBodyBytes: Int
    public var maxFilesPerRequest: Int
    public var uploadLimits: UploadLimits
    /// Seconds a 503 asks the client to wait.
    public var retryAfterSeconds: Int
    /// Seconds a connection may send nothing (mid-headers, mid-body, or between requests) before
    /// it is closed, so slow or stalled clients cannot hold connections open.
    public var idleTimeoutSeconds: Double = 30
    /// Seconds a client may take to send a request's head, and again its body, however steadily
    /// it trickles (the idle limit alone lets a byte every 29 s hold a connection forever): past
    /// it, 408 and the connection closed. Two minutes bring 32 MiB over a 2 Mbit/s uplink.
    public var readTimeoutSeconds: Double

    public init(host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, workers: Int = 4,
                queueDepth: Int? = nil, timeoutSeconds: Double = 10, maxBodyBytes: Int = 32 << 20,
                maxFilesPerRequest: Int = 16, uploadLimits: UploadLimits = UploadLimits(),
                retryAfterSeconds: Int = 1, readTimeoutSeconds: Double = 120) {
        self.host = host
        self.port = port
        self.token = token
        self.workers = workers
        // A short queue: enough to absorb a burst, never a pile-up behind a slow page.
        self.queueDepth = queueDepth ?? workers
        self.timeoutSeconds = timeoutSeconds
        self.maxBodyBytes = maxBodyBytes
        self.maxFilesPerRequest = maxFilesPerRequest
        self.uploadLimits = uploadLimits
        self.retryAfterSeconds = retryAfterSeconds
        self.readTimeoutSeconds = readTimeoutSeconds
    }

    public var bindsLoopback: Bool { Self.isLoopback(host) }

    /// Names and addresses that only this machine can reach.
    public static func isLoopback(_ host: String) -> Bool {
        let name = host.lowercased()
        if name == "localhost" || name == "::1" || name == "[::1]" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// Fails with the reason when the combination is unsafe or meaningless.
    public func validate() throws(ConfigurationError) {
        if !bindsLoopback && token == nil { throw .tokenRequired(host: host) }
        if let token, !Self.isAcceptableToken(token) { throw .weakToken }
        guard (1...65535).contains(port) || port == 0 else { throw .invalid("--port must be 0...65535, got \(port)") }
        guard (1...256).contains(workers) else { throw .invalid("--workers must be 1...256, got \(workers)") }
        guard queueDepth >= 0 else { throw .invalid("queue depth must not be negative") }
        guard timeoutSeconds > 0, timeoutSeconds <= 3600 else {
            throw .invalid("--timeout must be more than 0 and at most 3600 seconds, got \(timeoutSeconds)")
        }
        guard readTimeoutSeconds > 0, readTimeoutSeconds <= 3600 else {
            throw .invalid("--read-timeout must be more than 0 and at most 3600 seconds, got \(readTimeoutSeconds)")
        }
    }

    /// At least 16 characters that can travel in a header, a cookie and a query string unchanged.
    static func isAcceptableToken(_ token: String) -> Bool {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return token.count >= 16 && token.allSatisfy { allowed.contains($0) }
    }
}

public enum ConfigurationError: Error, Equatable, CustomStringConvertible {
    case tokenRequired(host: String)
    case weakToken
    case invalid(String)

    public var description: String {
        switch self {
        case .tokenRequired(let host):
            "binding to \(host) (not loopback) requires --token or DOCVAULT_TOKEN"
        case .weakToken:
            "the token must be at least 16 characters of A-Z a-z 0-9 - . _ ~"
        case .invalid(let reason):
            reason
        }
    }
}
