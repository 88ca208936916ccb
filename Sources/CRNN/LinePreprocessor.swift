/// The network's input, written down once (weights/MODEL.md, "Input normalisation"): scale to the
/// input height keeping the aspect ratio with PIL's bilinear filter, map p to (255 − p) / 255 so ink
/// is 1 and paper 0, pad on the right with 0 to a multiple of the horizontal stride.
enum LinePreprocessor {
    static func scaledWidth(of line: LineImage, config: ModelConfig) -> Int {
        LineImage.scaledWidth(width: line.width, height: line.height, targetHeight: config.inputHeight)
    }

    static func paddedWidth(of line: LineImage, config: ModelConfig) -> Int {
        let stride = config.horizontalStride
        return (scaledWidth(of: line, config: config) + stride - 1) / stride * stride
    }

    /// Widest line, after scaling to the input height, that the recogniser runs: 2048 frames, four
    /// times a full A4 line at 300 dpi. Wider "lines" (a ruling or a sliver a segmenter mistook for
    /// text) would need hundreds of MB of scratch and cannot be text; they come back empty.
    static let maxScaledWidth = 8192

    /// Frames the network produces for this line; 0 for an empty image or one wider than
    /// `maxScaledWidth` after scaling.
    static func frameCount(of line: LineImage, config: ModelConfig) -> Int {
        guard line.width > 0, line.height > 0, scaledWidth(of: line, config: config) <= maxScaledWidth else { return 0 }
        var width = paddedWidth(of: line, config: config)
        for layer in config.conv { if let pool = layer.pool { width /= pool[1] } }
        return width
    }

    /// Writes the normalised input [inputHeight, width] (width = paddedWidth) to `output`. Light
    /// text on a dark ground is mapped the other way round, so ink is 1 whatever the polarity.
    static func normalise(_ line: LineImage, config: ModelConfig, width: Int, into output: UnsafeMutablePointer<Float>) {
        let scaled = PILBilinear.resize(line, width: scaledWidth(of: line, config: config), height: config.inputHeight)
        let ink = isLightOnDark(line) ? 0 : 255
        for y in 0..<scaled.height {
            let row = output + y * width
            for x in 0..<scaled.width { row[x] = Float(abs(ink - Int(scaled.pixels[y * scaled.width + x]))) / 255 }
            for x in scaled.width..<width { row[x] = 0 }
        }
    }

    /// MODEL.md's polarity rule (training/render.py `light_on_dark`): more than 65 % of the pixels
    /// below the midpoint of the darkest and lightest value means light text on a dark ground.
    /// Crops of white-on-dark header bars otherwise reach the network as a dark block and read as noise.
    static func isLightOnDark(_ line: LineImage) -> Bool {
        guard let lo = line.pixels.min(), let hi = line.pixels.max(), Int(hi) - Int(lo) >= 32 else { return false }
        let threshold = (Int(lo) + Int(hi) + 1) / 2
        var dark = 0
        for p in line.pixels where Int(p) < threshold { dark += 1 }
        return dark * 100 > 65 * line.pixels.count
    }
}
