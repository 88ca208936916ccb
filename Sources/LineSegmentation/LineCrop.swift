import Foundation
import PageImage

/// What a line crop is cut from: the page as given, read through the same seal suppression and
/// lighting normalisation that segmentation used, sampled straight along the upright frame.
struct CropSource: Sendable {
    let page: PageBitmap
    let background: BackgroundField
    let suppressSeals: Bool

    /// Gray level at full-resolution point (x, y), bilinear, normalised.
    private func sample(_ x: Double, _ y: Double, factor: Int) -> UInt8 {
        let w = page.gray.width, h = page.gray.height
        let fx = min(max(x - 0.5, 0), Double(w - 1)), fy = min(max(y - 0.5, 0), Double(h - 1))
        let x0 = Int(fx), y0 = Int(fy)
        let x1 = min(x0 + 1, w - 1), y1 = min(y0 + 1, h - 1)
        let tx = fx - Double(x0), ty = fy - Double(y0)
        let v = (1 - ty) * ((1 - tx) * raw(x0, y0) + tx * raw(x1, y0)) + ty * ((1 - tx) * raw(x0, y1) + tx * raw(x1, y1))
        let paper = background.paper(atX: x / Double(factor), y: y / Double(factor))
        return background.normalise(v, paper: paper)
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
        for j in 0..<oh {
            for i in 0..<ow {
                let (wx, wy) = back.apply(u0 + (Double(i) + 0.5) / scale, v0 + (Double(j) + 0.5) / scale)
                px[j * ow + i] = sample(wx * f, wy * f, factor: frame.factor)
            }
        }
        return GrayImage(width: ow, height: oh, pixels: px)
    }
}
