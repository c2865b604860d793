import Foundation

/// A growable block of floats a layer reuses across calls instead of allocating per step.
///
/// Not thread-safe: one thread uses a buffer at a time (see `ScratchPool`).
final class ScratchBuffer {
    private(set) var pointer: UnsafeMutablePointer<Float>
    private(set) var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(1, capacity)
        pointer = .allocate(capacity: self.capacity)
    }

    deinit { pointer.deallocate() }

    /// A pointer to at least `count` floats (contents unspecified).
    func reserve(_ count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity {
            pointer.deallocate()
            capacity = count
            pointer = .allocate(capacity: count)
        }
        return pointer
    }
}

/// A set of scratch-buffer groups handed out to parallel chunks of work: each chunk borrows a
/// group while it runs, so concurrently running chunks never share scratch memory.
final class ScratchPool<Group: AnyObject> {
    private let lock = NSLock()
    private var free: [Group] = []
    private let make: () -> Group

    init(make: @escaping () -> Group) {
        self.make = make
    }

    /// A group no other holder has until it is given back with `release`.
    func acquire() -> Group {
        lock.lock()
        defer { lock.unlock() }
        return free.popLast() ?? make()
    }

    /// Gives a group back for reuse.
    func release(_ group: Group) {
        lock.lock()
        defer { lock.unlock() }
        free.append(group)
    }

    /// Runs `body` with a borrowed group.
    func withGroup<Result>(_ body: (Group) -> Result) -> Result {
        let group = acquire()
        defer { release(group) }
        return body(group)
    }
}

/// Results that parallel chunks hand in, read back in chunk order so reductions are
/// deterministic whatever order the chunks finish in.
final class ChunkResults<Value> {
    private let lock = NSLock()
    private var results: [(start: Int, value: Value)] = []

    /// Records the result of the chunk starting at `start`.
    func record(start: Int, _ value: Value) {
        lock.lock()
        defer { lock.unlock() }
        results.append((start, value))
    }

    /// The recorded values ordered by chunk start.
    var ordered: [Value] {
        lock.lock()
        defer { lock.unlock() }
        return results.sorted { $0.start < $1.start }.map(\.value)
    }
}
