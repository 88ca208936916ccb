import Foundation
import Testing
@testable import ArchiveStore

/// A strict RFC 4180 parser, written here so the export is checked against the standard and
/// not against itself. Accepts LF or CRLF record ends; fails on malformed quoting.
func parseCSV(_ text: String) throws -> [[String]] {
    struct Malformed: Error { let offset: Int }
    var records: [[String]] = []
    var record: [String] = []
    var field = ""
    var scalars = Array(text.unicodeScalars)[...]
    var atFieldStart = true
    var offset = 0
    func next() -> Unicode.Scalar? { offset += 1; return scalars.popFirst() }
    while let scalar = next() {
        if atFieldStart && scalar == "\"" {
            while true {
                guard let inner = next() else { throw Malformed(offset: offset) }
                if inner == "\"" {
                    if scalars.first == "\"" { _ = next(); field.unicodeScalars.append("\"") } else { break }
                } else {
                    field.unicodeScalars.append(inner)
                }
            }
            atFieldStart = false
            guard let after = scalars.first, [",", "\n", "\r"].contains(after) else {
                if scalars.isEmpty { continue }
                throw Malformed(offset: offset)
            }
            continue
        }
        switch scalar {
        case ",":
            record.append(field); field = ""; atFieldStart = true
        case "\r":
            guard scalars.first == "\n" else { throw Malformed(offset: offset) }
        case "\n":
            record.append(field); records.append(record)
            record = []; field = ""; atFieldStart = true
        case "\"":
            throw Malformed(offset: offset)  // a quote inside an unquoted field
        default:
            field.unicodeScalars.append(scalar); atFieldStart = false
        }
    }
    if !atFieldStart || !record.isEmpty { record.append(field); records.append(record) }
    return records
}

func exported(_ archive: Archive, _ format: ExportFormat, query: String? = nil) throws -> Data {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)")
    FileManager.default.createFile(atPath: url.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: url) }
    let handle = try FileHandle(forWritingTo: url)
    try archive.export(format, query: query, to: handle)
    try handle.close()
    return try Data(contentsOf: url)
}

@Suite struct ExportTests {
    static let awkward = [
        "plain 发票", "comma, inside", "quote \" inside", "two\nlines", "crlf\r\nend", "=SUM(A1:A9)",
        "+86 10 1234", "-12.50", "@cmd", "\tstarts with tab", "\"=quoted formula\"", "",
    ]

    @Test func csvRoundTripsThroughAStrictParser() throws {
        let temporary = try TemporaryArchive()
        try temporary.archive.store(document: makeDocument("a,\"b\".png", pages: [Self.awkward]))
        let data = try exported(temporary.archive, .csv(excel: false))
        let records = try parseCSV(String(decoding: data, as: UTF8.self))
        #expect(records.first == CSVExportWriter.header)
        let rows = Array(records.dropFirst())
        #expect(rows.count == Self.awkward.count)
        for (row, original) in zip(rows, Self.awkward) {
            #expect(row.count == 9)
            #expect(row[0] == "/archive/a,\"b\".png")
            let neutralised = ["=", "+", "-", "@", "\t"].contains { original.hasPrefix($0) }
            #expect(row[3] == (neutralised ? "'" + original : original))
            #expect(row[4] == "0.9000")
        }
        #expect(rows.map { $0[2] } == (1...Self.awkward.count).map(String.init))
        #expect(rows[0][5...] == ["100", "100", "1200", "140"])
    }

    @Test func excelFlavourHasBOMAndCRLF() throws {
        let temporary = try TemporaryArchive()
        try temporary.archive.store(document: makeDocument("e.png", pages: [["中文", "two\nlines"]]))
        let data = try exported(temporary.archive, .csv(excel: true))
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: data.dropFirst(3), as: UTF8.self)
        #expect(text.hasPrefix("document,page,line,text,confidence,x0,y0,x1,y1\r\n"))
        #expect(text.hasSuffix("\r\n"))
        let records = try parseCSV(text)
        #expect(records.map { $0[3] } == ["text", "中文", "two\nlines"])
    }

    @Test func jsonAndJSONLinesNestDocumentsPagesLines() throws {
        let temporary = try makeSearchArchive()
        let json = try exported(temporary.archive, .json)
        let documents = try #require(try JSONSerialization.jsonObject(with: json) as? [[String: Any]])
        #expect(documents.count == SearchCorpus.pages.count)
        let first = try #require(documents.first { ($0["path"] as? String) == "/archive/invoice-a.png" })
        let pages = try #require(first["pages"] as? [[String: Any]])
        #expect(pages.map { $0["page"] as? Int } == [1, 2])
        let lines = try #require(pages[0]["lines"] as? [[String: Any]])
        #expect(lines.count == 4)
        #expect(lines[0]["text"] as? String == "发票号码：24412000000012345678")
        #expect(lines[0]["bbox"] as? [Int] == [100, 100, 1200, 140])

        let jsonl = String(decoding: try exported(temporary.archive, .jsonl), as: UTF8.self)
        let objects = jsonl.split(separator: "\n")
        #expect(objects.count == SearchCorpus.pages.count)
        for object in objects {
            #expect(try JSONSerialization.jsonObject(with: Data(object.utf8)) is [String: Any])
        }
    }

    @Test func queryExportsOnlyWhatTheSearchFinds() throws {
        let temporary = try makeSearchArchive()
        let data = try exported(temporary.archive, .csv(excel: false), query: "发票号码")
        let records = try parseCSV(String(decoding: data, as: UTF8.self)).dropFirst()
        #expect(records.map { $0[3] }.sorted() == ["发票号码 No. 2024-00815", "发票号码：24412000000012345678"])
        let none = try exported(temporary.archive, .json, query: "AND OR")
        #expect(try JSONSerialization.jsonObject(with: none) as? [Any] != nil)
        #expect(String(decoding: none, as: UTF8.self) == "[]\n")
    }

    @Test func emptyArchiveExportsValidDocuments() throws {
        let temporary = try TemporaryArchive()
        #expect(String(decoding: try exported(temporary.archive, .json), as: UTF8.self) == "[]\n")
        #expect(try exported(temporary.archive, .jsonl).isEmpty)
        #expect(try parseCSV(String(decoding: try exported(temporary.archive, .csv(excel: false)), as: UTF8.self))
                == [CSVExportWriter.header])
    }
}
