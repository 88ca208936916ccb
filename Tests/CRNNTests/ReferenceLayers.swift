import Foundation
@testable import CRNN

/// Naive, obviously-correct versions of every layer, straight from their definitions (PyTorch
/// semantics), that the fast OpenBLAS kernels are checked against. Tensors are [C, H, W] or
/// [T, F] row-major arrays.
enum ReferenceLayers {
    /// Conv2d, stride 1, zero padding k/2, no bias. weight [Cout, Cin, k, k].
    static func conv2d(_ x: [Float], channels: Int, height: Int, width: Int,
                       weight: [Float], outChannels: Int, kernel: Int) -> [Float] {
        let pad = kernel / 2
        var out = [Float](repeating: 0, count: outChannels * height * width)
        for o in 0..<outChannels {
            for y in 0..<height {
                for xx in 0..<width {
                    var sum: Double = 0
                    for c in 0..<channels {
                        for ky in 0..<kernel {
                            for kx in 0..<kernel {
                                let sy = y + ky - pad, sx = xx + kx - pad
                                guard sy >= 0, sy < height, sx >= 0, sx < width else { continue }
                                sum += Double(weight[((o * channels + c) * kernel + ky) * kernel + kx])
                                    * Double(x[(c * height + sy) * width + sx])
                            }
                        }
                    }
                    out[(o * height + y) * width + xx] = Float(sum)
                }
            }
        }
        return out
    }

    /// BatchNorm2d in inference mode, eps 1e-5.
    static func batchNorm(_ x: [Float], channels: Int, plane: Int, gamma: [Float], beta: [Float],
                          mean: [Float], variance: [Float]) -> [Float] {
        var out = x
        for c in 0..<channels {
            let denominator = (Double(variance[c]) + 1e-5).squareRoot()
            for i in 0..<plane {
                out[c * plane + i] = Float((Double(x[c * plane + i]) - Double(mean[c])) / denominator
                                           * Double(gamma[c]) + Double(beta[c]))
            }
        }
        return out
    }

    static func relu(_ x: [Float]) -> [Float] { x.map { max($0, 0) } }

    static func maxPool(_ x: [Float], channels: Int, height: Int, width: Int, pool: (Int, Int)) -> [Float] {
        let oh = height / pool.0, ow = width / pool.1
        var out = [Float](repeating: 0, count: channels * oh * ow)
        for c in 0..<channels {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    var best = -Float.infinity
                    for py in 0..<pool.0 {
                        for px in 0..<pool.1 {
                            best = max(best, x[(c * height + oy * pool.0 + py) * width + ox * pool.1 + px])
                        }
                    }
                    out[(c * oh + oy) * ow + ox] = best
                }
            }
        }
        return out
    }

    /// y [T, N] = x [T, K] · Wᵀ + b, W [N, K].
    static func linear(_ x: [Float], rows: Int, inputs: Int, weight: [Float], bias: [Float]) -> [Float] {
        let outputs = bias.count
        var out = [Float](repeating: 0, count: rows * outputs)
        for r in 0..<rows {
            for n in 0..<outputs {
                var sum = Double(bias[n])
                for k in 0..<inputs { sum += Double(x[r * inputs + k]) * Double(weight[n * inputs + k]) }
                out[r * outputs + n] = Float(sum)
            }
        }
        return out
    }

    /// One LSTM direction over one sequence x [T, In]; returns h [T, H]. Gates i, f, g, o.
    static func lstm(_ x: [Float], frames: Int, inputs: Int, hidden: Int, weightIH: [Float], weightHH: [Float],
                     biasIH: [Float], biasHH: [Float], reverse: Bool) -> [Float] {
        var h = [Double](repeating: 0, count: hidden), c = [Double](repeating: 0, count: hidden)
        var out = [Float](repeating: 0, count: frames * hidden)
        let sigmoid = { (v: Double) in 1 / (1 + Foundation.exp(-v)) }
        for step in 0..<frames {
            let t = reverse ? frames - 1 - step : step
            var z = [Double](repeating: 0, count: 4 * hidden)
            for g in 0..<4 * hidden {
                var sum = Double(biasIH[g]) + Double(biasHH[g])
                for k in 0..<inputs { sum += Double(weightIH[g * inputs + k]) * Double(x[t * inputs + k]) }
                for k in 0..<hidden { sum += Double(weightHH[g * hidden + k]) * h[k] }
                z[g] = sum
            }
            for j in 0..<hidden {
                let i = sigmoid(z[j]), f = sigmoid(z[hidden + j])
                let g = Foundation.tanh(z[2 * hidden + j]), o = sigmoid(z[3 * hidden + j])
                c[j] = f * c[j] + i * g
                h[j] = o * Foundation.tanh(c[j])
                out[t * hidden + j] = Float(h[j])
            }
        }
        return out
    }

    /// The whole network on one normalised input [inputHeight, W] from unfolded PyTorch tensors.
    static func network(_ input: [Float], width: Int, model: TestModel) -> [Float] {
        let config = model.config
        let t = { (name: String) in model.tensors[name]!.values }
        var x = input, channels = 1, height = config.inputHeight, w = width
        for (i, layer) in config.conv.enumerated() {
            x = conv2d(x, channels: channels, height: height, width: w, weight: t("conv.\(i).weight"),
                       outChannels: layer.out, kernel: layer.kernel)
            x = relu(batchNorm(x, channels: layer.out, plane: height * w, gamma: t("bn.\(i).weight"),
                               beta: t("bn.\(i).bias"), mean: t("bn.\(i).running_mean"), variance: t("bn.\(i).running_var")))
            channels = layer.out
            if let pool = layer.pool {
                x = maxPool(x, channels: channels, height: height, width: w, pool: (pool[0], pool[1]))
                height /= pool[0]
                w /= pool[1]
            }
        }
        let features = channels * height
        var sequence = [Float](repeating: 0, count: w * features)  // [T, C·H']
        for f in 0..<features { for time in 0..<w { sequence[time * features + f] = x[f * w + time] } }
        var inputs = features
        let hidden = config.lstmHidden
        for l in 0..<config.lstmLayers {
            let directions = ["", "_reverse"].map { suffix in
                lstm(sequence, frames: w, inputs: inputs, hidden: hidden, weightIH: t("lstm.weight_ih_l\(l)\(suffix)"),
                     weightHH: t("lstm.weight_hh_l\(l)\(suffix)"), biasIH: t("lstm.bias_ih_l\(l)\(suffix)"),
                     biasHH: t("lstm.bias_hh_l\(l)\(suffix)"), reverse: suffix == "_reverse")
            }
            var joined: [Float] = []
            for time in 0..<w {
                let start: Int = time * hidden
                joined += directions[0][start..<start + hidden]
                joined += directions[1][start..<start + hidden]
            }
            sequence = joined
            inputs = 2 * hidden
        }
        if config.bottleneck > 0 {
            sequence = linear(sequence, rows: w, inputs: inputs, weight: t("proj.weight"), bias: t("proj.bias"))
            inputs = config.bottleneck
        }
        return linear(sequence, rows: w, inputs: inputs, weight: t("fc.weight"), bias: t("fc.bias"))
    }
}
