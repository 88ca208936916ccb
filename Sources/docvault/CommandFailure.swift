import ArgumentParser
import Foundation
import PageImage

/// How every subcommand reports a failed input: one line on stderr naming the file and the reason.
/// Exit status 1 means some input failed (MISSION.md); 2 (bad usage) is ArgumentParser's.
enum CommandFailure {
    static func report(_ error: Error) {
        let line: String
        switch error {
        case let error as PageImageError: line = error.description
        default: line = String(describing: error)
        }
        FileHandle.standardError.write(Data("docvault: \(line)\n".utf8))
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
