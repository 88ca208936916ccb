/// The first layer: a k×k convolution of the one-channel line image, + bias, ReLU and the layer's
/// max-pool in one pass. im2col's reduction (K = k·k = 9) is too thin for sgemm to pay off, and a
/// pass per tap over a whole [H, W] plane spent more time in loads and stores than in multiplies:
/// here each output row is summed over all taps while the three source rows sit in L1, and only the
/// pooled values are written.
enum SingleChannelConvolution {
    /// Floats of the zero-padded copy of the input that `convolve` needs as `workspace`.
    static func workspaceCount(height: Int, width: Int, kernel: Int) -> Int {
        (height + kernel - 1) * (width + kernel - 1) + max(1, kernel) * width
    }

    /// output [Cout, H/ph, W/pw] (floor; [Cout, H, W] without a pool) = pool(ReLU(conv(input) + bias)).
    static func convolve(_ input: UnsafePointer<Float>, height: Int, width: Int, kernel: Int,
                         weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, outChannels: Int,
                         pool: (height: Int, width: Int)?, workspace: UnsafeMutablePointer<Float>,
                         output: UnsafeMutablePointer<Float>) {
        let pad = kernel / 2, stride = width + kernel - 1
        let padded = workspace
        padded.initialize(repeating: 0, count: (height + kernel - 1) * stride)
        for y in 0..<height { (padded + (y + pad) * stride + pad).update(from: input + y * width, count: width) }
        let rows = workspace + (height + kernel - 1) * stride  // one conv row per pool row
        let (ph, pw) = pool ?? (1, 1)
        let (oh, ow) = (height / ph, width / pw)
        for o in 0..<outChannels {
            let taps = weight + o * kernel * kernel
            let out = output + o * oh * ow
            for oy in 0..<oh {
                for py in 0..<ph {
                    let y = oy * ph + py
                    if kernel == 3 {
                        row3x3(padded + y * stride, stride: stride, taps: taps, width: width, into: rows + py * width)
                    } else {
                        row(padded + y * stride, stride: stride, taps: taps, kernel: kernel, width: width,
                            into: rows + py * width)
                    }
                }
                poolRow(rows, poolHeight: ph, poolWidth: pw, width: width, outWidth: ow, bias: bias[o],
                        into: out + oy * ow)
            }
        }
    }

    /// out[x] = Σ taps · src for one output row; `top` is the padded row of the kernel's top tap.
    @inline(__always)
    private static func row3x3(_ top: UnsafePointer<Float>, stride: Int, taps w: UnsafePointer<Float>, width: Int,
                               into out: UnsafeMutablePointer<Float>) {
        let (a, b, c) = (top, top + stride, top + 2 * stride)
        let (w0, w1, w2, w3, w4, w5, w6, w7, w8) = (w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8])
        for x in 0..<width {
            var s = w0 * a[x] + w1 * a[x + 1] + w2 * a[x + 2]
            s += w3 * b[x] + w4 * b[x + 1] + w5 * b[x + 2]
            s += w6 * c[x] + w7 * c[x + 1] + w8 * c[x + 2]
            out[x] = s
        }
    }

    private static func row(_ top: UnsafePointer<Float>, stride: Int, taps: UnsafePointer<Float>, kernel: Int,
                            width: Int, into out: UnsafeMutablePointer<Float>) {
        out.initialize(repeating: 0, count: width)
        for ky in 0..<kernel {
            for kx in 0..<kernel {
                let w = taps[ky * kernel + kx], src = top + ky * stride + kx
                for x in 0..<width { out[x] += w * src[x] }
            }
        }
    }

    /// Max over each ph×pw window, then + bias and ReLU (both commute with the max).
    @inline(__always)
    private static func poolRow(_ rows: UnsafePointer<Float>, poolHeight ph: Int, poolWidth pw: Int, width: Int,
                                outWidth: Int, bias: Float, into out: UnsafeMutablePointer<Float>) {
        if ph == 2 && pw == 2 {
            let (upper, lower) = (rows, rows + width)
            for x in 0..<outWidth {
                let m = greater(greater(upper[2 * x], upper[2 * x + 1]), greater(lower[2 * x], lower[2 * x + 1]))
                out[x] = greater(m + bias, 0)
            }
            return
        }
        for x in 0..<outWidth {
            var m = -Float.infinity
            for py in 0..<ph {
                for px in 0..<pw { m = greater(m, rows[py * width + x * pw + px]) }
            }
            out[x] = greater(m + bias, 0)
        }
    }
}
