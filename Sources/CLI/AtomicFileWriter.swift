#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Replaces a file's bytes so that a reader sees the old file or the new one, never half of
/// either: a temporary file in the same folder, renamed over the original. Like git and the
/// formatters, it does not fsync each file: a rename is atomic for every reader, and forcing
/// every file to disk made a batch of 600 rewrites six times slower.
enum AtomicFileWriter {
    struct Failure: Error {
        var message: String
    }

    /// Writes `bytes` to `path` if the file still holds `expected`; a link is written through.
    static func replace(_ path: String, with bytes: [UInt8], expected: [UInt8]) throws(Failure) {
        var status = stat()
        guard lstat(path, &status) == 0 else { throw Failure(message: "cannot read the file's permissions (\(errorText()))") }
        // A link is written through: the file it points at is replaced, the link stays.
        var target = path
        if (status.st_mode & S_IFMT) == S_IFLNK {
            target = POSIX.realPath(path) ?? path
            guard stat(target, &status) == 0 else { throw Failure(message: "cannot read the file's permissions (\(errorText()))") }
        }
        let folder = POSIX.folder(of: target)
        let name = POSIX.lastComponent(target)
        var template = Array((folder + "/." + name + ".rewrite-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw Failure(message: "cannot create a temporary file next to it (\(errorText())); nothing was written")
        }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var finished = false
        defer {
            if !finished { unlink(temporary) }
        }
        let writeOK = bytes.withUnsafeBytes { POSIX.writeAll(descriptor, $0) }
        let writeError = errorText()
        guard writeOK, fchmod(descriptor, status.st_mode & 0o7777) == 0 else {
            close(descriptor)
            throw Failure(message: "cannot write the new content (\(writeError)); the file is unchanged")
        }
        if status.st_uid != geteuid() || status.st_gid != getegid() { _ = fchown(descriptor, status.st_uid, status.st_gid) }
        close(descriptor)
        // Someone else changed the file since it was read: keep their version.
        guard case .bytes(let current) = POSIX.readFile(target), current == expected else {
            throw Failure(message: "the file changed while it was being rewritten; nothing was written, run again")
        }
        guard rename(temporary, target) == 0 else {
            throw Failure(message: "cannot replace the file (\(errorText())); it is unchanged")
        }
        finished = true
    }

    private static func errorText() -> String { POSIX.errorText() }
}
