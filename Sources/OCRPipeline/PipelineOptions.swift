import PageImage

/// Where a PDF page's lines come from.
public enum TextLayerMode: String, Sendable, CaseIterable {
    /// The page's own text layer when it is trustworthy, OCR otherwise.
    case auto
    /// Always OCR.
    case ocr
    /// Only the text layer; pages without one get no lines.
    case only
}

public struct PipelineOptions: Sendable {
    /// Resolution PDF pages are rasterised at (images keep their own).
    public var dpi: Double
    public var textLayer: TextLayerMode
    public var limits: Limits
    /// Seconds one file may take; checked between pages and between recognition batches.
    public var perFileTimeout: Double?
    /// Recognised lines whose confidence (the mean of their characters' probabilities) is below
    /// this are dropped: below one half the recogniser holds its own reading more likely wrong than
    /// right, and such lines are almost all specks, logos and rulings read as stray characters.
    public var minimumLineConfidence: Double

    public init(dpi: Double = 300, textLayer: TextLayerMode = .auto, limits: Limits = .default,
                perFileTimeout: Double? = 300, minimumLineConfidence: Double = 0.5) {
        self.dpi = dpi
        self.textLayer = textLayer
        self.limits = limits
        self.perFileTimeout = perFileTimeout
        self.minimumLineConfidence = minimumLineConfidence
    }
}
