import PageImage
import Testing
@testable import LineSegmentation

/// Pages from scripts/make-hostile that crashed the segmenter: a 100000x1 ribbon made the working
/// reduction (factor 56) average blocks reaching past the image's single row.
@Suite struct DegeneratePageTests {
    static let sizes: [(Int, Int)] = [(100_000, 1), (1, 100_000), (1, 1), (2, 2), (3, 5_000), (5_000, 3), (2_400, 40), (40, 2_400)]

    @Test(arguments: sizes.indices)
    func thinOrTinyPagesGiveNoLinesAndDoNotCrash(_ index: Int) {
        let (width, height) = Self.sizes[index]
        for value: UInt8 in [0, 255] {
            let page = PageBitmap(number: 1, gray: GrayImage(width: width, height: height,
                                                             pixels: [UInt8](repeating: value, count: width * height)),
                                  rgb: nil, dpi: 300)
            let layout = LineSegmenter().segment(page)
            #expect(layout.width == width && layout.height == height)
            for line in layout.lines {
                #expect(line.x0 >= 0 && line.y0 >= 0 && line.x1 <= width && line.y1 <= height)
            }
        }
    }

    @Test func aThinColourPageIsReducedWithinItsBounds() {
        let width = 30_000, height = 2
        var rgb = [UInt8](repeating: 255, count: width * height * 3)
        for x in stride(from: 0, to: width, by: 7) { rgb[3 * x] = 200; rgb[3 * x + 1] = 20; rgb[3 * x + 2] = 20 }
        let gray = [UInt8](repeating: 128, count: width * height)
        let page = PageBitmap(number: 1, gray: GrayImage(width: width, height: height, pixels: gray),
                              rgb: RGBImage(width: width, height: height, pixels: rgb), dpi: 300)
        _ = LineSegmenter().segment(page)
    }
}
