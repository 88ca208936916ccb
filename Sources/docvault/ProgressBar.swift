import Foundation

/// A one-line progress display on a terminal (stderr); silent when stderr is not a terminal.
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled: Bool
    private let started = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false

    init(enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.enabled = enabled
    }

    /// Redraws at most ten times a second unless `force`.
    func update(filesDone: Int, filesTotal: Int, pages: Int, force: Bool = false) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let fraction = filesTotal > 0 ? Double(filesDone) / Double(filesTotal) : 1
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let rate = Double(pages) / elapsed
        var eta = "--"
        if filesDone > 0 && filesDone < filesTotal {
            let remaining = elapsed / Double(filesDone) * Double(filesTotal - filesDone)
            eta = Self.clock(remaining)
        } else if filesDone >= filesTotal {
            eta = "0:00"
        }
        let line = String(format: "%@ %d/%d files  %d pages  %.1f pages/s  ETA %@", bar, filesDone, filesTotal, pages, rate, eta)
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + line).utf8))
        drawn = true
    }

    /// Prints a message on its own line without mangling the bar.
    func message(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        if enabled && drawn {
            FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
            drawn = false
        }
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if enabled && drawn {
            FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
            drawn = false
        }
    }

    private static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
