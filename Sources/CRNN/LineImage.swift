/// One text line as the recogniser sees it: an 8-bit grayscale bitmap, row-major, origin top left,
/// 0 = black ink, 255 = white paper. CRNN's own type so that it depends on nothing above it; the
/// pipeline converts its crops into this.
public struct LineImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height,
                     "pixel count must equal width * height")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// Width after scaling to `height` keeping the aspect ratio: max(8, round(w·h'/h)), where
    /// round is Python's (halves to even), as in the training code.
    public static func scaledWidth(width: Int, height: Int, targetHeight: Int) -> Int {
        let exact = Double(width * targetHeight) / Double(height)
        return max(8, Int(exact.rounded(.toNearestOrEven)))
    }
}

/// PIL's `Image.resize(size, Image.BILINEAR)` for 8-bit gray (Pillow's Resample.c): a triangle
/// filter whose support widens by the scale factor when shrinking, coefficients normalised and
/// converted to 22-bit fixed point, a horizontal pass (to 8 bits) then a vertical pass. Matching it
/// bit for bit keeps the network's input identical to what training saw.
enum PILBilinear {
    private static let precisionBits = 32 - 8 - 2

    private struct Coefficients {
        /// Filter taps per output pixel.
        var taps: Int
        /// Per output pixel: first input index and number of inputs.
        var bounds: [(start: Int, count: Int)]
        /// [outSize, taps] fixed-point weights.
        var weights: [Int32]
    }

    private static func coefficients(inSize: Int, outSize: Int) -> Coefficients {
        let scale = Double(inSize) / Double(outSize)
        let filterScale = max(scale, 1.0)
        let support = 1.0 * filterScale
        let taps = Int(support.rounded(.up)) * 2 + 1
        var bounds: [(start: Int, count: Int)] = []
        bounds.reserveCapacity(outSize)
        var weights = [Int32](repeating: 0, count: outSize * taps)
        var k = [Double](repeating: 0, count: taps)
        for xx in 0..<outSize {
            let center = (Double(xx) + 0.5) * scale
            let inverse = 1.0 / filterScale
            let xmin = max(0, Int(center - support + 0.5))
            let xmax = min(inSize, Int(center + support + 0.5)) - xmin
            var total = 0.0
            for x in 0..<max(0, xmax) {
                let w = triangle((Double(x + xmin) - center + 0.5) * inverse)
                k[x] = w
                total += w
            }
            for x in 0..<taps {
                var w = x < xmax ? k[x] : 0
                if x < xmax && total != 0 { w /= total }
                let fixed = w * Double(1 << precisionBits)
                weights[xx * taps + x] = Int32(w < 0 ? fixed - 0.5 : fixed + 0.5)
            }
            bounds.append((xmin, max(0, xmax)))
        }
        return Coefficients(taps: taps, bounds: bounds, weights: weights)
    }

    private static func triangle(_ x: Double) -> Double {
        let a = abs(x)
        return a < 1.0 ? 1.0 - a : 0.0
    }

    private static func clip8(_ value: Int32) -> UInt8 {
        if value <= 0 { return 0 }
        let shifted = value >> Int32(precisionBits)
        return shifted >= 255 ? 255 : UInt8(shifted)
    }

    static func resize(_ image: LineImage, width outWidth: Int, height outHeight: Int) -> LineImage {
        let needHorizontal = outWidth != image.width
        let needVertical = outHeight != image.height
        if !needHorizontal && !needVertical { return image }
        let vertical = coefficients(inSize: image.height, outSize: outHeight)
        // PIL resamples only the source rows the vertical pass reads.
        let firstRow = vertical.bounds[0].start
        let lastRow = vertical.bounds[outHeight - 1].start + vertical.bounds[outHeight - 1].count
        var source = image
        var rowOffset = 0
        if needHorizontal {
            source = horizontalPass(image, rows: firstRow..<lastRow, outWidth: outWidth)
            rowOffset = firstRow
        }
        guard needVertical else { return source }
        var out = [UInt8](repeating: 0, count: outWidth * outHeight)
        let round = Int32(1) << Int32(precisionBits - 1)
        source.pixels.withUnsafeBufferPointer { src in
            for yy in 0..<outHeight {
                let (start, count) = vertical.bounds[yy]
                let base = yy * vertical.taps
                for xx in 0..<outWidth {
                    var sum = round
                    for y in 0..<count {
                        sum &+= Int32(src[(start - rowOffset + y) * outWidth + xx]) &* vertical.weights[base + y]
                    }
                    out[yy * outWidth + xx] = clip8(sum)
                }
            }
        }
        return LineImage(width: outWidth, height: outHeight, pixels: out)
    }

    private static func horizontalPass(_ image: LineImage, rows: Range<Int>, outWidth: Int) -> LineImage {
        let horizontal = coefficients(inSize: image.width, outSize: outWidth)
        var out = [UInt8](repeating: 0, count: outWidth * rows.count)
        let round = Int32(1) << Int32(precisionBits - 1)
        image.pixels.withUnsafeBufferPointer { src in
            for (row, y) in rows.enumerated() {
                let line = y * image.width
                for xx in 0..<outWidth {
                    let (start, count) = horizontal.bounds[xx]
                    let base = xx * horizontal.taps
                    var sum = round
                    for x in 0..<count {
                        sum &+= Int32(src[line + start + x]) &* horizontal.weights[base + x]
                    }
                    out[row * outWidth + xx] = clip8(sum)
                }
            }
        }
        return LineImage(width: outWidth, height: rows.count, pixels: out)
    }
}
