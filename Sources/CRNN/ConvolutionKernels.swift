import COpenBLAS

/// The CNN's layers on one line's feature map, laid out [C, H, W] row-major.
enum ConvolutionKernels {
    /// Unfolds `input` [C, H, W] into `columns` [C·k·k, H·W] for a stride-1 convolution with
    /// zero padding k/2, so that the convolution is one sgemm.
    static func im2col(_ input: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                       kernel: Int, columns: UnsafeMutablePointer<Float>) {
        let pad = kernel / 2
        let plane = height * width
        for c in 0..<channels {
            for ky in 0..<kernel {
                for kx in 0..<kernel {
                    let row = columns + ((c * kernel + ky) * kernel + kx) * plane
                    let dx = kx - pad
                    // Output x range whose source x + dx lies inside the image.
                    let x0 = max(0, -dx), x1 = min(width, width - dx)
                    for y in 0..<height {
                        let out = row + y * width
                        let sy = y + ky - pad
                        guard sy >= 0, sy < height, x1 > x0 else {
                            out.initialize(repeating: 0, count: width)
                            continue
                        }
                        let src = input + (c * height + sy) * width
                        if x0 > 0 { out.initialize(repeating: 0, count: x0) }
                        (out + x0).update(from: src + x0 + dx, count: x1 - x0)
                        if x1 < width { (out + x1).initialize(repeating: 0, count: width - x1) }
                    }
                }
            }
        }
    }

    /// output [Cout, H·W] = weight [Cout, K] × columns [K, H·W].
    static func convolve(weight: UnsafePointer<Float>, outChannels: Int, reduction: Int,
                         columns: UnsafePointer<Float>, pixels: Int, output: UnsafeMutablePointer<Float>) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(outChannels), Int32(pixels), Int32(reduction),
                    1, weight, Int32(reduction), columns, Int32(pixels), 0, output, Int32(pixels))
    }

    /// In place: x = max(x + bias[c], 0) over [C, plane].
    static func addBiasReLU(_ data: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, channels: Int, plane: Int) {
        for c in 0..<channels {
            let row = data + c * plane
            let b = bias[c]
            for i in 0..<plane { row[i] = greater(row[i] + b, 0) }
        }
    }

    /// Max-pool with kernel = stride = (ph, pw), floor: [C, H, W] → [C, H/ph, W/pw].
    static func maxPool(_ input: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                        poolHeight: Int, poolWidth: Int, output: UnsafeMutablePointer<Float>) {
        let oh = height / poolHeight, ow = width / poolWidth
        for c in 0..<channels {
            for oy in 0..<oh {
                let dst = output + (c * oh + oy) * ow
                let top = input + (c * height + oy * poolHeight) * width
                if poolHeight == 2 && poolWidth <= 2 {
                    pairOfRows(top, top + width, poolWidth: poolWidth, outWidth: ow, into: dst)
                    continue
                }
                for ox in 0..<ow {
                    var best = -Float.infinity
                    for py in 0..<poolHeight {
                        let row = top + py * width + ox * poolWidth
                        for px in 0..<poolWidth { best = greater(best, row[px]) }
                    }
                    dst[ox] = best
                }
            }
        }
    }

    /// The common 2×1 and 2×2 pools, written so the compiler vectorises them.
    @inline(__always)
    private static func pairOfRows(_ upper: UnsafePointer<Float>, _ lower: UnsafePointer<Float>, poolWidth: Int,
                                   outWidth: Int, into dst: UnsafeMutablePointer<Float>) {
        if poolWidth == 1 {
            for x in 0..<outWidth { dst[x] = greater(upper[x], lower[x]) }
        } else {
            for x in 0..<outWidth {
                dst[x] = greater(greater(upper[2 * x], lower[2 * x]), greater(upper[2 * x + 1], lower[2 * x + 1]))
            }
        }
    }
}
