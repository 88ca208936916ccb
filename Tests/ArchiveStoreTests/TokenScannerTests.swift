import Testing
@testable import ArchiveStore

@Suite struct TokenScannerTests {
    @Test func eachHanziIsItsOwnToken() {
        #expect(TokenScanner.tokens(of: "发票号码") == ["发", "票", "号", "码"])
        #expect(TokenScanner.tokens(of: "ひらがなカナ한국") == ["ひ", "ら", "が", "な", "カ", "ナ", "한", "국"])
    }

    @Test func latinRunsAreCaseAndDiacriticFolded() {
        #expect(TokenScanner.tokens(of: "ACME GmbH, Müller-Straße") == ["acme", "gmbh", "muller", "strasse"])
        #expect(TokenScanner.tokens(of: "Invoice发票No.12") == ["invoice", "发", "票", "no", "12"])
    }

    @Test func fullWidthFormsCountAsASCII() {
        #expect(TokenScanner.tokens(of: "ＡＣＭＥ　１２３，４５６") == TokenScanner.tokens(of: "ACME 123,456"))
    }

    @Test func digitGroupingIsDropped() {
        #expect(TokenScanner.tokens(of: "1,234.50") == ["1234", "50"])
        #expect(TokenScanner.tokens(of: "1234.50") == ["1234", "50"])
        #expect(TokenScanner.tokens(of: "12,345,678") == ["12345678"])
        // A comma not followed by exactly three digits separates numbers.
        #expect(TokenScanner.tokens(of: "1,2,3") == ["1", "2", "3"])
        #expect(TokenScanner.tokens(of: "1,2345") == ["1", "2345"])
    }

    @Test func currencyAndDatesTokenise() {
        #expect(TokenScanner.tokens(of: "¥860.00") == ["860", "00"])
        #expect(TokenScanner.tokens(of: "￥860.00") == ["860", "00"])
        #expect(TokenScanner.tokens(of: "2024年5月12日") == ["2024", "年", "5", "月", "12", "日"])
        #expect(TokenScanner.tokens(of: "2024年05月12日") == ["2024", "年", "5", "月", "12", "日"])
        // Leading zeros after a decimal point are kept: 1.05 is not 1.5.
        #expect(TokenScanner.tokens(of: "1.05") == ["1", "05"])
    }

    @Test func offsetsAreBytesOfTheOriginalText() {
        var spans: [(String, Int, Int)] = []
        var bytes = Array("¥1,234 发票".utf8)
        _ = bytes.withUnsafeMutableBufferPointer { buffer in
            TokenScanner.scan(UnsafeBufferPointer(buffer)) { token, start, end in
                spans.append((String(decoding: token, as: UTF8.self), start, end))
                return 0
            }
        }
        #expect(spans.map(\.0) == ["1234", "发", "票"])
        #expect(spans.map(\.1) == [2, 8, 11])
        #expect(spans.map(\.2) == [7, 11, 14])
    }

    @Test func invalidUTF8DoesNotCrash() {
        var bytes: [UInt8] = [0x61, 0xE5, 0x8F, 0x62, 0xFF, 0xC3]
        var count = 0
        _ = bytes.withUnsafeMutableBufferPointer { buffer in
            TokenScanner.scan(UnsafeBufferPointer(buffer)) { _, _, _ in count += 1; return 0 }
        }
        #expect(count == 2)
    }
}
