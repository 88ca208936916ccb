import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Which descriptors a worker process holds. Its parent learns that a worker died when the
/// worker's output reaches end-of-file, which needs every other copy of that pipe's write end
/// closed, and a worker must not keep anything of the parent's open either.
enum ChildDescriptors {
    /// A pipe whose two ends are close-on-exec from the moment they exist (`pipe2(O_CLOEXEC)`).
    /// `pipe()` and a later `fcntl` leave a gap in which a program that another thread starts
    /// inherits both ends: Foundation's `Process` closes in its child only the descriptors that
    /// existed when it listed them, so a program started that way (by a test, or by a host
    /// application) kept a dead reader's output open for as long as it ran, and the server
    /// waited for the deadline and answered 504 instead of 422.
    /// Returns nil with `errno` set when no pipe can be made.
    static func pipe() -> (read: Int32, write: Int32)? {
        var ends: [Int32] = [-1, -1]
        if let pipe2 = libcPipe2 {
            guard pipe2(&ends, O_CLOEXEC) == 0 else { return nil }
            return (ends[0], ends[1])
        }
        // Without pipe2 (a libc that dlsym cannot see into), only the lock `WorkerProcess` holds
        // around its spawns covers the gap, and only against other workers.
        guard Glibc.pipe(&ends) == 0 else { return nil }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return (ends[0], ends[1])
    }

    /// Makes `actions` close every descriptor above standard error in the child, so that a worker
    /// holds only its own three even when the parent has descriptors open without close-on-exec
    /// (a `Pipe` of Foundation's, a library's log file).
    static func closeAllButStandard(_ actions: inout posix_spawn_file_actions_t) {
        _ = addCloseFrom?(&actions, 3)
    }
}

// glibc has both (pipe2 since 2.9, the close-from action since 2.34) but the Glibc module does not
// declare them, so they are looked up once.
private let libcPipe2 = libcFunction("pipe2", as: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
private let addCloseFrom = libcFunction("posix_spawn_file_actions_addclosefrom_np",
                                        as: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
