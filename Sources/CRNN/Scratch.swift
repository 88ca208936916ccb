/// A growable fp32 buffer owned by one session and reused across calls, so steady-state
/// recognition allocates nothing for activations. Not shared between threads.
final class Scratch {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = max(1, capacity)
        pointer = .allocate(capacity: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// A pointer to at least `count` floats; previous contents are lost when it grows.
    func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            pointer.deallocate()
            capacity = max(count, capacity * 3 / 2)
            pointer = .allocate(capacity: capacity)
        }
        return pointer
    }
}
