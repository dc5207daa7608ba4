#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The folder the tool runs in, and paths said relative to it: what `git apply`, GitHub
/// annotations and SARIF's `%SRCROOT%` expect of a path inside a checkout.
struct WorkingFolder: Sendable {
    /// Absolute, without a trailing `/` (except for `/` itself).
    let path: String

    init(path: String) {
        self.path = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
    }

    /// The process's working folder, or `/` when it cannot be read.
    static func current() -> WorkingFolder {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return WorkingFolder(path: "/") }
        return WorkingFolder(path: String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// `path` relative to this folder when it lies inside it (`./a//b` gives `a/b`,
    /// `/work/repo/a` in `/work/repo` gives `a`); otherwise `path` as it was given.
    func relative(_ path: String) -> String {
        var rest = path
        if path.hasPrefix("/") {
            let prefix = self.path == "/" ? "/" : self.path + "/"
            guard path.hasPrefix(prefix) else { return path }
            rest = String(path.dropFirst(prefix.count))
        }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
        // `..` would leave the folder (or need the file system to resolve links): as given.
        guard !parts.isEmpty, !parts.contains("..") else { return path }
        return parts.joined(separator: "/")
    }
}
