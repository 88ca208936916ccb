import COpenBLAS
import Foundation

/// The sequence half of the network: BiLSTM and linear layers over frames laid out [frames, features]
/// row-major. A batch holds several lines' frames back to back (`LinePacking`); nothing is padded.
enum SequenceKernels {
    /// output [M, N] = input [M, K] × weightᵀ (weight [N, K]) + bias [N].
    /// One direction of one LSTM layer over every line of a packed batch.
    /// - input: [totalFrames, In]; output: [totalFrames, 2H], this direction writes columns
    ///   [direction·H, direction·H + H).
    /// - gates: scratch [totalFrames, 4H]; recurrent: scratch [lines, 4H]; hidden, cell: scratch [lines, H].
    /// Lines are ordered by frame count, longest first, so the lines still running at step s are a
    /// prefix and their states stay contiguous.
    static func lstmDirection(_ input: UnsafePointer<Float>, inputs: Int, packing: LinePacking,
                              weights: LSTMDirectionWeights, hiddenSize: Int, reverse: Bool,
                              output: UnsafeMutablePointer<Float>, scratch: LSTMScratch) {
        let h = hiddenSize, g4 = 4 * hiddenSize
        let lines = packing.frameCounts.count
        let gates = scratch.gates.reserve(packing.totalFrames * g4)
        let recurrent = scratch.recurrent.reserve(lines * g4)
        let hidden = scratch.hidden.reserve(lines * h)
        let cell = scratch.cell.reserve(lines * h)
        hidden.initialize(repeating: 0, count: lines * h)
        cell.initialize(repeating: 0, count: lines * h)
        weights.bias.withUnsafeBufferPointer { bias in
            // Input projection of every frame of every line at once: [frames, In] × W_ihᵀ.
            let block = scratch.weightBlock.reserve(weights.inputWeight.rowsPerBlock * inputs)
            weights.inputWeight.multiply(input, rows: packing.totalFrames, bias: bias.baseAddress!, output: gates,
                                         block: block)
        }
        let steps = packing.frameCounts.first ?? 0
        var active = lines
        weights.hiddenWeight.withUnsafeBufferPointer { whh in
            for step in 0..<steps {
                while active > 0 && packing.frameCounts[active - 1] <= step { active -= 1 }
                if step > 0 {
                    // [active, H] × W_hhᵀ → [active, 4H]
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(active), Int32(g4), Int32(h),
                                1, hidden, Int32(h), whh.baseAddress!, Int32(h), 0, recurrent, Int32(g4))
                }
                for line in 0..<active {
                    let frame = reverse ? packing.frameCounts[line] - 1 - step : step
                    let row = packing.frameOffsets[line] + frame
                    let z = gates + row * g4
                    if step > 0 {
                        let r = recurrent + line * g4
                        for j in 0..<g4 { z[j] += r[j] }
                    }
                    cellUpdate(z, hidden: hidden + line * h, cell: cell + line * h, size: h)
                    (output + row * 2 * h + (reverse ? h : 0)).update(from: hidden + line * h, count: h)
                }
            }
        }
    }

    /// c = σ(f)·c + σ(i)·tanh(g); h = σ(o)·tanh(c), with z = [i, f, g, o] pre-activations.
    @inline(__always)
    private static func cellUpdate(_ z: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float>,
                                   cell: UnsafeMutablePointer<Float>, size h: Int) {
        typealias V = VectorMath
        var j = 0
        while j + V.width <= h {
            let i = V.sigmoid(V.load(z + j)), f = V.sigmoid(V.load(z + h + j))
            let g = V.tanh(V.load(z + 2 * h + j)), o = V.sigmoid(V.load(z + 3 * h + j))
            let c = f * V.load(cell + j) + i * g
            V.store(c, to: cell + j)
            V.store(o * V.tanh(c), to: hidden + j)
            j += V.width
        }
        while j < h {
            let i = sigmoid(z[j]), f = sigmoid(z[h + j])
            let g = tanhf(z[2 * h + j]), o = sigmoid(z[3 * h + j])
            let c = f * cell[j] + i * g
            cell[j] = c
            hidden[j] = o * tanhf(c)
            j += 1
        }
    }

    @inline(__always)
    static func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }
}

/// Where each line's frames sit in a packed batch. Lines are ordered longest first.
struct LinePacking {
    let frameCounts: [Int]
    let frameOffsets: [Int]
    let totalFrames: Int

    init(frameCounts: [Int]) {
        precondition(zip(frameCounts, frameCounts.dropFirst()).allSatisfy { $0 >= $1 }, "lines must be ordered longest first")
        self.frameCounts = frameCounts
        var offsets: [Int] = []
        var total = 0
        for count in frameCounts {
            offsets.append(total)
            total += count
        }
        frameOffsets = offsets
        totalFrames = total
    }
}

/// The LSTM's per-session buffers.
final class LSTMScratch {
    let gates = Scratch(), recurrent = Scratch(), hidden = Scratch(), cell = Scratch()
    /// fp32 rows of a `HalfMatrix` being multiplied (the input projection's, the classifier's).
    let weightBlock = Scratch()
}
