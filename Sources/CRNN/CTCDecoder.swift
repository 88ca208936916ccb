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
    /// For an uncertain character (confidence below `Alternative.uncertainBelow`): the classes that
    /// came next at its peak frame, likeliest first, so a later stage can weigh other readings.
    public let alternatives: [Alternative]

    public init(character: Unicode.Scalar, confidence: Double, frame: Int, x: Double, alternatives: [Alternative] = []) {
        self.character = character
        self.confidence = confidence
        self.frame = frame
        self.x = x
        self.alternatives = alternatives
    }

    /// Another reading of a character's peak frame.
    public struct Alternative: Sendable, Equatable {
        /// Characters read more surely than this carry no alternatives.
        public static let uncertainBelow = 0.9
        /// Alternatives less likely than this are not kept.
        public static let minimumProbability = 0.02
        /// At most this many per character.
        public static let maximumCount = 2

        /// nil: the blank, i.e. no character at all.
        public let character: Unicode.Scalar?
        /// Softmax probability at the peak frame.
        public let probability: Double

        public init(character: Unicode.Scalar?, probability: Double) {
            self.character = character
            self.probability = probability
        }
    }
}

/// A place between two read characters, neither a space, where the network held a word space the
/// likeliest character, at least a twentieth as likely as the blank, but the blank likelier still: greedy decoding reads no space there, yet the
/// network saw one. Tight or justified lines lose their spaces this way (`ofthe`, `2018,a`); the
/// page reader decides with the line's ink whether the space is real (OCRPipeline `WordSpacing`).
public struct SpaceHint: Sendable, Equatable {
    /// Hints are only taken where the space is at least a twentieth as likely as the blank
    /// (log of 1/20): a space held less likely than that is no evidence of a lost word gap.
    public static let minimumLogOdds = Float(log(1.0 / 20.0))

    /// The hint lies between `characters[after]` and `characters[after + 1]`.
    public let after: Int
    /// Softmax probability of the space at `frame`, the blank frame where it came closest.
    public let probability: Double
    public let frame: Int
    /// Horizontal centre of that frame in pixels of the original line image.
    public let x: Double

    public init(after: Int, probability: Double, frame: Int, x: Double) {
        self.after = after
        self.probability = probability
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
    /// Spaces the network saw but greedy decoding did not read, in order along the line.
    public let spaceHints: [SpaceHint]

    public init(text: String, confidence: Double, characters: [RecognisedCharacter], spaceHints: [SpaceHint] = []) {
        self.text = text
        self.confidence = confidence
        self.characters = characters
        self.spaceHints = spaceHints
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
        var hints: [SpaceHint] = []
        var runClass = 0, peakFrame = 0
        var peakProbability: Float = 0
        let space = charset.spaceClass ?? -1
        // Within the current blank run: the frame where the space, as the likeliest non-blank
        // class, came closest to the blank (largest logit difference), or -1.
        var gapFrame = -1
        var gapMargin = -Float.infinity
        let pixelsPerInputPixel = Double(lineHeight) / Double(inputHeight)
        func centre(_ frame: Int) -> Double { (Double(stride * frame) + Double(stride) / 2) * pixelsPerInputPixel }
        func closeRun() {
            guard runClass != 0 else { return }
            var alternatives: [RecognisedCharacter.Alternative] = []
            if Double(peakProbability) < RecognisedCharacter.Alternative.uncertainBelow {
                alternatives = runnersUp(logits + peakFrame * classes, count: classes, best: runClass,
                                         bestProbability: peakProbability, charset: charset)
            }
            characters.append(RecognisedCharacter(character: charset.character(ofClass: runClass),
                                                  confidence: Double(peakProbability), frame: peakFrame, x: centre(peakFrame),
                                                  alternatives: alternatives))
        }
        func closeGap(nextClass: Int) {
            defer { gapFrame = -1; gapMargin = -.infinity }
            guard gapFrame >= 0, nextClass != space, let last = characters.last, last.character != " " else { return }
            let row = logits + gapFrame * classes
            let blank = maxProbability(row, count: classes, maximum: row[0])
            let probability = Double(blank) * Double(expf(row[space] - row[0]))
            hints.append(SpaceHint(after: characters.count - 1, probability: probability, frame: gapFrame, x: centre(gapFrame)))
        }
        for t in 0..<frames {
            let row = logits + t * classes
            let best = argmax(row, count: classes)
            if best != runClass {
                closeRun()
                if best != 0 { closeGap(nextClass: best) }
                runClass = best
                peakProbability = -1
            }
            guard best != 0 else {
                // The logit test first: it is free, and it spares the pass over all classes on
                // the many blank frames where the space is nowhere near.
                if space > 0, !characters.isEmpty, row[space] - row[0] >= SpaceHint.minimumLogOdds,
                   row[space] - row[0] > gapMargin, 1 + argmax(row + 1, count: classes - 1) == space {
                    gapMargin = row[space] - row[0]
                    gapFrame = t
                }
                continue
            }
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
        return RecognisedLine(text: String(text), confidence: mean, characters: characters, spaceHints: hints)
    }

    /// The likeliest classes of a frame after `best`, as alternatives: p(k) = p(best)·exp(row[k] − row[best]).
    static func runnersUp(_ row: UnsafePointer<Float>, count: Int, best: Int, bestProbability: Float,
                          charset: Charset) -> [RecognisedCharacter.Alternative] {
        typealias A = RecognisedCharacter.Alternative
        var top: [(index: Int, logit: Float)] = []
        for k in 0..<count where k != best {
            let v = row[k]
            if top.count < A.maximumCount {
                top.append((k, v))
                top.sort { $0.logit > $1.logit }
            } else if v > top[top.count - 1].logit {
                top[top.count - 1] = (k, v)
                top.sort { $0.logit > $1.logit }
            }
        }
        return top.compactMap { index, logit in
            let probability = Double(bestProbability) * Double(expf(logit - row[best]))
            guard probability >= A.minimumProbability else { return nil }
            return A(character: index == 0 ? nil : charset.character(ofClass: index), probability: probability)
        }
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
