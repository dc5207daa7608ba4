/// Values kept across the files of a run, shared by the workers: at most `capacity` keys, and
/// emptied when full, so memory stays flat however many files a run reads.
final class BoundedStore<Key: Hashable & Sendable, Value: Sendable>: @unchecked Sendable {
    let capacity: Int
    private let lock = Lock()
    /// Guarded by `lock`.
    private var values: [Key: Value] = [:]

    init(capacity: Int) {
        self.capacity = capacity
    }

    subscript(key: Key) -> Value? {
        lock.locked { values[key] }
    }

    /// Changes the value kept for `key` (nil when none is); emptied first when full.
    func update(_ key: Key, _ body: (inout Value?) -> Void) {
        lock.locked {
            if values[key] == nil, values.count >= capacity { values.removeAll(keepingCapacity: true) }
            body(&values[key])
        }
    }

    /// How many keys are kept now.
    var count: Int { lock.locked { values.count } }
}
