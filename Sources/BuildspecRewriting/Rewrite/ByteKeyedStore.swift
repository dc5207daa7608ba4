/// A `BoundedStore` whose keys are byte strings, found from bytes in place: a lookup makes no
/// key (a `String` key cost an allocation and a SipHash of the text for every command the
/// analysis reads, about 1.3 K instructions, where this costs about 150). Keys are equal when
/// their bytes are. At most `capacity` keys, and emptied when full.
final class ByteKeyedStore<Value: Sendable>: @unchecked Sendable {
    let capacity: Int
    private let lock = Lock()
    // All guarded by `lock`. Open addressing: each slot holds an index of `keys` and `values`
    // plus one, 0 when empty; there are at least twice as many slots as keys, a power of two.
    private var slots: [Int32]
    private var hashes: [UInt64] = []
    private var keys: [[UInt8]] = []
    private var values: [Value] = []

    init(capacity: Int) {
        precondition(capacity > 0 && capacity < Int(Int32.max) / 2)
        self.capacity = capacity
        var slotCount = 1
        while slotCount < 2 * capacity { slotCount <<= 1 }
        slots = [Int32](repeating: 0, count: slotCount)
    }

    subscript(key: UnsafeBufferPointer<UInt8>) -> Value? {
        let hash = ByteHash.of(key)
        return lock.locked { find(key, hash: hash).entry.map { values[$0] } }
    }

    /// Keeps `value` for `key`, in place of the one kept; emptied first when full.
    func set(_ key: UnsafeBufferPointer<UInt8>, _ value: Value) {
        let hash = ByteHash.of(key)
        lock.locked {
            let found = find(key, hash: hash)
            if let entry = found.entry {
                values[entry] = value
                return
            }
            var slot = found.slot
            if keys.count >= capacity {
                removeAll()
                slot = find(key, hash: hash).slot
            }
            slots[slot] = Int32(keys.count + 1)
            hashes.append(hash)
            keys.append(Array(key))
            values.append(value)
        }
    }

    /// How many keys are kept now.
    var count: Int { lock.locked { keys.count } }

    /// The slot that holds `key`, with its entry, or the empty slot where it would go.
    private func find(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (slot: Int, entry: Int?) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let stored = Int(slots[slot])
            if stored == 0 { return (slot, nil) }
            let entry = stored - 1
            if hashes[entry] == hash, keys[entry].withUnsafeBufferPointer({ $0.hasSameBytes(as: key) }) { return (slot, entry) }
            slot = (slot + 1) & mask
        }
    }

    private func removeAll() {
        for index in slots.indices { slots[index] = 0 }
        hashes.removeAll(keepingCapacity: true)
        keys.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }
}

/// A 64-bit hash of bytes, eight at a time, for the stores: much cheaper than `Hasher`'s
/// SipHash, and not a defence against chosen collisions, which only cost time here, since
/// keys with equal hashes are still compared.
enum ByteHash {
    /// The hash of `bytes`.
    static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: bytes.count)
        guard let base = bytes.baseAddress else { return hash }
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index &+ 8 <= bytes.count {
            hash = combine(hash, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            index &+= 8
        }
        if index < bytes.count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.count {
                tail |= UInt64(bytes[index]) << shift
                shift &+= 8
                index &+= 1
            }
            hash = combine(hash, tail)
        }
        hash ^= hash >> 29
        hash &*= 0xBF58_476D_1CE4_E5B9
        return hash ^ (hash >> 32)
    }

    /// Mixes `part` (a hash, a tag) into `hash`.
    static func combine(_ hash: UInt64, _ part: UInt64) -> UInt64 {
        let mixed = (hash ^ part) &* 0xFF51_AFD7_ED55_8CCD
        return mixed ^ (mixed >> 32)
    }
}
