import Testing
@testable import OCRPipeline

@Suite struct ConfusableCharactersTests {
    @Test(arguments: [
        ("T0TAL", "TOTAL"), ("P0S: 02", "POS: 02"), ("B00K", "BOOK"),
        ("2O24-05-12", "2024-05-12"), ("l0.00", "10.00"), ("金额 1O0.5O", "金额 100.50"),
        ("TOTAL 1O.00 RM", "TOTAL 10.00 RM"), ("OY〇 4189", "OYO 4189"), ("2〇24-05-12", "2024-05-12"),
        ("N〇. 1〇", "NO. 10"), ("$PRITZER 1.50", "SPRITZER 1.50"), ("(6+ §TORES)", "(6+ STORES)"),
        ("$ales", "Sales"),
    ])
    func lookalikesAreReadFromTheirNeighbours(_ input: String, _ expected: String) {
        #expect(ConfusableCharacters.repair(input) == expected)
    }

    @Test(arguments: [
        "N0020", "INV-20240512", "Invoice No. 10", "COVID19", "A0", "T0tal", "ID12", "Oil 20",
        "0.00", "北京 O2O", "GmbH", "", "二〇二四年五月", "〇", "$12.50", "US$ 40", "$USD", "§ 12a", "§12", "$ale",
        "$PRITZER2",
    ])
    func wordsTheRulesAreUnsureOfStayAsTheyAre(_ input: String) {
        #expect(ConfusableCharacters.repair(input) == input)
    }

    @Test func lengthIsKeptSoConfidencesStayAligned() {
        let input = "P0S l0.00 T0TAL 2O24"
        #expect(ConfusableCharacters.repair(input).count == input.count)
    }
}
