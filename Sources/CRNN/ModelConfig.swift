/// The architecture description stored as `__metadata__.config` in the model file (weights/MODEL.md).
public struct ModelConfig: Codable, Sendable, Equatable {
    public struct ConvLayer: Codable, Sendable, Equatable {
        public var out: Int
        public var kernel: Int
        /// [ph, pw], or nil for no pooling after this layer.
        public var pool: [Int]?
    }

    public var inputHeight: Int
    public var conv: [ConvLayer]
    public var lstmHidden: Int
    public var lstmLayers: Int
    /// Width of the projection before `fc`; 0 means no projection layer.
    public var bottleneck: Int
    /// Classes including the CTC blank (class 0).
    public var numClasses: Int
    public var horizontalStride: Int
    public var charsetSha256: String

    enum CodingKeys: String, CodingKey {
        case inputHeight = "input_height", conv, lstmHidden = "lstm_hidden", lstmLayers = "lstm_layers"
        case bottleneck, numClasses = "num_classes", horizontalStride = "horizontal_stride"
        case charsetSha256 = "charset_sha256"
    }

    /// Height of the CNN's output feature map (input height after every pool's floor division).
    public var featureHeight: Int {
        conv.reduce(inputHeight) { h, layer in layer.pool.map { h / $0[0] } ?? h }
    }

    /// Channels of the last conv layer times its feature height: the per-frame LSTM input width.
    public var sequenceFeatures: Int { (conv.last?.out ?? 1) * featureHeight }

    /// Width of the vector `fc` reads: the bottleneck when there is one, else the BiLSTM output.
    public var classifierInput: Int { bottleneck > 0 ? bottleneck : 2 * lstmHidden }

    /// Checks the config is one this implementation can run; returns the reason when it is not.
    func problem() -> String? {
        if inputHeight < 1 { return "input_height must be positive" }
        if conv.isEmpty { return "conv must list at least one layer" }
        for (i, layer) in conv.enumerated() {
            if layer.out < 1 { return "conv[\(i)].out must be positive" }
            if layer.kernel < 1 || layer.kernel % 2 == 0 { return "conv[\(i)].kernel must be odd and positive" }
            if let pool = layer.pool, pool.count != 2 || pool[0] < 1 || pool[1] < 1 {
                return "conv[\(i)].pool must be [ph, pw] with positive entries or null"
            }
        }
        let stride = conv.reduce(1) { s, layer in s * (layer.pool?[1] ?? 1) }
        if stride != horizontalStride {
            return "horizontal_stride \(horizontalStride) differs from the product of pool widths \(stride)"
        }
        if featureHeight < 1 { return "pools reduce input_height \(inputHeight) to nothing" }
        if lstmHidden < 1 || lstmLayers < 1 { return "lstm_hidden and lstm_layers must be positive" }
        if bottleneck < 0 { return "bottleneck must be 0 or positive" }
        if numClasses < 2 { return "num_classes must include the blank and at least one character" }
        return nil
    }

    /// Every tensor the architecture implies, with its PyTorch shape, in file-independent order.
    func expectedTensors() -> [(name: String, shape: [Int])] {
        var tensors: [(String, [Int])] = []
        var inChannels = 1
        for (i, layer) in conv.enumerated() {
            tensors.append(("conv.\(i).weight", [layer.out, inChannels, layer.kernel, layer.kernel]))
            for part in ["weight", "bias", "running_mean", "running_var"] {
                tensors.append(("bn.\(i).\(part)", [layer.out]))
            }
            inChannels = layer.out
        }
        let gates = 4 * lstmHidden
        for l in 0..<lstmLayers {
            let inputs = l == 0 ? sequenceFeatures : 2 * lstmHidden
            for suffix in ["", "_reverse"] {
                tensors.append(("lstm.weight_ih_l\(l)\(suffix)", [gates, inputs]))
                tensors.append(("lstm.weight_hh_l\(l)\(suffix)", [gates, lstmHidden]))
                tensors.append(("lstm.bias_ih_l\(l)\(suffix)", [gates]))
                tensors.append(("lstm.bias_hh_l\(l)\(suffix)", [gates]))
            }
        }
        if bottleneck > 0 {
            tensors.append(("proj.weight", [bottleneck, 2 * lstmHidden]))
            tensors.append(("proj.bias", [bottleneck]))
        }
        tensors.append(("fc.weight", [numClasses, classifierInput]))
        tensors.append(("fc.bias", [numClasses]))
        return tensors
    }
}
