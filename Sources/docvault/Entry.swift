import ArgumentParser
import Foundation
import PageImage

/// The process entry point. swift-argument-parser exits 64 (EX_USAGE) on bad usage; DocVault's
/// contract (README, MISSION.md) is 2, as for most Unix tools. Messages are ArgumentParser's own
/// (help, usage, errors) but written to descriptors 1 and 2 directly: the C `stderr` stream that
/// ArgumentParser would use is pointed at /dev/null for the document commands (CLibraryOutput).
@main
enum Entry {
    static let usageStatus: Int32 = 2

    static func main() async {
        do {
            var command: ParsableCommand
            let arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.first == ReadWorkerCommand.name {
                // Internal, so kept out of the public command tree (and of --help).
                command = try ReadWorkerCommand.parse(Array(arguments.dropFirst()))
            } else {
                command = try DocVault.parseAsRoot()
            }
            // One line per bad file: C libraries' own complaints would break that. `serve` logs
            // through the same C stream, so it keeps it.
            if !(command is ServeCommand) { CLibraryOutput.silence() }
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = DocVault.exitCode(for: error)
            let message = DocVault.fullMessage(for: error)
            if !message.isEmpty {
                let stream = code.isSuccess ? FileHandle.standardOutput : FileHandle.standardError
                stream.write(Data((message + "\n").utf8))
            }
            exit(code == .validationFailure ? usageStatus : code.rawValue)
        }
    }
}
