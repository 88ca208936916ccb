/// Lines set vertically: document numbers printed up a form's margin, a filing stamp, the spine
/// of a table. Cropped as they lie, such a line is much taller than wide, and the network, which
/// reads along the width, sees one squashed glyph. Such a crop is also read turned a quarter
/// both ways, and the likelier reading wins (weights/MODEL.md, "Vertical lines"; the training
/// code's line-crop evaluation applies the same rule).
public struct OrientedReading: Sendable, Equatable {
    public let line: RecognisedLine
    /// The image that was read: the input, or the input turned; character positions (`x`) run
    /// along its width.
    public let image: LineImage
    /// Quarter turns counter-clockwise applied to the input: 0, 1 or 3.
    public let quarterTurns: Int
}

extension LineImage {
    /// The image turned by 90°, counter-clockwise or clockwise (PIL's `rotate(±90, expand=True)`).
    public func turnedQuarter(counterClockwise: Bool) -> LineImage {
        var out = [UInt8](repeating: 0, count: pixels.count)
        // The turned image is `height` wide and `width` tall.
        for y in 0..<width {
            for x in 0..<height {
                let source = counterClockwise ? x * width + (width - 1 - y) : (height - 1 - x) * width + y
                out[y * height + x] = pixels[source]
            }
        }
        return LineImage(width: height, height: width, pixels: out)
    }

    /// At least twice as tall as wide: a vertical line, or a lone narrow glyph (1, l, a colon).
    public var mayBeVertical: Bool { width > 0 && height >= 2 * width }
}

extension RecognitionSession {
    /// Turned readings need this many characters to replace the upright one: a lone `1` or `:`
    /// turned reads as a dash or two dots, sometimes confidently.
    public static let minimumTurnedCharacters = 3

    /// Like `recognise`, but a line at least twice as tall as wide is also read turned a quarter
    /// counter-clockwise and clockwise; the more confident of those replaces the upright reading
    /// when it has at least three characters and a higher line confidence. `vertical`, when the
    /// caller knows (the segmenter marks its vertical lines), limits the turned readings to the
    /// lines it flags: a page's lone narrow glyphs (`1`, `:`) are tall too, and never turned.
    public func recogniseOriented(_ lines: [LineImage], vertical: [Bool]? = nil) -> [OrientedReading] {
        let tall = lines.indices.filter { lines[$0].mayBeVertical && vertical?[$0] != false }
        let turned = tall.flatMap { [lines[$0].turnedQuarter(counterClockwise: true), lines[$0].turnedQuarter(counterClockwise: false)] }
        let readings = recognise(lines + turned)
        var out = lines.indices.map { OrientedReading(line: readings[$0], image: lines[$0], quarterTurns: 0) }
        for (k, index) in tall.enumerated() {
            let ccw = readings[lines.count + 2 * k], cw = readings[lines.count + 2 * k + 1]
            let (best, image, turns) = cw.confidence > ccw.confidence
                ? (cw, turned[2 * k + 1], 3) : (ccw, turned[2 * k], 1)
            if best.characters.count >= Self.minimumTurnedCharacters && best.confidence > out[index].line.confidence {
                out[index] = OrientedReading(line: best, image: image, quarterTurns: turns)
            }
        }
        return out
    }
}
