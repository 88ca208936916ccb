import Foundation
@testable import CRNN

/// Deterministic pseudo-random numbers (SplitMix64) so every test sees the same data.
struct SeededRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [-scale, scale).
    mutating func float(_ scale: Float = 1) -> Float {
        (Float(next() >> 40) / Float(1 << 24) * 2 - 1) * scale
    }

    mutating func floats(_ count: Int, scale: Float = 1) -> [Float] { (0..<count).map { _ in float(scale) } }

    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next() >> 56) }
}

/// A small model written to a temporary weights directory in the real file format, with its
/// unfolded tensors kept for the naive reference network.
struct TestModel {
    var config: ModelConfig
    var charsetBytes: [UInt8]
    /// PyTorch-named fp16-representable tensors.
    var tensors: [String: (shape: [Int], values: [Float])]

    static let smallConfig = ModelConfig(
        inputHeight: 32,
        conv: [.init(out: 4, kernel: 3, pool: [2, 2]), .init(out: 6, kernel: 3, pool: [2, 2]),
               .init(out: 8, kernel: 3, pool: [2, 1]), .init(out: 8, kernel: 3, pool: nil)],
        lstmHidden: 6, lstmLayers: 2, bottleneck: 5, numClasses: 8, horizontalStride: 4, charsetSha256: "")

    init(config: ModelConfig = TestModel.smallConfig, seed: UInt64 = 1) {
        var random = SeededRandom(seed: seed)
        var tensors: [String: (shape: [Int], values: [Float])] = [:]
        for (name, shape) in config.expectedTensors() {
            let count = shape.reduce(1, *)
            var values: [Float]
            if name.hasSuffix("running_var") {
                values = (0..<count).map { _ in 0.5 + abs(random.float()) }
            } else if name.hasPrefix("bn.") && name.hasSuffix(".weight") {
                values = (0..<count).map { _ in 1 + random.float(0.3) }
            } else {
                values = random.floats(count, scale: 0.6)
            }
            tensors[name] = (shape, values.map { Float(Float16($0)) })
        }
        let characters = Array("ab c1一二€").map(String.init).prefix(config.numClasses - 1)
        charsetBytes = Array(characters.joined(separator: "\n").utf8) + [0x0A]
        var config = config
        config.charsetSha256 = SHA256.hex(charsetBytes)
        self.config = config
        self.tensors = tensors
    }

    /// The safetensors bytes for these tensors (F16), optionally with a different header table.
    func safetensors(editHeader: (inout [String: Any]) -> Void = { _ in }) -> [UInt8] {
        var header: [String: Any] = [:]
        var data: [UInt8] = []
        for name in tensors.keys.sorted() {
            let (shape, values) = tensors[name]!
            let begin = data.count
            for value in values {
                let bits = Float16(value).bitPattern
                data += [UInt8(bits & 0xff), UInt8(bits >> 8)]
            }
            header[name] = ["dtype": "F16", "shape": shape, "data_offsets": [begin, data.count]]
        }
        let configJSON = String(decoding: try! JSONEncoder().encode(config), as: UTF8.self)
        header["__metadata__"] = ["format": "docvault-crnn", "version": "1", "config": configJSON]
        editHeader(&header)
        let json = try! JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        let length = UInt64(json.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) } + [UInt8](json) + data
    }

    /// Writes crnn.safetensors and charset.txt to a fresh temporary directory.
    func write(modelBytes: [UInt8]? = nil, charset: [UInt8]? = nil) throws -> URL {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("crnn-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(modelBytes ?? safetensors()).write(to: directory.appendingPathComponent("crnn.safetensors"))
        try Data(charset ?? charsetBytes).write(to: directory.appendingPathComponent("charset.txt"))
        return directory
    }

    func load() throws -> CRNNModel { try CRNNModel(directory: try write()) }
}

extension LineImage {
    static func random(width: Int, height: Int, seed: UInt64) -> LineImage {
        var random = SeededRandom(seed: seed)
        return LineImage(width: width, height: height, pixels: (0..<width * height).map { _ in random.byte() })
    }
}
