import Testing
@testable import CRNN

@Suite struct OrientationTests {
    /// 3 wide, 2 tall:  a b c / d e f
    let image = LineImage(width: 3, height: 2, pixels: [1, 2, 3, 4, 5, 6])

    @Test func quarterTurnsMoveEveryPixel() {
        // Counter-clockwise (PIL rotate(90, expand=True)): c f / b e / a d.
        #expect(image.turnedQuarter(counterClockwise: true) == LineImage(width: 2, height: 3, pixels: [3, 6, 2, 5, 1, 4]))
        // Clockwise (PIL rotate(-90, expand=True)): d a / e b / f c.
        #expect(image.turnedQuarter(counterClockwise: false) == LineImage(width: 2, height: 3, pixels: [4, 1, 5, 2, 6, 3]))
        #expect(image.turnedQuarter(counterClockwise: true).turnedQuarter(counterClockwise: false) == image)
    }

    @Test func onlyCropsTwiceAsTallAsWideMayBeVertical() {
        #expect(!image.mayBeVertical)
        #expect(!LineImage(width: 10, height: 19, pixels: [UInt8](repeating: 255, count: 190)).mayBeVertical)
        #expect(LineImage(width: 10, height: 20, pixels: [UInt8](repeating: 255, count: 200)).mayBeVertical)
        #expect(!LineImage(width: 0, height: 0, pixels: []).mayBeVertical)
    }
}
