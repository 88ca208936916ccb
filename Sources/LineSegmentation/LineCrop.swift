import Foundation
import PageImage

/// What a line crop is cut from: the page as given, read through the same seal suppression and
/// lighting normalisation that segmentation used (or the working image, which has had both),
/// sampled straight along the upright frame.
struct CropSource: Sendable {
    let page: PageBitmap
    /// The working image after seal suppression and contrast normalisation: crops at or below
    /// its resolution (the usual recogniser height) are cut from it, already anti-aliased.
    let work: GrayImage
    let background: LocalContrast
    let suppressSeals: Bool

    /// Gray level at full-resolution point (x, y), bilinear, normalised.
    private func sample(_ x: Double, _ y: Double, factor: Int) -> UInt8 {
        let w = page.gray.width, h = page.gray.height
        let fx = min(max(x - 0.5, 0), Double(w - 1)), fy = min(max(y - 0.5, 0), Double(h - 1))
        let x0 = Int(fx), y0 = Int(fy)
        let x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1)
        let tx = fx - Double(x0), ty = fy - Double(y0)
        let v = (1 - ty) * ((1 - tx) * raw(x0, y0) + tx * raw(x1, y0)) + ty * ((1 - tx) * raw(x0, y1) + tx * raw(x1, y1))
        if background.isIdentity { return UInt8(min(255, max(0, v.rounded()))) }
        let (paper, ink) = background.levels(atX: Float(x) / Float(factor), y: Float(y) / Float(factor))
        return LocalContrast.stretch(Float(v), paper: paper, ink: ink)
    }

    @inline(__always)
    private func raw(_ x: Int, _ y: Int) -> Double {
        if suppressSeals, let rgb = page.rgb {
            let p = (y * rgb.width + x) * 3
            return Double(sealSuppressedGray(Int(rgb.pixels[p]), Int(rgb.pixels[p + 1]), Int(rgb.pixels[p + 2])))
        }
        return Double(page.gray.pixels[y * page.gray.width + x])
    }

    /// Cuts `rect` (frame units) plus a margin of `margin` × its height, at full page resolution,
    /// optionally scaled to `targetHeight` pixels.
    func crop(_ rect: FrameRect, frame: PageFrame, margin: Double, targetHeight: Int?) -> GrayImage {
        let f = Double(frame.factor)
        let m = margin * rect.height
        let u0 = rect.x0 - m, v0 = rect.y0 - m
        let uw = rect.width + 2 * m, vh = rect.height + 2 * m
        // Output pixels per frame unit.
        var scale = f
        if let targetHeight, targetHeight > 0 { scale = Double(targetHeight) / vh }
        let ow = max(1, Int((uw * scale).rounded())), oh = max(1, Int((vh * scale).rounded()))
        let back = frame.forward.inverse
        var px = [UInt8](repeating: 255, count: ow * oh)
        // Frame units are working pixels: at or below that resolution, cut from the working image
        // (averaging n×n sub-samples per output pixel when shrinking more than twofold); above
        // it, read the page itself.
        if scale <= 1 {
            let n = max(1, Int(1 / scale))
            // Along an output row the source point moves by a fixed step: no per-sample matrix.
            let du = 1 / (scale * Double(n))
            let stepX = back.a * du, stepY = back.d * du
            work.pixels.withUnsafeBufferPointer { wp in
                px.withUnsafeMutableBufferPointer { out in
                    var row = [Double](repeating: 0, count: ow)
                    for j in 0..<oh {
                        for i in 0..<ow { row[i] = 0 }
                        for sj in 0..<n {
                            let v = v0 + (Double(j) + (Double(sj) + 0.5) / Double(n)) / scale
                            var (wx, wy) = back.apply(u0 + 0.5 * du, v)
                            for i in 0..<ow {
                                var acc = 0.0
                                for _ in 0..<n {
                                    acc += bilinear(wp, work.width, work.height, wx, wy)
                                    wx += stepX; wy += stepY
                                }
                                row[i] += acc
                            }
                        }
                        let norm = 1 / Double(n * n)
                        for i in 0..<ow { out[j * ow + i] = UInt8(min(255, max(0, (row[i] * norm).rounded()))) }
                    }
                }
            }
        } else {
            for j in 0..<oh {
                for i in 0..<ow {
                    let (wx, wy) = back.apply(u0 + (Double(i) + 0.5) / scale, v0 + (Double(j) + 0.5) / scale)
                    px[j * ow + i] = sample(wx * f, wy * f, factor: frame.factor)
                }
            }
        }
        return GrayImage(width: ow, height: oh, pixels: px)
    }
}

/// Gray level at point (x, y) of a w×h image, bilinear, clamped at the edges.
@inline(__always)
private func bilinear(_ p: UnsafeBufferPointer<UInt8>, _ w: Int, _ h: Int, _ x: Double, _ y: Double) -> Double {
    let fx = min(max(x - 0.5, 0), Double(w - 1)), fy = min(max(y - 0.5, 0), Double(h - 1))
    let x0 = Int(fx), y0 = Int(fy)
    let x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1)
    let tx = fx - Double(x0), ty = fy - Double(y0)
    let top = (1 - tx) * Double(p[y0 * w + x0]) + tx * Double(p[y0 * w + x1])
    let bottom = (1 - tx) * Double(p[y1 * w + x0]) + tx * Double(p[y1 * w + x1])
    return (1 - ty) * top + ty * bottom
}
