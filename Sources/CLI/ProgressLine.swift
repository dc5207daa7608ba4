import Foundation

/// `rewrite-buildspec: 1200/3000 files` on standard error, only on a terminal and only for
/// runs long enough to need it.
final class ProgressLine: @unchecked Sendable {
    private let total: Int
    private let enabled: Bool
    private let lock = NSLock()
    private var done = 0
    private var shown = false
    private let started = Date()

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled && total >= 200 && isatty(STDERR_FILENO) == 1
    }

    func advance() {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        done += 1
        guard done % 100 == 0, Date().timeIntervalSince(started) > 1 else { return }
        FileHandle.standardError.write(Data("\rrewrite-buildspec: \(done)/\(total) files".utf8))
        shown = true
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
