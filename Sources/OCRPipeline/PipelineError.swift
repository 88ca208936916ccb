/// Why one input could not be processed; always names the file.
public enum PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case timedOut(path: String, seconds: Double)
    case modelUnavailable(reason: String)
    case failed(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, _), .timedOut(let path, _), .failed(let path, _): return "\(path): \(reason)"
        case .modelUnavailable: return reason
        }
    }

    /// The reason alone, for reports that already name the file.
    public var reason: String {
        switch self {
        case .unreadable(_, let reason), .failed(_, let reason): return reason
        case .timedOut(_, let seconds): return "took longer than the \(Self.seconds(seconds)) s limit per file"
        case .modelUnavailable(let reason): return "recogniser unavailable: \(reason)"
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
