/// The answer for one document in the evaluation corpus's truth format (MISSION.md):
/// `{"path", "pages": [{"page", "width", "height", "dpi", "lines": [{"text", "confidence", "bbox"}]}]}`.
/// Boxes are pixels of the page as rasterised, origin top left, `[x0, y0, x1, y1]`.
public struct OCRDocument: Codable, Sendable, Equatable {
    public var path: String
    public var pages: [OCRPage]

    public init(path: String, pages: [OCRPage]) {
        self.path = path
        self.pages = pages
    }

    /// Every line's text in reading order, page after page (the original design's flat `text` list).
    public var text: [String] { pages.flatMap { $0.lines.map(\.text) } }
}

public struct OCRPage: Codable, Sendable, Equatable {
    public var page: Int
    public var width: Int
    public var height: Int
    public var dpi: Double
    /// Where the lines came from: "ocr" or "text-layer".
    public var source: String
    public var lines: [OCRLine]

    public init(page: Int, width: Int, height: Int, dpi: Double, source: String, lines: [OCRLine]) {
        self.page = page
        self.width = width
        self.height = height
        self.dpi = dpi
        self.source = source
        self.lines = lines
    }
}

public struct OCRLine: Codable, Sendable, Equatable {
    public var text: String
    public var confidence: Double
    public var bbox: [Int]

    public init(text: String, confidence: Double, bbox: [Int]) {
        self.text = text
        self.confidence = confidence
        self.bbox = bbox
    }
}

import ArchiveStore

extension OCRDocument {
    /// A stored document in the truth format (what `show --json` and the API print).
    public init(_ content: DocumentContent) {
        self.init(path: content.document.path, pages: content.pages.map { page in
            OCRPage(page: page.page.number, width: page.page.width, height: page.page.height, dpi: page.page.dpi,
                    source: page.page.source.rawValue,
                    lines: page.lines.map {
                        OCRLine(text: $0.text, confidence: $0.confidence, bbox: [$0.box.x0, $0.box.y0, $0.box.x1, $0.box.y1])
                    })
        })
    }
}
