import Testing
@testable import CRNN

/// Each fast kernel against its naive reference on random inputs.
@Suite struct KernelTests {
    private func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }

    @Test(arguments: [(3, 5, 7, 3), (1, 4, 9, 3), (2, 6, 5, 5), (4, 1, 1, 3)])
    func im2colConvolutionMatchesReference(channels: Int, height: Int, width: Int, kernel: Int) {
        var random = SeededRandom(seed: 7)
        let outChannels = 5
        let x = random.floats(channels * height * width)
        let weight = random.floats(outChannels * channels * kernel * kernel)
        let reduction = channels * kernel * kernel, plane = height * width
        var columns = [Float](repeating: .nan, count: reduction * plane)
        var out = [Float](repeating: .nan, count: outChannels * plane)
        columns.withUnsafeMutableBufferPointer { cols in
            ConvolutionKernels.im2col(x, channels: channels, height: height, width: width, kernel: kernel, columns: cols.baseAddress!)
            ConvolutionKernels.convolve(weight: weight, outChannels: outChannels, reduction: reduction,
                                        columns: cols.baseAddress!, pixels: plane, output: &out)
        }
        let expected = ReferenceLayers.conv2d(x, channels: channels, height: height, width: width,
                                              weight: weight, outChannels: outChannels, kernel: kernel)
        #expect(maxDifference(out, expected) < 1e-5)
    }

    /// The first layer's direct kernel, with each pool it fuses, odd sizes (floor pooling) and a
    /// 5×5 kernel (the general tap loop).
    @Test(arguments: [(32, 40, 3, [2, 2] as [Int]?), (5, 3, 3, nil), (8, 9, 5, [2, 1]), (1, 2, 3, nil),
                      (7, 11, 3, [2, 2]), (6, 10, 3, [1, 2]), (9, 13, 5, [2, 2])])
    func singleChannelConvolutionMatchesReference(height: Int, width: Int, kernel: Int, pool: [Int]?) {
        var random = SeededRandom(seed: 11)
        let outChannels = 3
        let x = random.floats(height * width)
        let weight = random.floats(outChannels * kernel * kernel)
        let bias = random.floats(outChannels)
        let poolSize = pool.map { (height: $0[0], width: $0[1]) }
        let (oh, ow) = poolSize.map { (height / $0.height, width / $0.width) } ?? (height, width)
        var out = [Float](repeating: .nan, count: outChannels * oh * ow)
        var workspace = [Float](repeating: .nan, count: SingleChannelConvolution.workspaceCount(
            height: height, width: width, kernel: kernel))
        SingleChannelConvolution.convolve(x, height: height, width: width, kernel: kernel, weight: weight, bias: bias,
                                          outChannels: outChannels, pool: poolSize, workspace: &workspace, output: &out)
        var expected = ReferenceLayers.conv2d(x, channels: 1, height: height, width: width,
                                              weight: weight, outChannels: outChannels, kernel: kernel)
        for i in expected.indices { expected[i] = max(expected[i] + bias[i / (height * width)], 0) }
        if let pool {
            expected = ReferenceLayers.maxPool(expected, channels: outChannels, height: height, width: width,
                                               pool: (pool[0], pool[1]))
        }
        #expect(maxDifference(out, expected) < 1e-5)
    }

    /// Sizes cover odd heights and widths (partial tiles), every fused pool, and a width whose
    /// tiles span several sgemm groups.
    @Test(arguments: [(3, 6, 10, nil as [Int]?), (2, 5, 7, nil), (4, 8, 9, [2, 2]), (3, 7, 11, [2, 1]),
                      (2, 6, 13, [1, 2]), (2, 2, 2 * WinogradConvolution.tilesPerGroup + 6, [2, 1]),
                      (1, 16, 3, [2, 2])])
    func winogradConvolutionMatchesReference(channels: Int, height: Int, width: Int, pool: [Int]?) {
        var random = SeededRandom(seed: 5)
        let outChannels = 6
        let x = random.floats(channels * height * width)
        let weight = random.floats(outChannels * channels * 9)
        let bias = random.floats(outChannels)
        let transformed = WinogradConvolution.transformWeights(weight, outChannels: outChannels, inChannels: channels)
        let poolSize = pool.map { (height: $0[0], width: $0[1]) }
        let (oh, ow) = poolSize.map { (height / $0.height, width / $0.width) } ?? (height, width)
        var out = [Float](repeating: .nan, count: outChannels * oh * ow)
        WinogradConvolution.convolve(x, channels: channels, height: height, width: width, weights: transformed,
                                     bias: bias, outChannels: outChannels, pool: poolSize, output: &out,
                                     workspace: .init())
        var expected = ReferenceLayers.conv2d(x, channels: channels, height: height, width: width,
                                              weight: weight, outChannels: outChannels, kernel: 3)
        expected = ReferenceLayers.relu(expected.enumerated().map { $1 + bias[$0 / (height * width)] })
        if let pool { expected = ReferenceLayers.maxPool(expected, channels: outChannels, height: height, width: width, pool: (pool[0], pool[1])) }
        #expect(out.count == expected.count)
        #expect(maxDifference(out, expected) < 1e-5)
    }

    @Test func biasReLUAndPoolMatchReference() {
        var random = SeededRandom(seed: 3)
        let channels = 3, height = 7, width = 9
        var x = random.floats(channels * height * width)
        let bias = random.floats(channels)
        for (pool, expectedShape) in [((2, 2), (3, 4)), ((2, 1), (3, 9)), ((3, 4), (2, 2))] {
            var out = [Float](repeating: .nan, count: channels * expectedShape.0 * expectedShape.1)
            ConvolutionKernels.maxPool(x, channels: channels, height: height, width: width,
                                       poolHeight: pool.0, poolWidth: pool.1, output: &out)
            #expect(out == ReferenceLayers.maxPool(x, channels: channels, height: height, width: width, pool: pool))
        }
        let expected = ReferenceLayers.relu(x.enumerated().map { $1 + bias[$0 / (height * width)] })
        ConvolutionKernels.addBiasReLU(&x, bias: bias, channels: channels, plane: height * width)
        #expect(maxDifference(x, expected) < 1e-6)
    }

    /// Sizes: one block, and several blocks with a partial last one (rowsPerBlock is 16 at least).
    @Test(arguments: [(7, 13, 11), (5, 4_200, 37)])
    func halfMatrixLinearMatchesReference(rows: Int, inputs: Int, outputs: Int) {
        var random = SeededRandom(seed: 5)
        let x = random.floats(rows * inputs), bias = random.floats(outputs)
        let weight = random.floats(outputs * inputs).map { Float(Float16($0)) }  // a model file's values
        let matrix = HalfMatrix(rows: outputs, columns: inputs, values: weight)
        #expect(matrix.rowsPerBlock < outputs || inputs < 100)
        var out = [Float](repeating: .nan, count: rows * outputs)
        var block = [Float](repeating: .nan, count: matrix.rowsPerBlock * inputs)
        matrix.multiply(x, rows: rows, bias: bias, output: &out, block: &block)
        #expect(maxDifference(out, ReferenceLayers.linear(x, rows: rows, inputs: inputs, weight: weight, bias: bias)) < 1e-4)
    }

    /// Every finite fp16 value (normal, subnormal, zero, both signs) widens to exactly Float(Float16).
    @Test func halfWideningIsExact() {
        let finite = (0...UInt16.max).filter { Float16(bitPattern: $0).isFinite }
        var out = [Float](repeating: .nan, count: finite.count)
        HalfMatrix.widen(finite, count: finite.count, into: &out)
        #expect(zip(finite, out).allSatisfy { Float(Float16(bitPattern: $0)).bitPattern == $1.bitPattern })
    }

    /// Several lines of different lengths packed into one batch give each line exactly what the
    /// reference LSTM gives it alone, in both directions.
    @Test func packedBidirectionalLSTMMatchesReferencePerLine() {
        var random = SeededRandom(seed: 9)
        let inputs = 6, hidden = 5
        let frameCounts = [9, 7, 7, 2, 1]
        let packing = LinePacking(frameCounts: frameCounts)
        let x = random.floats(packing.totalFrames * inputs, scale: 2)
        let directions = (0..<2).map { _ in
            (wih: random.floats(4 * hidden * inputs).map { Float(Float16($0)) }, whh: random.floats(4 * hidden * hidden),
             bih: random.floats(4 * hidden), bhh: random.floats(4 * hidden))
        }
        var out = [Float](repeating: .nan, count: packing.totalFrames * 2 * hidden)
        let scratch = LSTMScratch()
        for (d, weights) in directions.enumerated() {
            let packed = LSTMDirectionWeights(inputWeight: HalfMatrix(rows: 4 * hidden, columns: inputs, values: weights.wih),
                                              hiddenWeight: weights.whh,
                                              bias: zip(weights.bih, weights.bhh).map { $0 + $1 })
            SequenceKernels.lstmDirection(x, inputs: inputs, packing: packing, weights: packed, hiddenSize: hidden,
                                          reverse: d == 1, output: &out, scratch: scratch)
        }
        for (line, frames) in frameCounts.enumerated() {
            let offset = packing.frameOffsets[line]
            let lineInput = Array(x[offset * inputs..<(offset + frames) * inputs])
            for (d, weights) in directions.enumerated() {
                let expected = ReferenceLayers.lstm(lineInput, frames: frames, inputs: inputs, hidden: hidden,
                                                    weightIH: weights.wih, weightHH: weights.whh,
                                                    biasIH: weights.bih, biasHH: weights.bhh, reverse: d == 1)
                var actual: [Float] = []
                for t in 0..<frames {
                    let start: Int = ((offset + t) * 2 + d) * hidden
                    actual += out[start..<start + hidden]
                }
                #expect(maxDifference(actual, expected) < 1e-5, "line \(line) direction \(d)")
            }
        }
    }
}
