import PageImage

/// Settings of the segmenter; the defaults suit scans, photos and rendered PDFs alike.
public struct LineSegmentationOptions: Sendable {
    /// Look for pages turned by 90°, 180° or 270° and read them upright.
    public var detectOrientation = true
    /// Largest skew (degrees) searched for and removed; 0 turns deskewing off.
    public var maxSkewDegrees = 15.0
    /// Turn red and blue seals and stamps into paper before binarising (needs the page's RGB).
    public var suppressSeals = true
    /// Remove table rulings and form lines before grouping, and never join a line across one.
    public var removeRulings = true
    /// Widest gap inside one line between two word groups, in units of their height; wider
    /// gaps (table columns, label and value far apart) start a new line.
    public var wordGap = 1.0
    /// Margin around each line crop, as a fraction of the line height.
    public var cropMargin = 0.12

    public init() {}
}

/// Finds the text lines of a page: preprocessing (seal suppression, lighting and contrast
/// normalisation, Sauvola binarisation, removal of rulings and inversion of dark bars),
/// orientation and skew, grouping of characters into lines, and reading order.
public struct LineSegmenter: Sendable {
    public var options: LineSegmentationOptions

    public init(options: LineSegmentationOptions = LineSegmentationOptions()) {
        self.options = options
    }

    public func segment(_ page: PageBitmap) -> PageLayout {
        // A factor larger than the short side would average blocks reaching past the image (a
        // 100000x1 ribbon), so the reduction never exceeds the page's thinner dimension.
        let factor = min(workingFactor(width: page.gray.width, height: page.gray.height),
                         max(1, min(page.gray.width, page.gray.height)))
        let survey = options.suppressSeals ? page.rgb.map(surveySeals) : nil
        let suppress = survey?.suppress == true
        let raw = makeWorkingImage(page, factor: factor, seals: suppress ? survey : nil)
        let background = LocalContrast(raw)
        let work = background.apply(raw)
        var ink = sauvolaBinarise(work)
        var comps = connectedComponents(ink)
        var med = medianCharacterHeight(comps, pageHeight: work.height)
        if invertDarkBlocks(&ink, components: comps, characterHeight: med) > 0 {
            comps = connectedComponents(ink)
        }
        var rulings: [Ruling] = []
        if options.removeRulings {
            rulings = removeRulings(&ink, minLength: max(12, Int(4 * med)),
                                    maxThickness: max(2, Int((0.25 * med).rounded())))
            if !rulings.isEmpty { comps = connectedComponents(ink) }
        }
        med = medianCharacterHeight(comps, pageHeight: work.height)
        med = characterHeight(comps, pieceHeight: med, pageHeight: work.height)
        let chars = plausibleCharacters(comps, med: med, width: work.width, height: work.height)
        let source = CropSource(page: page, work: work, background: background, suppressSeals: suppress)
        let vertical = isVerticalLineCrop(work, chars: chars)
        let (frame, lines) = (isLineCrop(work) || vertical) && !chars.isEmpty
            ? wholeLine(chars, work: work, factor: factor, vertical: vertical)
            : findLines(chars, ink: ink, rulings: rulings, med: med, work: work, factor: factor)
        let boxes = lines.map { l in
            characterCellWide(LineBox(x0: l.box.x0 * factor, y0: l.box.y0 * factor,
                                      x1: min(page.gray.width, (l.box.x1 + 1) * factor),
                                      y1: min(page.gray.height, (l.box.y1 + 1) * factor), upright: l.rect,
                                      vertical: l.vertical),
                              alongY: l.vertical || frame.quarterTurns % 2 == 1, width: page.gray.width, height: page.gray.height)
        }
        return PageLayout(lines: boxes, rotation: frame.quarterTurns * 90, skewDegrees: frame.skewDegrees,
                          width: page.gray.width, height: page.gray.height,
                          characterHeight: med * Double(factor), frame: frame, source: source,
                          cropMargin: options.cropMargin)
    }

    /// Orientation, skew, grouping and reading order, on components of the working image.
    private func findLines(_ found: [Component], ink: BinaryImage, rulings: [Ruling], med pageMed: Double, work: GrayImage,
                           factor: Int) -> (PageFrame, [LineCandidate]) {
        let across = found.map(transposed)
        let turnedMed = characterHeight(across, pieceHeight: medianCharacterHeight(across, pageHeight: work.width),
                                        pageHeight: work.width)
        var turns = 0
        if options.detectOrientation && textRunsVertically(found, characterHeight: min(pageMed, turnedMed)) { turns = 1 }
        // Once the text direction is known, character height is measured across the lines, and
        // rows that touch can be told apart (only on pages read as they lie; a turned page keeps
        // its blobs whole).
        let med = turns == 1 ? turnedMed : pageMed
        let chars = turns == 1 ? found : splitTouchingRows(found, ink: ink, characterHeight: med)
        var frame = PageFrame(workWidth: work.width, workHeight: work.height, factor: factor,
                              quarterTurns: turns, skewDegrees: 0)
        let bottoms = chars.filter { Double($0.height) >= 0.5 * med && Double($0.height) <= 2 * med }.map { c in
            let r = frame.frameRect(x0: Int(c.x0), y0: Int(c.y0), x1: Int(c.x1), y1: Int(c.y1))
            return (x: r.midX, y: r.y1)
        }
        let skew = estimateSkew(bottoms: bottoms, maxDegrees: options.maxSkewDegrees, characterHeight: med)
        frame = PageFrame(workWidth: work.width, workHeight: work.height, factor: factor,
                          quarterTurns: turns, skewDegrees: skew)
        var lines = group(chars, rulings: rulings, med: med, frame: frame)
        if options.detectOrientation && looksUpsideDown(lines.map(\.glyphs)) {
            frame = PageFrame(workWidth: work.width, workHeight: work.height, factor: factor,
                              quarterTurns: turns + 2, skewDegrees: skew)
            lines = group(chars, rulings: rulings, med: med, frame: frame)
        }
        if frame.quarterTurns == 0 { lines = joinVerticalRuns(lines) }
        let order = readingOrder(lines.map(\.rect), minColumnGap: 1.5 * med)
        return (frame, order.map { lines[$0] })
    }

    /// An image no taller than about two lines of text and at least twice as wide is itself a
    /// line (a crop, a label photo): its ink is one line, however its glyphs happen to break up.
    private func isLineCrop(_ work: GrayImage) -> Bool {
        work.height <= 96 && work.width >= 2 * work.height
    }

    private func wholeLine(_ chars: [Component], work: GrayImage, factor: Int,
                           vertical: Bool = false) -> (PageFrame, [LineCandidate]) {
        let frame = PageFrame(workWidth: work.width, workHeight: work.height, factor: factor,
                              quarterTurns: 0, skewDegrees: 0)
        var box = chars.dropFirst().reduce(WorkBox(chars[0])) { $0.union(WorkBox($1)) }
        // The characters found should explain the crop; when they cover little of its width, the
        // binarisation missed most of the text (a low-contrast photo, coloured letters), and the
        // whole crop, which its owner says is one line, is the better box.
        // A vertical crop is taken whole: the glyphs at its ends are the ones binarisation breaks.
        if vertical || box.x1 - box.x0 + 1 < work.width * 3 / 5 {
            box = WorkBox(x0: 0, y0: 0, x1: work.width - 1, y1: work.height - 1)
        }
        let rect = frame.frameRect(x0: box.x0, y0: box.y0, x1: box.x1, y1: box.y1)
        return (frame, [LineCandidate(rect: rect, box: box, glyphs: [rect], onlySmall: false, vertical: vertical)])
    }

    private func group(_ chars: [Component], rulings: [Ruling], med: Double, frame: PageFrame) -> [LineCandidate] {
        let pieces = chars.map { c in
            Glyph(rect: frame.frameRect(x0: Int(c.x0), y0: Int(c.y0), x1: Int(c.x1), y1: Int(c.y1)), box: WorkBox(c))
        }
        let glyphs = assembleGlyphs(pieces, characterHeight: med)
        let barriers = rulings.map { frame.frameRect(x0: $0.x0, y0: $0.y0, x1: $0.x1, y1: $0.y1) }
            .filter { $0.height > $0.width }
        return groupLines(glyphs, characterHeight: med, barriers: barriers,
                          rules: GroupingRules(phraseGap: options.wordGap))
    }
}

/// A line is at least one character cell wide, centred on its ink: a lone narrow glyph (1, I, a
/// colon), common as a quantity in a table column, otherwise gets a sliver of a box that misses
/// the cell the character stands in. The cell is the advance of a digit, which in the common
/// proportional faces is about three quarters of a digit's height (Helvetica/Arial 556/716,
/// Times 500/662, Noto Sans 572/714 of the em), and a lone glyph's ink is a digit's height.
/// `alongY`: the page is turned a quarter, so the text runs down the page.
func characterCellWide(_ b: LineBox, alongY: Bool, width: Int, height: Int) -> LineBox {
    let (lo, hi, across, limit) = alongY ? (b.y0, b.y1, b.x1 - b.x0, height) : (b.x0, b.x1, b.y1 - b.y0, width)
    let cell = Int((0.75 * Double(across)).rounded())
    guard hi - lo < cell else { return b }
    let start = max(0, min(limit - cell, (lo + hi - cell) / 2)), end = min(limit, start + cell)
    return alongY ? LineBox(x0: b.x0, y0: start, x1: b.x1, y1: end, upright: b.upright, vertical: b.vertical)
        : LineBox(x0: start, y0: b.y0, x1: end, y1: b.y1, upright: b.upright, vertical: b.vertical)
}

/// The component with its axes swapped (as seen on the page turned a quarter).
func transposed(_ c: Component) -> Component {
    Component(x0: c.y0, y0: c.x0, x1: c.y1, y1: c.x1, area: c.area)
}

/// How much the page is reduced for segmentation: to about 1200–1800 px on its longer side
/// (~150 dpi for A4 at 300 dpi), which keeps 6-point text several pixels tall; small images
/// (receipts, faxes) are used as they are.
func workingFactor(width: Int, height: Int) -> Int {
    let side = max(width, height)
    return side >= 2400 ? max(2, Int((Double(side) / 1800).rounded())) : 1
}

/// Components that can be (part of) text: not specks of noise, not page-sized pictures or
/// frames, not punch holes (large, round, solid dark discs), not solid blocks, not scan edges.
func plausibleCharacters(_ comps: [Component], med: Double, width: Int, height: Int) -> [Component] {
    let minArea = Int32(max(2, Int(0.02 * med * med)))
    return comps.filter { c in
        if c.area < minArea && c.width < 3 && c.height < 3 { return false }
        if c.width > width * 7 / 10 || c.height > height / 3 { return false }
        // Scanner edges and the dark surround of a photographed page touch the image border as
        // slivers or as large blobs; a character cut by the border is neither.
        let atSide = c.x0 == 0 || Int(c.x1) == width - 1, atEnd = c.y0 == 0 || Int(c.y1) == height - 1
        if (atSide && Double(c.width) <= 0.5 * med) || (atEnd && Double(c.height) <= 0.5 * med) { return false }
        if (atSide || atEnd) && Double(max(c.width, c.height)) > 3 * med { return false }
        // Solid wide blocks are shading, bars or pieces of pictures, never letters.
        if c.fill >= 0.85 && Double(c.width) >= 2 * med && Double(c.height) >= 0.5 * med { return false }
        let roundish = Double(min(c.width, c.height)) / Double(max(c.width, c.height)) > 0.8
        if roundish && Double(c.height) > 2.5 * med && c.fill > 0.7 { return false }
        if isPenStroke(c, med: med) { return false }
        return true
    }
}

/// A pen stroke over the print: a signature, a handwritten amount, a ring drawn round a total.
/// It is several characters tall, yet its ink is a thin line wandering through a mostly empty box
/// (a printed glyph that tall has strokes in proportion to its size and fills far more of its box).
/// Left in, it is one tall glyph that gathers the rows of print it crosses into one line.
func isPenStroke(_ c: Component, med: Double) -> Bool {
    Double(c.height) >= 3 * med && c.fill < 0.12
}
