#if canImport(Glibc)
import Glibc

/// A glibc function that the Glibc module does not declare (malloc.h's `malloc_trim`, `pipe2`, the
/// close-from spawn action), looked up at run time: nil where this libc lacks it.
func libcFunction<Function>(_ name: String, as type: Function.Type) -> Function? {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
    return unsafeBitCast(symbol, to: type)
}
#endif
