import COpenBLAS

/// A weight matrix [rows, columns] kept in memory as the model file's fp16 bits and widened to fp32
/// a block of rows at a time when it is multiplied. The BiLSTM's input weights and the classifier
/// are two thirds of the parameters; holding them as fp32 would make the model in memory 2.5× the
/// file instead of under 2×. Widening is exact (fp16 ⊂ fp32) and costs about a nanosecond per 16
/// weights per batch, next to the sgemm over every frame of the batch.
struct HalfMatrix: Sendable {
    let rows: Int
    let columns: Int
    let bits: [UInt16]

    init(rows: Int, columns: Int, bits: [UInt16]) {
        precondition(bits.count == rows * columns, "HalfMatrix: \(bits.count) values for \(rows)×\(columns)")
        (self.rows, self.columns, self.bits) = (rows, columns, bits)
    }

    /// From fp32 values that are fp16 values (a model file's tensors are): each rounds to itself.
    init(rows: Int, columns: Int, values: [Float]) {
        self.init(rows: rows, columns: columns, bits: values.map { Float16($0).bitPattern })
    }

    /// Rows whose fp32 block stays near 256 KiB (L2-resident while sgemm reads it).
    var rowsPerBlock: Int { max(16, min(rows, 65_536 / max(1, columns))) }

    /// Writes rows [first, first + count) as fp32, row-major, to `out`.
    func widenRows(_ first: Int, count: Int, into out: UnsafeMutablePointer<Float>) {
        bits.withUnsafeBufferPointer { all in
            Self.widen(all.baseAddress! + first * columns, count: count * columns, into: out)
        }
    }

    /// fp16 → fp32 without F16C: the half's exponent and mantissa shifted into a float's place
    /// read 2^-112 times the value for normal and subnormal halves alike, so one multiply by
    /// 2^112 finishes it (Fabian Giesen's method; weights are finite). Vectorises.
    static func widen(_ halves: UnsafePointer<UInt16>, count: Int, into out: UnsafeMutablePointer<Float>) {
        let scale = Float(sign: .plus, exponent: 112, significand: 1)
        for i in 0..<count {
            let h = UInt32(halves[i])
            let magnitude = Float(bitPattern: (h & 0x7FFF) << 13) * scale
            out[i] = Float(bitPattern: magnitude.bitPattern | (h & 0x8000) << 16)
        }
    }

    /// output [rows, self.rows] = input [rows, columns] × selfᵀ + bias, a block of weight rows at a
    /// time through `block` (scratch of at least rowsPerBlock × columns floats).
    func multiply(_ input: UnsafePointer<Float>, rows inputRows: Int, bias: UnsafePointer<Float>,
                  output: UnsafeMutablePointer<Float>, block: UnsafeMutablePointer<Float>) {
        for r in 0..<inputRows { (output + r * rows).update(from: bias, count: rows) }
        let step = rowsPerBlock
        for first in stride(from: 0, to: rows, by: step) {
            let count = min(step, rows - first)
            widenRows(first, count: count, into: block)
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(inputRows), Int32(count), Int32(columns),
                        1, input, Int32(columns), block, Int32(columns), 1, output + first, Int32(rows))
        }
    }
}
