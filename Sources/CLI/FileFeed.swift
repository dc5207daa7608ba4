#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The entries a search finds, handed to the workers in order while the search goes on. The
/// search waits while `capacity` entries are waiting, so a run over 100,000 files holds about
/// as much as one over 1,000.
final class FileFeed: @unchecked Sendable {
    private let capacity: Int
    // Allocated, not stored properties: pthread objects must not move.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let itemsAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let spaceAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private var waiting: [BuildspecDiscovery.Entry] = []
    private var head = 0
    private var taken = 0
    private var isFinished = false

    init(capacity: Int = 256) {
        self.capacity = capacity
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(itemsAvailable, nil)
        pthread_cond_init(spaceAvailable, nil)
    }

    deinit {
        pthread_cond_destroy(spaceAvailable)
        pthread_cond_destroy(itemsAvailable)
        pthread_mutex_destroy(mutex)
        spaceAvailable.deallocate()
        itemsAvailable.deallocate()
        mutex.deallocate()
    }

    /// Adds an entry; waits while the feed is full.
    func put(_ entry: BuildspecDiscovery.Entry) {
        pthread_mutex_lock(mutex)
        while waiting.count - head >= capacity { pthread_cond_wait(spaceAvailable, mutex) }
        waiting.append(entry)
        pthread_cond_signal(itemsAvailable)
        pthread_mutex_unlock(mutex)
    }

    /// No more entries will come.
    func finish() {
        pthread_mutex_lock(mutex)
        isFinished = true
        pthread_cond_broadcast(itemsAvailable)
        pthread_mutex_unlock(mutex)
    }

    /// The next entry with its place in the order (0, 1, 2, ...); nil once the feed is
    /// finished and empty. Waits while it is empty but not finished.
    func next() -> (index: Int, entry: BuildspecDiscovery.Entry)? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while head == waiting.count, !isFinished { pthread_cond_wait(itemsAvailable, mutex) }
        guard head < waiting.count else { return nil }
        let entry = waiting[head]
        head += 1
        let index = taken
        taken += 1
        // Drop what was taken once it is most of the array: appends stay amortized O(1).
        if head >= capacity, head * 2 >= waiting.count {
            waiting.removeFirst(head)
            head = 0
        }
        pthread_cond_signal(spaceAvailable)
        return (index, entry)
    }
}
