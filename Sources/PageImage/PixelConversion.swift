/// Conversions from decoder output to our gray/RGB page bitmaps. Gray uses the BT.601 weights in
/// 16-bit fixed point, the same as the PDF path (CPoppler's dv_xrgb_to_gray); transparency is
/// composited on white paper.
enum PixelConversion {
    @inline(__always) static func luma(_ r: UInt32, _ g: UInt32, _ b: UInt32) -> UInt8 {
        UInt8(truncatingIfNeeded: (r &* 19595 &+ g &* 38470 &+ b &* 7471 &+ 32768) >> 16)
    }

    /// Composites a colour sample over white given straight (non-premultiplied) alpha.
    @inline(__always) static func overWhite(_ c: UInt32, alpha a: UInt32) -> UInt32 {
        (c &* a &+ 255 &* (255 &- a) &+ 127) / 255
    }

    /// `channels` interleaved samples per pixel: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA (straight alpha).
    static func split(_ samples: [UInt8], width: Int, height: Int, channels: Int, keepColour: Bool) -> (GrayImage, RGBImage?) {
        let count = width * height
        switch channels {
        case 1:
            return (GrayImage(width: width, height: height, pixels: samples), nil)
        case 2:
            let gray = [UInt8](unsafeUninitializedCapacity: count) { out, n in
                samples.withUnsafeBufferPointer { src in
                    for i in 0..<count {
                        out[i] = UInt8(overWhite(UInt32(src[2 * i]), alpha: UInt32(src[2 * i + 1])))
                    }
                }
                n = count
            }
            return (GrayImage(width: width, height: height, pixels: gray), nil)
        default:
            let rgb: [UInt8]
            if channels == 3 {
                rgb = samples
            } else {
                rgb = [UInt8](unsafeUninitializedCapacity: count * 3) { out, n in
                    samples.withUnsafeBufferPointer { src in
                        for i in 0..<count {
                            let a = UInt32(src[4 * i + 3])
                            for c in 0..<3 { out[3 * i + c] = UInt8(overWhite(UInt32(src[4 * i + c]), alpha: a)) }
                        }
                    }
                    n = count * 3
                }
            }
            let gray = grayFromRGB(rgb, count: count)
            return (GrayImage(width: width, height: height, pixels: gray),
                    keepColour ? RGBImage(width: width, height: height, pixels: rgb) : nil)
        }
    }

    static func grayFromRGB(_ rgb: [UInt8], count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { out, n in
            rgb.withUnsafeBufferPointer { src in
                for i in 0..<count {
                    out[i] = luma(UInt32(src[3 * i]), UInt32(src[3 * i + 1]), UInt32(src[3 * i + 2]))
                }
            }
            n = count
        }
    }

    /// CMYK as libjpeg returns it. Adobe (Photoshop) files store the values inverted (255 = no ink).
    static func rgbFromCMYK(_ cmyk: [UInt8], count: Int, adobeInverted: Bool) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count * 3) { out, n in
            cmyk.withUnsafeBufferPointer { src in
                for i in 0..<count {
                    var k = UInt32(src[4 * i + 3])
                    if !adobeInverted { k = 255 - k }
                    for c in 0..<3 {
                        var v = UInt32(src[4 * i + c])
                        if !adobeInverted { v = 255 - v }
                        out[3 * i + c] = UInt8((v * k + 127) / 255)
                    }
                }
            }
            n = count * 3
        }
    }

    /// libtiff's RGBA raster: 0xAABBGGRR words with premultiplied alpha.
    static func rgbFromTIFFRaster(_ raster: [UInt32], count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count * 3) { out, n in
            raster.withUnsafeBufferPointer { src in
                for i in 0..<count {
                    let p = src[i]
                    let white = 255 - (p >> 24)
                    out[3 * i] = UInt8(min(255, (p & 0xFF) + white))
                    out[3 * i + 1] = UInt8(min(255, ((p >> 8) & 0xFF) + white))
                    out[3 * i + 2] = UInt8(min(255, ((p >> 16) & 0xFF) + white))
                }
            }
            n = count * 3
        }
    }
}

/// EXIF orientation (tag 0x0112): how the stored pixels must be turned to be seen upright.
enum ExifOrientation {
    /// Reads the orientation from an EXIF payload (a TIFF structure); 1 when absent or malformed.
    static func read(_ exif: [UInt8]) -> Int {
        guard exif.count >= 8 else { return 1 }
        let little: Bool
        switch (exif[0], exif[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return 1
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= exif.count else { return nil }
            return little ? Int(exif[at]) | Int(exif[at + 1]) << 8 : Int(exif[at]) << 8 | Int(exif[at + 1])
        }
        func u32(_ at: Int) -> Int? {
            guard let hi = u16(little ? at + 2 : at), let lo = u16(little ? at : at + 2) else { return nil }
            return hi << 16 | lo
        }
        guard let ifd = u32(4), let entries = u16(ifd) else { return 1 }
        for e in 0..<min(entries, 512) {
            let at = ifd + 2 + e * 12
            guard let tag = u16(at) else { return 1 }
            if tag == 0x0112, let value = u16(at + 8), (1...8).contains(value) { return value }
        }
        return 1
    }

    /// Applies `orientation` to interleaved pixels; returns the new pixels and size.
    static func apply(_ orientation: Int, to pixels: [UInt8], width w: Int, height h: Int, channels c: Int) -> ([UInt8], Int, Int) {
        guard orientation > 1 && orientation <= 8 else { return (pixels, w, h) }
        let swapped = orientation >= 5
        let (ow, oh) = swapped ? (h, w) : (w, h)
        let out = [UInt8](unsafeUninitializedCapacity: pixels.count) { dst, n in
            pixels.withUnsafeBufferPointer { src in
                for y in 0..<oh {
                    for x in 0..<ow {
                        let (sx, sy): (Int, Int)
                        switch orientation {
                        case 2: (sx, sy) = (w - 1 - x, y)
                        case 3: (sx, sy) = (w - 1 - x, h - 1 - y)
                        case 4: (sx, sy) = (x, h - 1 - y)
                        case 5: (sx, sy) = (y, x)
                        case 6: (sx, sy) = (y, h - 1 - x)
                        case 7: (sx, sy) = (w - 1 - y, h - 1 - x)
                        default: (sx, sy) = (w - 1 - y, x)
                        }
                        let from = (sy * w + sx) * c, to = (y * ow + x) * c
                        for k in 0..<c { dst[to + k] = src[from + k] }
                    }
                }
            }
            n = pixels.count
        }
        return (out, ow, oh)
    }
}
