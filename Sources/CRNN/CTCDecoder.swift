import Foundation

/// One recognised character: its confidence and where on the line it was read.
public struct RecognisedCharacter: Sendable, Equatable {
    public let character: Unicode.Scalar
    /// Softmax probability of its class at the peak frame of its CTC run.
    public let confidence: Double
    /// The peak frame (0-based).
    public let frame: Int
    /// Horizontal centre of that frame in pixels of the original line image.
    public let x: Double

    public init(character: Unicode.Scalar, confidence: Double, frame: Int, x: Double) {
        self.character = character
        self.confidence = confidence
        self.frame = frame
        self.x = x
    }
}

/// One recognised text line.
public struct RecognisedLine: Sendable, Equatable {
    public let text: String
    /// Mean of the characters' confidences; 0 for an empty line.
    public let confidence: Double
    public let characters: [RecognisedCharacter]

    public init(text: String, confidence: Double, characters: [RecognisedCharacter]) {
        self.text = text
        self.confidence = confidence
        self.characters = characters
    }

    public static let empty = RecognisedLine(text: "", confidence: 0, characters: [])
}

/// Greedy CTC decoding with per-character confidences, exactly as weights/MODEL.md defines them.
enum CTCDecoder {
    /// - logits: [frames, classes] row-major, class 0 the blank.
    /// - lineHeight: the original line image's height, for mapping frames back to its pixels.
    static func decode(_ logits: UnsafePointer<Float>, frames: Int, classes: Int, charset: Charset,
                       stride: Int, inputHeight: Int, lineHeight: Int) -> RecognisedLine {
        var characters: [RecognisedCharacter] = []
        var runClass = 0, peakFrame = 0
        var peakProbability: Float = 0
        let pixelsPerInputPixel = Double(lineHeight) / Double(inputHeight)
        func closeRun() {
            guard runClass != 0 else { return }
            let x = (Double(stride * peakFrame) + Double(stride) / 2) * pixelsPerInputPixel
            characters.append(RecognisedCharacter(character: charset.character(ofClass: runClass),
                                                  confidence: Double(peakProbability), frame: peakFrame, x: x))
        }
        for t in 0..<frames {
            let row = logits + t * classes
            let best = argmax(row, count: classes)
            if best != runClass {
                closeRun()
                runClass = best
                peakProbability = -1
            }
            guard best != 0 else { continue }
            let probability = maxProbability(row, count: classes, maximum: row[best])
            if probability > peakProbability {
                peakProbability = probability
                peakFrame = t
            }
        }
        closeRun()
        guard !characters.isEmpty else { return .empty }
        var text = String.UnicodeScalarView()
        text.append(contentsOf: characters.map(\.character))
        let mean = characters.reduce(0) { $0 + $1.confidence } / Double(characters.count)
        return RecognisedLine(text: String(text), confidence: mean, characters: characters)
    }

    /// Index of the first maximum, as torch.argmax returns.
    static func argmax(_ row: UnsafePointer<Float>, count: Int) -> Int {
        typealias V = VectorMath
        var best = 0
        var value = row[0]
        var i = 0
        if count >= V.width {
            // Per lane, the first maximum; then the smallest index among lanes holding the overall one.
            var laneBest = V.load(row)
            var laneIndex = SIMD16<Int32>(0..<16)
            var index = laneIndex
            i = V.width
            while i + V.width <= count {
                index &+= 16
                let v = V.load(row + i)
                let better = v .> laneBest
                laneBest.replace(with: v, where: better)
                laneIndex.replace(with: index, where: better)
                i += V.width
            }
            value = laneBest.max()
            best = Int(laneIndex.replacing(with: Int32.max, where: laneBest .!= value).min())
        }
        while i < count {
            if row[i] > value {
                value = row[i]
                best = i
            }
            i += 1
        }
        return best
    }

    /// softmax(row)[argmax] = 1 / Σ exp(row[i] − max).
    static func maxProbability(_ row: UnsafePointer<Float>, count: Int, maximum: Float) -> Float {
        typealias V = VectorMath
        var sums = V.Vector(repeating: 0)
        var i = 0
        while i + V.width <= count {
            sums += V.exp(V.load(row + i) - maximum)
            i += V.width
        }
        var sum = sums.sum()
        while i < count {
            sum += expf(row[i] - maximum)
            i += 1
        }
        return 1 / sum
    }

    /// log-softmax of one frame in place, for callers that want per-frame log-probabilities.
    static func logSoftmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
        let maximum = row[argmax(row, count: count)]
        var sum: Float = 0
        for i in 0..<count { sum += expf(row[i] - maximum) }
        let shift = maximum + logf(sum)
        for i in 0..<count { row[i] -= shift }
    }
}
