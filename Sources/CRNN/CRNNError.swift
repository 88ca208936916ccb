/// Everything that can go wrong when loading a recogniser model. Each case names the file and
/// (where there is one) the tensor, so that a wrong or truncated model fails at load with a message
/// that says what to fix, never later at inference.
public enum CRNNError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case malformedHeader(file: String, reason: String)
    case invalidConfig(file: String, reason: String)
    case missingTensor(file: String, tensor: String)
    case unexpectedTensor(file: String, tensor: String)
    case wrongDType(file: String, tensor: String, found: String)
    case wrongShape(file: String, tensor: String, expected: [Int], found: [Int])
    case truncatedData(file: String, tensor: String, reason: String)
    case invalidCharset(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read model file: \(reason)"
        case let .malformedHeader(file, reason):
            return "\(file): malformed safetensors header: \(reason)"
        case let .invalidConfig(file, reason):
            return "\(file): invalid model config: \(reason)"
        case let .missingTensor(file, tensor):
            return "\(file): tensor \(tensor) is missing"
        case let .unexpectedTensor(file, tensor):
            return "\(file): tensor \(tensor) is not part of the architecture the config describes"
        case let .wrongDType(file, tensor, found):
            return "\(file): tensor \(tensor) has dtype \(found), expected F16"
        case let .wrongShape(file, tensor, expected, found):
            return "\(file): tensor \(tensor) has shape \(found), expected \(expected)"
        case let .truncatedData(file, tensor, reason):
            return "\(file): tensor \(tensor) data is truncated or misplaced: \(reason)"
        case let .invalidCharset(file, reason):
            return "\(file): invalid charset: \(reason)"
        }
    }
}
