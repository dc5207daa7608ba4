import BuildspecRewriting
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `rewrite-buildspec: 1200/3000 files` (or `1200 files` while a search is still finding
/// them) on standard error, only on a terminal and only for runs long enough to need it.
final class ProgressLine: @unchecked Sendable {
    private let total: Int?
    private let enabled: Bool
    private let lock = Lock()
    private var done = 0
    private var shown = false
    private let started = POSIX.monotonicSeconds()

    init(total: Int?, enabled: Bool) {
        self.total = total
        self.enabled = enabled && (total ?? .max) >= 200 && isatty(STDERR_FILENO) == 1
    }

    func advance() {
        guard enabled else { return }
        lock.locked {
            done += 1
            guard done % 100 == 0, POSIX.monotonicSeconds() - started > 1 else { return }
            POSIX.writeAll(STDERR_FILENO, "\rrewrite-buildspec: \(done)\(total.map { "/\($0)" } ?? "") files")
            shown = true
        }
    }

    /// Takes the line off the terminal before other output; the next update draws it again.
    func clear() {
        guard enabled else { return }
        lock.locked {
            if shown { POSIX.writeAll(STDERR_FILENO, "\r\u{1B}[K") }
            shown = false
        }
    }

    func finish() {
        if shown { POSIX.writeAll(STDERR_FILENO, "\r\u{1B}[K") }
    }
}
