import Foundation

/// A convolution with batch-norm folded in, bias [Cout]. 3×3 layers over several channels keep
/// only their Winograd-transformed weights (`WinogradConvolution`); the others keep [Cout, Cin·k·k]
/// in the im2col row order c·k·k + ky·k + kx.
struct ConvLayerWeights: Sendable {
    enum Kernel: Sendable {
        case im2col([Float])
        /// [16][Cout][Cin]
        case winograd([Float])
    }

    let inChannels: Int
    let outChannels: Int
    let kernel: Int
    /// [ph, pw], or nil when this layer does not pool.
    let pool: (height: Int, width: Int)?
    let weight: Kernel
    let bias: [Float]

    var weightCount: Int {
        switch weight {
        case .im2col(let w), .winograd(let w): w.count
        }
    }
}

/// One direction of one BiLSTM layer. Gate order i, f, g, o as in PyTorch.
struct LSTMDirectionWeights: Sendable {
    /// [4H, In], fp16 in memory
    let inputWeight: HalfMatrix
    /// [4H, H]
    let hiddenWeight: [Float]
    /// bias_ih + bias_hh, [4H]: the two are only ever added together.
    let bias: [Float]
}

struct LinearWeights: Sendable {
    let inputs: Int
    let outputs: Int
    /// [outputs, inputs], fp16 in memory
    let weight: HalfMatrix
    let bias: [Float]
}

/// The recogniser's weights in fp32, read once from the model file and never modified, so any
/// number of `RecognitionSession`s on any threads share one copy.
public final class CRNNModel: Sendable {
    public let config: ModelConfig
    public let charset: Charset
    let convLayers: [ConvLayerWeights]
    /// lstm[layer] = (forward, backward)
    let lstm: [(forward: LSTMDirectionWeights, backward: LSTMDirectionWeights)]
    let projection: LinearWeights?
    let classifier: LinearWeights

    static let batchNormEpsilon: Float = 1e-5

    /// Loads `crnn.safetensors` and `charset.txt` from a weights directory.
    public convenience init(directory: URL) throws(CRNNError) {
        try self.init(modelPath: directory.appendingPathComponent("crnn.safetensors").path,
                      charsetPath: directory.appendingPathComponent("charset.txt").path)
    }

    public init(modelPath: String, charsetPath: String) throws(CRNNError) {
        let file = try SafetensorsFile(path: modelPath)
        let config = try Self.config(of: file)
        try Self.checkTensors(of: file, against: config)
        let charset = try Charset(path: charsetPath)
        guard charset.classCount == config.numClasses else {
            throw .invalidCharset(file: charsetPath,
                                  reason: "\(charset.scalars.count) lines give \(charset.classCount) classes, the model has \(config.numClasses)")
        }
        guard charset.sha256 == config.charsetSha256.lowercased() else {
            throw .invalidCharset(file: charsetPath,
                                  reason: "sha256 \(charset.sha256) differs from the model's charset_sha256 \(config.charsetSha256)")
        }
        self.config = config
        self.charset = charset
        let tensor = { (name: String) in file.floats(file.tensors[name]!) }
        convLayers = Self.foldedConvLayers(config: config, tensor: tensor)
        lstm = (0..<config.lstmLayers).map { l in
            let direction = { (suffix: String) in
                LSTMDirectionWeights(
                    inputWeight: HalfMatrix(rows: 4 * config.lstmHidden, columns: l == 0 ? config.sequenceFeatures : 2 * config.lstmHidden,
                                            values: tensor("lstm.weight_ih_l\(l)\(suffix)")),
                    hiddenWeight: tensor("lstm.weight_hh_l\(l)\(suffix)"),
                    bias: zip(tensor("lstm.bias_ih_l\(l)\(suffix)"), tensor("lstm.bias_hh_l\(l)\(suffix)")).map { $0 + $1 })
            }
            return (direction(""), direction("_reverse"))
        }
        projection = config.bottleneck > 0
            ? LinearWeights(inputs: 2 * config.lstmHidden, outputs: config.bottleneck,
                            weight: HalfMatrix(rows: config.bottleneck, columns: 2 * config.lstmHidden,
                                               values: tensor("proj.weight")),
                            bias: tensor("proj.bias"))
            : nil
        classifier = LinearWeights(inputs: config.classifierInput, outputs: config.numClasses,
                                   weight: HalfMatrix(rows: config.numClasses, columns: config.classifierInput,
                                                      values: tensor("fc.weight")),
                                   bias: tensor("fc.bias"))
    }

    private static func config(of file: SafetensorsFile) throws(CRNNError) -> ModelConfig {
        guard file.metadata["format"] == "docvault-crnn" else {
            throw .invalidConfig(file: file.path, reason: "__metadata__.format is \(file.metadata["format"] ?? "absent"), expected docvault-crnn")
        }
        guard file.metadata["version"] == "1" else {
            throw .invalidConfig(file: file.path, reason: "__metadata__.version is \(file.metadata["version"] ?? "absent"), expected 1")
        }
        guard let text = file.metadata["config"] else {
            throw .invalidConfig(file: file.path, reason: "__metadata__.config is absent")
        }
        let config: ModelConfig
        do {
            config = try JSONDecoder().decode(ModelConfig.self, from: Data(text.utf8))
        } catch {
            throw .invalidConfig(file: file.path, reason: "config does not decode: \(error)")
        }
        if let problem = config.problem() { throw .invalidConfig(file: file.path, reason: problem) }
        return config
    }

    /// Every tensor the config implies must be present with its shape, dtype F16 and its bytes
    /// inside the data section; nothing else may be present.
    private static func checkTensors(of file: SafetensorsFile, against config: ModelConfig) throws(CRNNError) {
        let expected = config.expectedTensors()
        let expectedNames = Set(expected.map(\.name))
        if let extra = file.tensors.keys.sorted().first(where: { !expectedNames.contains($0) }) {
            throw .unexpectedTensor(file: file.path, tensor: extra)
        }
        for (name, shape) in expected {
            guard let entry = file.tensors[name] else { throw .missingTensor(file: file.path, tensor: name) }
            guard entry.dtype == "F16" else { throw .wrongDType(file: file.path, tensor: name, found: entry.dtype) }
            guard entry.shape == shape else {
                throw .wrongShape(file: file.path, tensor: name, expected: shape, found: entry.shape)
            }
            let bytes = 2 * shape.reduce(1, *)
            guard entry.begin >= 0, entry.end - entry.begin == bytes else {
                throw .truncatedData(file: file.path, tensor: name,
                                     reason: "data_offsets \([entry.begin, entry.end]) do not span \(bytes) bytes")
            }
            guard entry.end <= file.dataSize else {
                throw .truncatedData(file: file.path, tensor: name,
                                     reason: "ends at byte \(entry.end) of a \(file.dataSize)-byte data section")
            }
        }
    }

    /// conv → BN(inference) becomes conv with weight w·γ/√(σ²+ε) and bias β − μ·γ/√(σ²+ε).
    private static func foldedConvLayers(config: ModelConfig, tensor: (String) -> [Float]) -> [ConvLayerWeights] {
        var inChannels = 1
        return config.conv.enumerated().map { i, layer in
            // Folded in place: the fp32 copy read from the file is the one the model keeps.
            var folded = tensor("conv.\(i).weight")
            let gamma = tensor("bn.\(i).weight"), beta = tensor("bn.\(i).bias")
            let mean = tensor("bn.\(i).running_mean"), variance = tensor("bn.\(i).running_var")
            let perOutput = inChannels * layer.kernel * layer.kernel
            var bias = [Float](repeating: 0, count: layer.out)
            for o in 0..<layer.out {
                let scale = Double(gamma[o]) / (Double(variance[o]) + Double(batchNormEpsilon)).squareRoot()
                for j in 0..<perOutput { folded[o * perOutput + j] = Float(Double(folded[o * perOutput + j]) * scale) }
                bias[o] = Float(Double(beta[o]) - Double(mean[o]) * scale)
            }
            defer { inChannels = layer.out }
            let pool = layer.pool.map { (height: $0[0], width: $0[1]) }
            let winograd = layer.kernel == 3 && inChannels > 1 && (pool.map { $0.height <= 2 && $0.width <= 2 } ?? true)
            return ConvLayerWeights(inChannels: inChannels, outChannels: layer.out, kernel: layer.kernel, pool: pool,
                                    weight: winograd
                                        ? .winograd(WinogradConvolution.transformWeights(folded, outChannels: layer.out, inChannels: inChannels))
                                        : .im2col(folded),
                                    bias: bias)
        }
    }

    /// Bytes of weights held in memory (fp32, and fp16 for the `HalfMatrix` ones).
    public var weightBytes: Int {
        let conv = convLayers.reduce(0) { $0 + $1.weightCount + $1.bias.count }
        let directions = lstm.flatMap { [$0.forward, $0.backward] }
        let recurrent = directions.reduce(0) { $0 + $1.hiddenWeight.count + $1.bias.count }
        let halves = directions.reduce(0) { $0 + $1.inputWeight.bits.count }
            + [projection, classifier].compactMap { $0 }.reduce(0) { $0 + $1.weight.bits.count }
        let biases = [projection, classifier].compactMap { $0 }.reduce(0) { $0 + $1.bias.count }
        return 4 * (conv + recurrent + biases) + 2 * halves
    }
}
