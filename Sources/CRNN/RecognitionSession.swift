import COpenBLAS

/// Recognises text lines with a shared `CRNNModel`. Holds the per-call scratch buffers, so it is
/// used by one thread at a time: create one session per worker; they all share the model's weights.
public final class RecognitionSession {
    public let model: CRNNModel
    /// Lines that go through the sequence layers together.
    public let maxBatchLines: Int

    private let input = Scratch(), columns = Scratch()
    private let activationA = Scratch(), activationB = Scratch()
    private let sequenceA = Scratch(), sequenceB = Scratch(), logits = Scratch()
    private let lstmScratch = LSTMScratch()
    private let winograd = WinogradConvolution.Workspace()

    /// Packed frames per batch are capped so scratch stays a few MB even for many long lines.
    private static let maxBatchFrames = 4096
    /// Frames per classifier sgemm: bounds the logits buffer (frames × classes floats).
    private static let maxClassifierFrames = 256

    public init(model: CRNNModel, maxBatchLines: Int = 16) {
        precondition(maxBatchLines >= 1, "a batch holds at least one line")
        self.model = model
        self.maxBatchLines = maxBatchLines
        Self.singleThreadedBLAS
    }

    /// Parallelism belongs to the caller (one session per worker), not to OpenBLAS's own threads.
    private static let singleThreadedBLAS: Void = openblas_set_num_threads(1)

    public func recognise(_ line: LineImage) -> RecognisedLine { recognise([line])[0] }

    /// Recognises many lines; results come back in input order. Lines are grouped by width so
    /// that each batch's LSTM steps stay busy; no line is padded, so a line's result does not
    /// depend on which other lines it was batched with. Empty images and lines wider than
    /// 8192 pixels once scaled to height 32 give `RecognisedLine.empty`.
    public func recognise(_ lines: [LineImage]) -> [RecognisedLine] {
        var results = [RecognisedLine](repeating: .empty, count: lines.count)
        forEachBatch(lines) { batch in
            forward(batch.map { lines[$0] }) { position, logits, frames in
                let index = batch[position]
                results[index] = CTCDecoder.decode(logits, frames: frames, classes: model.config.numClasses,
                                                   charset: model.charset, stride: model.config.horizontalStride,
                                                   inputHeight: model.config.inputHeight, lineHeight: lines[index].height)
            }
        }
        return results
    }

    /// Raw logits [frames, classes] per line, in input order (parity tests and diagnostics).
    func logits(_ lines: [LineImage]) -> [[Float]] {
        var results = [[Float]](repeating: [], count: lines.count)
        forEachBatch(lines) { batch in
            forward(batch.map { lines[$0] }) { position, logits, frames in
                results[batch[position]] = Array(UnsafeBufferPointer(start: logits, count: frames * model.config.numClasses))
            }
        }
        return results
    }

    /// Calls `body` with batches of input indices, longest lines first within and across batches;
    /// empty images are skipped (their result stays empty).
    private func forEachBatch(_ lines: [LineImage], _ body: ([Int]) -> Void) {
        let frames = lines.map { LinePreprocessor.frameCount(of: $0, config: model.config) }
        let order = lines.indices.filter { frames[$0] > 0 }.sorted { frames[$0] > frames[$1] }
        var batch: [Int] = []
        var batchFrames = 0
        for index in order {
            if !batch.isEmpty && (batch.count == maxBatchLines || batchFrames + frames[index] > Self.maxBatchFrames) {
                body(batch)
                batch.removeAll(keepingCapacity: true)
                batchFrames = 0
            }
            batch.append(index)
            batchFrames += frames[index]
        }
        if !batch.isEmpty { body(batch) }
    }

    /// Runs the network on lines ordered longest first; `body(position, logits, frames)` per line.
    private func forward(_ batch: [LineImage], body: (Int, UnsafePointer<Float>, Int) -> Void) {
        let config = model.config
        let packing = LinePacking(frameCounts: batch.map { LinePreprocessor.frameCount(of: $0, config: config) })
        let features = config.sequenceFeatures
        var sequence = sequenceA.reserve(packing.totalFrames * features)  // [frames, C·H']
        for (position, line) in batch.enumerated() {
            convolutionalFeatures(line, into: sequence + packing.frameOffsets[position] * features,
                                  frames: packing.frameCounts[position])
        }
        var inputs = features
        for layer in model.lstm {
            let output = (sequence == sequenceA.pointer ? sequenceB : sequenceA).reserve(packing.totalFrames * 2 * config.lstmHidden)
            for (weights, reverse) in [(layer.forward, false), (layer.backward, true)] {
                SequenceKernels.lstmDirection(sequence, inputs: inputs, packing: packing, weights: weights,
                                              hiddenSize: config.lstmHidden, reverse: reverse,
                                              output: output, scratch: lstmScratch)
            }
            sequence = output  // [frames, 2H]
            inputs = 2 * config.lstmHidden
        }
        if let projection = model.projection {
            let output = (sequence == sequenceA.pointer ? sequenceB : sequenceA).reserve(packing.totalFrames * projection.outputs)
            apply(projection, sequence, rows: packing.totalFrames, output: output)
            sequence = output  // [frames, B]
        }
        // The classifier runs over several lines' frames at once, so that OpenBLAS packs its large
        // weight matrix once per group rather than once per line.
        let classifier = model.classifier
        var first = 0
        while first < batch.count {
            var end = first + 1
            var frames = packing.frameCounts[first]
            while end < batch.count && frames + packing.frameCounts[end] <= Self.maxClassifierFrames {
                frames += packing.frameCounts[end]
                end += 1
            }
            let out = logits.reserve(frames * classifier.outputs)  // [frames, classes]
            let rowOffset = packing.frameOffsets[first]
            apply(classifier, sequence + rowOffset * classifier.inputs, rows: frames, output: out)
            for position in first..<end {
                body(position, out + (packing.frameOffsets[position] - rowOffset) * classifier.outputs,
                     packing.frameCounts[position])
            }
            first = end
        }
    }

    private func apply(_ layer: LinearWeights, _ input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>) {
        let block = lstmScratch.weightBlock.reserve(layer.weight.rowsPerBlock * layer.inputs)
        layer.bias.withUnsafeBufferPointer { bias in
            layer.weight.multiply(input, rows: rows, bias: bias.baseAddress!, output: output, block: block)
        }
    }

    /// CNN on one line; writes its frames [T, C·H'] (feature index c·H' + h) to `destination`.
    private func convolutionalFeatures(_ line: LineImage, into destination: UnsafeMutablePointer<Float>, frames: Int) {
        let config = model.config
        let width = LinePreprocessor.paddedWidth(of: line, config: config)
        var x = Activation(data: input.reserve(config.inputHeight * width), channels: 1, height: config.inputHeight, width: width)
        LinePreprocessor.normalise(line, config: config, width: width, into: x.data)
        for layer in model.convLayers {
            switch layer.weight {
            case .winograd(let transformed): x = winogradLayer(layer, weights: transformed, on: x)
            case .im2col(let direct) where x.channels == 1: x = singleChannelLayer(layer, weights: direct, on: x)
            case .im2col(let direct): x = im2colLayer(layer, weights: direct, on: x)
            }
        }
        precondition(x.width == frames, "CNN output width \(x.width) differs from the expected \(frames) frames")
        // [C·H', T] → [T, C·H']
        let features = x.channels * x.height
        for f in 0..<features {
            for t in 0..<frames { destination[t * features + f] = x.data[f * frames + t] }
        }
    }

    /// A layer's input or output: [channels, height, width] in one of the session's buffers.
    private struct Activation {
        let data: UnsafeMutablePointer<Float>
        let channels: Int, height: Int, width: Int
    }

    /// The layer's output height and width after its pool (floor), or the input's without one.
    private func pooledSize(of x: Activation, by layer: ConvLayerWeights) -> (height: Int, width: Int) {
        layer.pool.map { (x.height / $0.height, x.width / $0.width) } ?? (x.height, x.width)
    }

    /// The buffer of the two that `data` is not in.
    private func other(than data: UnsafeMutablePointer<Float>) -> Scratch {
        data == activationA.pointer ? activationB : activationA
    }

    /// A 3×3 layer by Winograd, its pool fused into the output transform.
    private func winogradLayer(_ layer: ConvLayerWeights, weights: [Float], on x: Activation) -> Activation {
        let (height, width) = pooledSize(of: x, by: layer)
        let output = other(than: x.data).reserve(layer.outChannels * height * width)
        weights.withUnsafeBufferPointer { weights in
            layer.bias.withUnsafeBufferPointer { bias in
                WinogradConvolution.convolve(x.data, channels: x.channels, height: x.height, width: x.width,
                                             weights: weights.baseAddress!, bias: bias.baseAddress!,
                                             outChannels: layer.outChannels, pool: layer.pool,
                                             output: output, workspace: winograd)
            }
        }
        return Activation(data: output, channels: layer.outChannels, height: height, width: width)
    }

    /// The first layer (one input channel): a direct kernel with its pool fused.
    private func singleChannelLayer(_ layer: ConvLayerWeights, weights: [Float], on x: Activation) -> Activation {
        let (height, width) = pooledSize(of: x, by: layer)
        let output = other(than: x.data).reserve(layer.outChannels * height * width)
        let workspace = columns.reserve(SingleChannelConvolution.workspaceCount(height: x.height, width: x.width,
                                                                                kernel: layer.kernel))
        weights.withUnsafeBufferPointer { weight in
            layer.bias.withUnsafeBufferPointer { bias in
                SingleChannelConvolution.convolve(x.data, height: x.height, width: x.width, kernel: layer.kernel,
                                                  weight: weight.baseAddress!, bias: bias.baseAddress!,
                                                  outChannels: layer.outChannels, pool: layer.pool,
                                                  workspace: workspace, output: output)
            }
        }
        return Activation(data: output, channels: layer.outChannels, height: height, width: width)
    }

    /// Any other layer: im2col + sgemm, then the pool.
    private func im2colLayer(_ layer: ConvLayerWeights, weights: [Float], on x: Activation) -> Activation {
        let plane = x.height * x.width
        let convolved = other(than: x.data).reserve(layer.outChannels * plane)  // [Cout, H, W]
        let reduction = x.channels * layer.kernel * layer.kernel
        let cols = columns.reserve(reduction * plane)  // [Cin·k·k, H·W]
        ConvolutionKernels.im2col(x.data, channels: x.channels, height: x.height, width: x.width,
                                  kernel: layer.kernel, columns: cols)
        weights.withUnsafeBufferPointer { weight in
            layer.bias.withUnsafeBufferPointer { bias in
                ConvolutionKernels.convolve(weight: weight.baseAddress!, outChannels: layer.outChannels,
                                            reduction: reduction, columns: cols, pixels: plane, output: convolved)
                ConvolutionKernels.addBiasReLU(convolved, bias: bias.baseAddress!, channels: layer.outChannels, plane: plane)
            }
        }
        guard let pool = layer.pool else {
            return Activation(data: convolved, channels: layer.outChannels, height: x.height, width: x.width)
        }
        let (height, width) = (x.height / pool.height, x.width / pool.width)
        let pooled = other(than: convolved).reserve(layer.outChannels * height * width)
        ConvolutionKernels.maxPool(convolved, channels: layer.outChannels, height: x.height, width: x.width,
                                   poolHeight: pool.height, poolWidth: pool.width, output: pooled)
        return Activation(data: pooled, channels: layer.outChannels, height: height, width: width)
    }
}
