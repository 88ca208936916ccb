import Foundation

/// Finds the weights directory (holding crnn.safetensors and charset.txt) so that the CLI and the
/// server work from any working directory: an explicit path first, then `$DOCVAULT_MODEL`, then a
/// `weights/` folder in the executable's directory or any directory above it (a SwiftPM build sits
/// in <repo>/.build/<triple>/<config>/), then the same upwards from the working directory.
public enum ModelDirectory {
    public static let environmentVariable = "DOCVAULT_MODEL"
    static let modelFile = "crnn.safetensors"

    /// Candidate directories, most specific first; `locate` returns the first that holds a model.
    public static func candidates(explicit: String?, environment: [String: String],
                                  executablePath: String, currentDirectory: String) -> [URL] {
        if let explicit { return [URL(fileURLWithPath: explicit, relativeTo: URL(fileURLWithPath: currentDirectory))] }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            return [URL(fileURLWithPath: fromEnvironment, relativeTo: URL(fileURLWithPath: currentDirectory))]
        }
        let executable = URL(fileURLWithPath: executablePath, relativeTo: URL(fileURLWithPath: currentDirectory))
            .resolvingSymlinksInPath().deletingLastPathComponent()
        return ancestors(of: executable) + ancestors(of: URL(fileURLWithPath: currentDirectory))
    }

    /// The weights directory, or nil when no candidate holds crnn.safetensors. An explicit or
    /// environment path is returned even when empty, so that loading reports what is missing there.
    public static func locate(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                              executablePath: String = currentExecutablePath(),
                              currentDirectory: String = FileManager.default.currentDirectoryPath) -> URL? {
        let all = candidates(explicit: explicit, environment: environment,
                             executablePath: executablePath, currentDirectory: currentDirectory)
        if explicit != nil || environment[environmentVariable].map({ !$0.isEmpty }) == true { return all.first }
        return all.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent(modelFile).path) }
    }

    private static func ancestors(of directory: URL) -> [URL] {
        var result: [URL] = []
        var current = directory.standardizedFileURL
        while true {
            result.append(current.appendingPathComponent("weights", isDirectory: true))
            let parent = current.deletingLastPathComponent().standardizedFileURL
            if parent.path == current.path { return result }
            current = parent
        }
    }

    /// This process's executable, resolved through /proc on Linux (argv[0] may be a bare name).
    public static func currentExecutablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
