// The fuzzy fallback: characters OCR commonly mistakes for one another. When a query finds
// nothing, each term is widened into an OR of its spellings with one or two characters swapped
// for a look-alike, so `1O0` finds `100` and `己经` finds `已经`. The variants still go through
// the index (no table scan), so the fallback is as fast as a normal search.

enum OCRConfusions {
    /// Sets of characters that look alike. Latin letters are lowercase: the index folds case.
    static let sets: [[Character]] = [
        ["0", "o", "〇"], ["1", "l", "i"], ["5", "s"], ["8", "b"], ["2", "z"], ["6", "g"],
        ["已", "己", "巳"], ["未", "末"], ["日", "曰"], ["土", "士"], ["人", "入"], ["千", "干", "于"],
        ["天", "夭"], ["大", "太", "犬"], ["王", "玉"], ["刀", "力"], ["田", "由", "甲", "申"],
        ["戊", "戌", "戍"], ["候", "侯"], ["即", "既"], ["拔", "拨"], ["壁", "璧"], ["贝", "见"],
        ["元", "无"], ["兑", "免"], ["问", "间"], ["今", "令"], ["冶", "治"], ["税", "锐"],
    ]

    static let lookAlikes: [Character: [Character]] = {
        var table: [Character: [Character]] = [:]
        for set in sets {
            for character in set { table[character, default: []] += set.filter { $0 != character } }
        }
        return table
    }()

    /// Spellings of a term tried per query at most (the original included).
    static let maximumVariants = 32

    static func widen(_ query: SearchQuery) -> SearchQuery {
        let required = query.required.map { group in
            group.flatMap { term in
                variants(of: term.text).map { SearchQuery.Term(text: $0, isPrefix: term.isPrefix) }
            }
        }
        return SearchQuery(required: required, excluded: query.excluded)
    }

    /// The text itself; its digit reading and letter reading (a run mixing letters and digits,
    /// like `1OO5` or `INV-2O24`, is usually one of the two misread); then every one-character
    /// swap, then two-character swaps, up to the cap.
    static func variants(of text: String) -> [String] {
        let characters = Array(text.lowercased())
        let positions = characters.indices.filter { lookAlikes[characters[$0]] != nil }
        var result = [String(characters)]
        var seen = Set(result)
        func add(_ candidate: [Character]) {
            let string = String(candidate)
            if result.count < maximumVariants, seen.insert(string).inserted { result.append(string) }
        }
        add(reading(characters, as: \.isNumber))
        add(reading(characters, as: \.isLetter))
        for position in positions {
            for swap in lookAlikes[characters[position]]! {
                var candidate = characters
                candidate[position] = swap
                add(candidate)
            }
        }
        for (index, first) in positions.enumerated() {
            for second in positions[(index + 1)...] {
                for swapFirst in lookAlikes[characters[first]]! {
                    for swapSecond in lookAlikes[characters[second]]! {
                        var candidate = characters
                        candidate[first] = swapFirst
                        candidate[second] = swapSecond
                        add(candidate)
                    }
                }
            }
        }
        return result
    }

    /// Within each run of ASCII letters and digits that mixes both, every character with a
    /// look-alike of the wanted kind (digit or letter) becomes that look-alike.
    private static func reading(_ characters: [Character], as kind: (Character) -> Bool) -> [Character] {
        var result = characters
        var start = 0
        while start < characters.count {
            var end = start
            while end < characters.count, characters[end].isASCII, characters[end].isLetter || characters[end].isNumber {
                end += 1
            }
            let run = characters[start..<end]
            if run.contains(where: \.isLetter), run.contains(where: \.isNumber) {
                for index in start..<end where !kind(characters[index]) {
                    if let swap = lookAlikes[characters[index]]?.first(where: { $0.isASCII && kind($0) }) {
                        result[index] = swap
                    }
                }
            }
            start = max(end, start + 1)
        }
        return result
    }
}
