import Foundation
@testable import ArchiveStore

/// An archive in a fresh temporary directory, deleted when the value goes away.
final class TemporaryArchive {
    let directory: URL
    let archive: Archive

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("docvault-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        archive = try Archive(path: directory.appendingPathComponent("archive.sqlite").path)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }
}

/// A deterministic fake SHA-256 (64 hex digits) per name.
func fakeHash(_ name: String) -> String {
    var value: UInt64 = 1469598103934665603
    for byte in name.utf8 { value = (value ^ UInt64(byte)) &* 1099511628211 }
    return (0..<4).map { String(format: "%016llx", value &+ UInt64($0) &* 0x9E3779B97F4A7C15) }.joined()
}

/// A document whose pages hold the given lines (one array per page).
func makeDocument(_ name: String, pages: [[String]], confidence: Double = 0.9,
                  kind: DocumentKind = .png) -> NewDocument {
    let newPages = pages.enumerated().map { pageIndex, texts in
        NewPage(number: pageIndex + 1, width: 2480, height: 3508, dpi: 300, source: .ocr,
                timings: ["recognise": 0.25],
                lines: texts.enumerated().map { lineIndex, text in
                    NewLine(text: text, confidence: confidence,
                            box: LineBox(x0: 100, y0: 100 + 60 * lineIndex, x1: 1200, y1: 140 + 60 * lineIndex),
                            characterConfidences: text.map { _ in confidence })
                })
    }
    return NewDocument(path: "/archive/\(name)", size: 1000, modified: Date(timeIntervalSince1970: 1_700_000_000),
                       sha256: fakeHash(name), kind: kind, timings: ["total": 1.5], pages: newPages)
}

extension SearchResults {
    /// Every (document path suffix, line text) shown, for compact assertions.
    var lineTexts: [String] { documents.flatMap { $0.lines.map(\.snippet.text) } }
}
