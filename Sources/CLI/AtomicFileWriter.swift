import Foundation

/// Replaces a file's bytes so that a reader sees the old file or the new one, never half of
/// either: a temporary file in the same folder, flushed, then renamed over the original.
enum AtomicFileWriter {
    struct Failure: Error {
        var message: String
    }

    /// Writes `bytes` to `path` if the file still holds `expected`; a link is written through.
    static func replace(_ path: String, with bytes: [UInt8], expected: [UInt8]) throws(Failure) {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        var status = stat()
        guard stat(target, &status) == 0 else { throw Failure(message: "cannot read the file's permissions (\(errorText()))") }
        let folder = (target as NSString).deletingLastPathComponent
        let name = (target as NSString).lastPathComponent
        var template = Array(((folder.isEmpty ? "." : folder) + "/." + name + ".rewrite-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw Failure(message: "cannot create a temporary file next to it (\(errorText())); nothing was written")
        }
        let temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var finished = false
        defer {
            if !finished { unlink(temporary) }
        }
        var written = 0
        let writeOK = bytes.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let result = write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                written += result
            }
            return true
        }
        let writeError = errorText()
        guard writeOK, fchmod(descriptor, status.st_mode & 0o7777) == 0, fsync(descriptor) == 0 else {
            close(descriptor)
            throw Failure(message: "cannot write the new content (\(writeError)); the file is unchanged")
        }
        _ = fchown(descriptor, status.st_uid, status.st_gid)
        close(descriptor)
        // Someone else changed the file since it was read: keep their version.
        guard let current = FileManager.default.contents(atPath: target), Array(current) == expected else {
            throw Failure(message: "the file changed while it was being rewritten; nothing was written, run again")
        }
        guard rename(temporary, target) == 0 else {
            throw Failure(message: "cannot replace the file (\(errorText())); it is unchanged")
        }
        finished = true
    }

    private static func errorText() -> String { String(cString: strerror(errno)) }
}
