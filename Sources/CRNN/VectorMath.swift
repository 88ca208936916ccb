/// Vectorised exp, sigmoid and tanh for the LSTM cell and the softmax in decoding, 16 lanes at a
/// time. Accurate to a few ulp (Cephes' expf polynomial), far inside the 1e-3 parity tolerance,
/// and several times faster than calling libm per element.
/// max without Swift.max's NaN handling, which blocks vectorisation (activations are never NaN).
@inline(__always)
func greater(_ a: Float, _ b: Float) -> Float { a > b ? a : b }

enum VectorMath {
    typealias Vector = SIMD16<Float>
    static let width = 16

    @inline(__always)
    static func load(_ pointer: UnsafePointer<Float>) -> Vector {
        UnsafeRawPointer(pointer).loadUnaligned(as: Vector.self)
    }

    @inline(__always)
    static func store(_ value: Vector, to pointer: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: Vector.self)
    }

    @inline(__always)
    static func exp(_ input: Vector) -> Vector {
        // Clamped by masked selects: pointwiseMin/Max compile to per-lane loops.
        let high = Vector(repeating: 88.3), low = Vector(repeating: -87.3)
        let x = input.replacing(with: high, where: input .> high).replacing(with: low, where: input .< low)
        // Adding 1.5·2²³ rounds x·log2(e) to the nearest integer n (ties to even) and leaves n in
        // the low mantissa bits: no per-lane libm rint call.
        let magic: Float = 12_582_912
        let t = x * 1.442_695_04 + magic
        let n = t - magic
        // r = x − n·ln2, with ln2 split in two so the product is exact.
        let r = x - n * 0.693_359_375 + n * 2.121_944_4e-4
        var p = Vector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        let y = p * r * r + r + 1
        let exponent = unsafeBitCast(t, to: SIMD16<Int32>.self) &- 0x4B40_0000
        return y * unsafeBitCast((exponent &+ 127) &<< 23, to: Vector.self)
    }

    @inline(__always)
    static func sigmoid(_ x: Vector) -> Vector { 1 / (1 + exp(-x)) }

    @inline(__always)
    static func tanh(_ x: Vector) -> Vector { 2 / (1 + exp(-2 * x)) - 1 }
}
