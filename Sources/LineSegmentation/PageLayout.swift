import PageImage

/// A text line's box in pixels of the original page (origin top left, `x1`/`y1` exclusive),
/// plus where the line lies in the upright, deskewed page so its crop can be cut straight.
public struct LineBox: Sendable, Hashable {
    public let x0: Int
    public let y0: Int
    public let x1: Int
    public let y1: Int
    /// The line's rectangle in the upright, deskewed frame (working-resolution units).
    let upright: FrameRect
    /// Set vertically (a number printed up a margin): its crop is as tall as the line and the
    /// recogniser reads it turned (`RecognitionSession.recogniseOriented`).
    public let vertical: Bool

    public var width: Int { x1 - x0 }
    public var height: Int { y1 - y0 }
    /// `[x0, y0, x1, y1]`, the order of the truth format's `bbox`.
    public var bbox: [Int] { [x0, y0, x1, y1] }

    init(x0: Int, y0: Int, x1: Int, y1: Int, upright: FrameRect, vertical: Bool = false) {
        self.x0 = x0
        self.y0 = y0
        self.x1 = x1
        self.y1 = y1
        self.upright = upright
        self.vertical = vertical
    }
}

/// What segmentation found on one page: its text lines in reading order, and the rotation and
/// skew that were applied to read it upright.
public struct PageLayout: Sendable {
    /// Lines in reading order (columns, then top to bottom), boxes in original page pixels.
    public let lines: [LineBox]
    /// Clockwise quarter turn (0, 90, 180 or 270 degrees) applied to the page to read it upright.
    public let rotation: Int
    /// Skew of the text (degrees, positive = lines rise to the right) that was removed after the rotation.
    public let skewDegrees: Double
    /// The page size in pixels, as given.
    public let width: Int
    public let height: Int
    /// Estimated median height of a character component, in original page pixels.
    public let characterHeight: Double

    let frame: PageFrame
    let source: CropSource
    let cropMargin: Double

    /// The line as the recogniser should see it: cut from the preprocessed page (rotated upright,
    /// deskewed, seals suppressed, contrast normalised), with a margin of about `cropMargin` of the
    /// line height (a vertical line's width) on every side. With `height`, the crop is scaled to that many pixels tall.
    public func lineImage(_ line: LineBox, height: Int? = nil) -> GrayImage {
        // A vertical line's height, as text, is its width.
        let margin = line.vertical && line.upright.height > 0
            ? cropMargin * line.upright.width / line.upright.height : cropMargin
        return source.crop(line.upright, frame: frame, margin: margin, targetHeight: height)
    }
}
