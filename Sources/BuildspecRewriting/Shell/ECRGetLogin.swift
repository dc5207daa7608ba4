#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// `aws ecr get-login`, which AWS CLI v2 (on current CodeBuild images) no longer has: a
/// command that runs it draws a warning.
enum ECRGetLogin {
    /// Whether a command's text runs `ecr get-login` (and not `get-login-password`).
    static func isRun(in text: UnsafeBufferPointer<UInt8>) -> Bool {
        text.containsBytes(command) && !text.containsBytes(password)
    }

    /// Whether a command read from these YAML bytes can run it: a `get-login` in them is
    /// not `get-login-password`, or they hold a backslash, which a double-quoted scalar's
    /// escapes need. Nothing else YAML does to a scalar (folding lines, quotes, indentation)
    /// makes or splits a word, so without either every `get-login` of every command is
    /// `get-login-password`, and no command needs a search (about 300 instructions each).
    static func mayBeRun(in source: [UInt8]) -> Bool {
        source.withUnsafeBufferPointer { bytes in
            guard let base = bytes.baseAddress else { return false }
            if memchr(base, Int32(UInt8(ascii: "\\")), bytes.count) != nil { return true }
            var from = 0
            while let found = word.firstIndex(in: UnsafeBufferPointer(rebasing: bytes[from...])) {
                from += found + word.bytes.count
                guard bytes.count - from >= passwordSuffix.count, memcmp(base + from, passwordSuffix, passwordSuffix.count) == 0 else { return true }
            }
            return false
        }
    }

    private static let command = Array("ecr get-login".utf8), password = Array("get-login-password".utf8)
    private static let word = BytePattern("get-login")
    private static let passwordSuffix = Array("-password".utf8)
}
