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
            Self.apply(projection, sequence, rows: packing.totalFrames, output: output)
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
            Self.apply(classifier, sequence + rowOffset * classifier.inputs, rows: frames, output: out)
            for position in first..<end {
                body(position, out + (packing.frameOffsets[position] - rowOffset) * classifier.outputs,
                     packing.frameCounts[position])
            }
            first = end
        }
    }

    private static func apply(_ layer: LinearWeights, _ input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>) {
        layer.weight.withUnsafeBufferPointer { weight in
            layer.bias.withUnsafeBufferPointer { bias in
                SequenceKernels.linear(input, rows: rows, inputs: layer.inputs, weight: weight.baseAddress!,
                                       bias: bias.baseAddress!, outputs: layer.outputs, output: output)
            }
        }
    }

    /// CNN on one line; writes its frames [T, C·H'] (feature index c·H' + h) to `destination`.
    private func convolutionalFeatures(_ line: LineImage, into destination: UnsafeMutablePointer<Float>, frames: Int) {
        let config = model.config
        var height = config.inputHeight
        var width = LinePreprocessor.paddedWidth(of: line, config: config)
        var current = input.reserve(height * width)  // [1, H, W]
        LinePreprocessor.normalise(line, config: config, width: width, into: current)
        var channels = 1
        for layer in model.convLayers {
            if case .winograd(let transformed) = layer.weight {
                // Pooling is fused into the Winograd output transform.
                let (outHeight, outWidth) = layer.pool.map { (height / $0.height, width / $0.width) } ?? (height, width)
                let convolved = (current == activationA.pointer ? activationB : activationA)
                    .reserve(layer.outChannels * outHeight * outWidth)
                transformed.withUnsafeBufferPointer { weights in
                    layer.bias.withUnsafeBufferPointer { bias in
                        WinogradConvolution.convolve(current, channels: channels, height: height, width: width,
                                                     weights: weights.baseAddress!, bias: bias.baseAddress!,
                                                     outChannels: layer.outChannels, pool: layer.pool,
                                                     output: convolved, workspace: winograd)
                    }
                }
                current = convolved
                channels = layer.outChannels
                height = outHeight
                width = outWidth
                continue
            }
            guard case .im2col(let direct) = layer.weight else { preconditionFailure("unreachable") }
            let plane = height * width
            let convolved = (current == activationA.pointer ? activationB : activationA).reserve(layer.outChannels * plane)
            direct.withUnsafeBufferPointer { weight in
                layer.bias.withUnsafeBufferPointer { bias in
                    if channels == 1 {
                        ConvolutionKernels.convolveSingleChannel(current, height: height, width: width, kernel: layer.kernel,
                                                                 weight: weight.baseAddress!, bias: bias.baseAddress!,
                                                                 outChannels: layer.outChannels, output: convolved)
                    } else {
                        let reduction = channels * layer.kernel * layer.kernel
                        let cols = columns.reserve(reduction * plane)  // [Cin·k·k, H·W]
                        ConvolutionKernels.im2col(current, channels: channels, height: height, width: width,
                                                  kernel: layer.kernel, columns: cols)
                        ConvolutionKernels.convolve(weight: weight.baseAddress!, outChannels: layer.outChannels,
                                                    reduction: reduction, columns: cols, pixels: plane, output: convolved)
                        ConvolutionKernels.addBiasReLU(convolved, bias: bias.baseAddress!, channels: layer.outChannels, plane: plane)
                    }
                }
            }
            current = convolved  // [Cout, H, W]
            channels = layer.outChannels
            if let pool = layer.pool {
                let pooled = (current == activationA.pointer ? activationB : activationA)
                    .reserve(channels * (height / pool.height) * (width / pool.width))
                ConvolutionKernels.maxPool(current, channels: channels, height: height, width: width,
                                           poolHeight: pool.height, poolWidth: pool.width, output: pooled)
                current = pooled
                height /= pool.height
                width /= pool.width
            }
        }
        precondition(width == frames, "CNN output width \(width) differs from the expected \(frames) frames")
        // [C·H', T] → [T, C·H']
        let features = channels * height
        for f in 0..<features {
            for t in 0..<frames { destination[t * features + f] = current[f * frames + t] }
        }
    }
}
