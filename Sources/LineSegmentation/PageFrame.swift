import Foundation

/// An axis-aligned rectangle in the upright, deskewed frame (working-resolution units).
struct FrameRect: Sendable, Hashable {
    var x0: Double
    var y0: Double
    var x1: Double
    var y1: Double

    var width: Double { x1 - x0 }
    var height: Double { y1 - y0 }
    var midX: Double { (x0 + x1) / 2 }
    var midY: Double { (y0 + y1) / 2 }

    func union(_ o: FrameRect) -> FrameRect {
        FrameRect(x0: min(x0, o.x0), y0: min(y0, o.y0), x1: max(x1, o.x1), y1: max(y1, o.y1))
    }

    /// Vertical overlap in units of the lower rectangle's height.
    func verticalOverlap(_ o: FrameRect) -> Double {
        let ov = min(y1, o.y1) - max(y0, o.y0)
        return ov / max(1e-9, min(height, o.height))
    }
}

/// An affine map `(x, y) -> (a*x + b*y + c, d*x + e*y + f)`.
struct Affine: Sendable, Hashable {
    var a, b, c, d, e, f: Double

    static let identity = Affine(a: 1, b: 0, c: 0, d: 0, e: 1, f: 0)

    func apply(_ x: Double, _ y: Double) -> (Double, Double) {
        (a * x + b * y + c, d * x + e * y + f)
    }

    /// `other` after `self`.
    func then(_ o: Affine) -> Affine {
        Affine(a: o.a * a + o.b * d, b: o.a * b + o.b * e, c: o.a * c + o.b * f + o.c,
               d: o.d * a + o.e * d, e: o.d * b + o.e * e, f: o.d * c + o.e * f + o.f)
    }

    var inverse: Affine {
        let det = a * e - b * d
        let ia = e / det, ib = -b / det, id = -d / det, ie = a / det
        return Affine(a: ia, b: ib, c: -(ia * c + ib * f), d: id, e: ie, f: -(id * c + ie * f))
    }
}

/// How the working image maps onto the upright, deskewed frame that lines are grouped in:
/// first a clockwise quarter turn, then a rotation by the skew about the frame's centre.
struct PageFrame: Sendable, Hashable {
    /// Working image size (the page downscaled by `factor`).
    let workWidth: Int
    let workHeight: Int
    let factor: Int
    let quarterTurns: Int
    let skewDegrees: Double
    /// Working coordinates -> frame coordinates.
    let forward: Affine

    init(workWidth: Int, workHeight: Int, factor: Int, quarterTurns: Int, skewDegrees: Double) {
        self.workWidth = workWidth
        self.workHeight = workHeight
        self.factor = factor
        self.quarterTurns = ((quarterTurns % 4) + 4) % 4
        self.skewDegrees = skewDegrees
        let w = Double(workWidth), h = Double(workHeight)
        let turn: Affine
        switch self.quarterTurns {
        case 1: turn = Affine(a: 0, b: -1, c: h, d: 1, e: 0, f: 0)
        case 2: turn = Affine(a: -1, b: 0, c: w, d: 0, e: -1, f: h)
        case 3: turn = Affine(a: 0, b: 1, c: 0, d: -1, e: 0, f: w)
        default: turn = .identity
        }
        let (fw, fh) = self.quarterTurns % 2 == 1 ? (h, w) : (w, h)
        // Removing a skew of θ (lines rising to the right) means turning the frame by +θ
        // in image coordinates (y down), about the frame centre.
        let t = skewDegrees * .pi / 180
        let cx = fw / 2, cy = fh / 2
        let cs = cos(t), sn = sin(t)
        let deskew = Affine(a: cs, b: -sn, c: cx - cs * cx + sn * cy,
                            d: sn, e: cs, f: cy - sn * cx - cs * cy)
        forward = turn.then(deskew)
    }

    var frameWidth: Double { Double(quarterTurns % 2 == 1 ? workHeight : workWidth) }
    var frameHeight: Double { Double(quarterTurns % 2 == 1 ? workWidth : workHeight) }

    /// A working-image box (inclusive pixel bounds) as a frame rectangle: the centre is mapped
    /// exactly, the size is kept (skew is small, so the extent barely changes).
    func frameRect(x0: Int, y0: Int, x1: Int, y1: Int) -> FrameRect {
        let (cx, cy) = forward.apply(Double(x0 + x1 + 1) / 2, Double(y0 + y1 + 1) / 2)
        var w = Double(x1 - x0 + 1), h = Double(y1 - y0 + 1)
        if quarterTurns % 2 == 1 { swap(&w, &h) }
        return FrameRect(x0: cx - w / 2, y0: cy - h / 2, x1: cx + w / 2, y1: cy + h / 2)
    }
}
