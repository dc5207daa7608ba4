import Foundation

/// Writes the stub programs the runners put on PATH.
///
/// The file is opened close-on-exec. On Linux, Foundation's `Process` closes in the child only
/// the descriptors it saw open while preparing the spawn (`/proc/self/fd`), so a stub another
/// test thread is writing at that moment, opened without `O_CLOEXEC` as `Data.write` opens it,
/// stays open for writing in that child for as long as it runs; every `exec` of the stub then
/// fails with ETXTBSY ("Text file busy") and the build it belongs to pushes nothing.
enum ExecutableScript {
    static func write(_ script: String, to url: URL) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
        guard descriptor >= 0 else { throw RunnerError("cannot create \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        var bytes = Array(script.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw RunnerError("cannot write \(url.path): \(String(cString: strerror(errno)))") }
            bytes = bytes.dropFirst(written)
        }
        // The umask may have taken bits away from the mode `open` was given.
        guard fchmod(descriptor, 0o755) == 0 else { throw RunnerError("cannot chmod \(url.path): \(String(cString: strerror(errno)))") }
    }
}
