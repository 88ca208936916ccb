import ArgumentParser
import Foundation
import PageImage

/// How every subcommand reports a failed input: one line on stderr naming the file and the reason.
/// Exit status 1 means some input failed (MISSION.md); 2 means bad usage (Entry.swift).
enum CommandFailure {
    static func report(_ error: Error) {
        report(any: error)
    }

    /// `body`'s value; an error it throws is reported as one line and becomes exit status 1
    /// (loading the model, opening the archive: nothing can go on without them).
    static func exitOnError<Value>(_ body: () throws -> Value) throws -> Value {
        do {
            return try body()
        } catch {
            report(error)
            throw ExitCode(1)
        }
    }

    static func report(_ message: String) {
        report(any: message)
    }

    private static func report(any error: Any) {
        let line: String
        switch error {
        case let error as PageImageError: line = error.description
        case let text as String: line = text
        default: line = String(describing: error)
        }
        FileHandle.standardError.write(Data("docvault: \(oneLine(line))\n".utf8))
    }

    /// File names may hold newlines or control characters; each report stays one line.
    static func oneLine(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += String(format: "\\x%02x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

/// Options shared by commands that rasterise pages.
struct RenderOptions: ParsableArguments {
    @Option(help: "Resolution for rasterising PDF pages, in dots per inch (images keep their own).")
    var dpi: Double = 300

    func validate() throws {
        guard dpi.isFinite && dpi >= 1 && dpi <= 2400 else {
            throw ValidationError("--dpi must be between 1 and 2400")
        }
    }
}
