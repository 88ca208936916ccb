/// Why one input could not be processed; always names the file.
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case timedOut(path: String, seconds: Double)
    case modelUnavailable(reason: String)
    case failed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): \(reason)"
        case .timedOut(let path, let seconds): return "\(path): took longer than the \(Int(seconds)) s limit per file"
        case .modelUnavailable(let reason): return "recogniser unavailable: \(reason)"
        case .failed(let path, let reason): return "\(path): \(reason)"
        }
    }
}
