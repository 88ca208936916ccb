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

    public init(dpi: Double = 300, textLayer: TextLayerMode = .auto, limits: Limits = .default,
                perFileTimeout: Double? = 300) {
        self.dpi = dpi
        self.textLayer = textLayer
        self.limits = limits
        self.perFileTimeout = perFileTimeout
    }
}
