#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the buildspec files a run should handle: files named on the command line as they
/// are, and `buildspec*.yml` / `buildspec*.yaml` below named folders.
struct BuildspecDiscovery {
    static let skippedFolders: Set<String> = [".git", ".build", ".swiftpm", "node_modules"]

    var excludes: [String] = []
    var followSymlinks = false

    struct Found {
        var files: [String] = []
        /// Paths that could not be searched or do not exist, with why.
        var problems: [(path: String, message: String)] = []
    }

    static func isBuildspecName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasPrefix("buildspec") && (lower.hasSuffix(".yml") || lower.hasSuffix(".yaml"))
    }

    /// A file or folder whatever path reaches it: its device and inode.
    private struct FileIdentity: Hashable {
        var device: UInt64
        var inode: UInt64

        init(_ status: stat) {
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
        }
    }

    func find(_ paths: [String]) -> Found {
        var found = Found()
        // Collected apart from `found`: `walk` holds `found` inout while it calls `add`, and a
        // closure writing `found.files` during that access is an exclusivity violation (a crash).
        var files: [String] = []
        var seen = Set<FileIdentity>()
        // One root searched without following links reaches every file once: nothing to
        // remember. Otherwise the same file through two roots or a link counts once.
        let unique = paths.count == 1 && !followSymlinks
        func add(_ path: String, identity: FileIdentity?) {
            guard !unique, let identity else { files.append(path); return }
            if seen.insert(identity).inserted { files.append(path) }
        }
        for path in paths {
            var status = stat()
            guard lstat(path, &status) == 0 else {
                found.problems.append((path, "no such file or folder"))
                continue
            }
            if (status.st_mode & S_IFMT) == S_IFLNK {
                var target = stat()
                if stat(path, &target) == 0 { status = target }
            }
            guard (status.st_mode & S_IFMT) == S_IFDIR else {
                add(path, identity: FileIdentity(status))
                continue
            }
            if Self.isBuildspecName(POSIX.lastComponent(path)) {
                found.problems.append((path, "is a folder, not a buildspec file"))
                continue
            }
            walk(path, identifying: !unique, into: &found, add: add)
        }
        found.files = files.sorted()
        return found
    }

    private func walk(_ folder: String, identifying: Bool, into found: inout Found, add: (String, FileIdentity?) -> Void) {
        var pending = [folder]
        var visitedFolders = Set<FileIdentity>()
        while let current = pending.popLast() {
            if identifying {
                // A folder reached twice (a link to a parent, two roots) is read once.
                var status = stat()
                guard stat(current, &status) == 0, visitedFolders.insert(FileIdentity(status)).inserted else { continue }
            }
            guard let entries = Self.entries(of: current) else {
                found.problems.append((current, "cannot read this folder"))
                continue
            }
            for (name, type) in entries.sorted(by: { $0.name < $1.name }) {
                let path = current == "." ? name : (current.hasSuffix("/") ? current + name : current + "/" + name)
                if !excludes.isEmpty, isExcluded(path) { continue }
                var kind: mode_t
                switch type {
                case UInt8(DT_REG): kind = S_IFREG
                case UInt8(DT_DIR): kind = S_IFDIR
                case UInt8(DT_LNK): kind = S_IFLNK
                default:
                    var status = stat()
                    guard lstat(path, &status) == 0 else { continue }
                    kind = status.st_mode & S_IFMT
                }
                if kind == S_IFLNK {
                    guard followSymlinks else { continue }
                    var target = stat()
                    guard stat(path, &target) == 0 else {
                        if Self.isBuildspecName(name) {
                            found.problems.append((path, "cannot read the file (a symbolic link to nothing: \(POSIX.errorText()))"))
                        }
                        continue
                    }
                    kind = target.st_mode & S_IFMT
                }
                if kind == S_IFDIR {
                    if Self.isBuildspecName(name) {
                        found.problems.append((path, "is a folder, not a buildspec file"))
                    } else if !Self.skippedFolders.contains(name) {
                        pending.append(path)
                    }
                } else if Self.isBuildspecName(name) {
                    var status = stat()
                    add(path, identifying && stat(path, &status) == 0 ? FileIdentity(status) : nil)
                }
            }
        }
    }

    /// The names in a folder with their `d_type`, without `.` and `..`; nil when it cannot be read.
    private static func entries(of folder: String) -> [(name: String, type: UInt8)]? {
        guard let directory = opendir(folder) else { return nil }
        defer { closedir(directory) }
        var result: [(name: String, type: UInt8)] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
                    String(cString: $0)
                }
            }
            if name == "." || name == ".." { continue }
            result.append((name, entry.pointee.d_type))
        }
        return result
    }

    private func isExcluded(_ path: String) -> Bool {
        excludes.contains { pattern in
            fnmatch(pattern, path, 0) == 0 || fnmatch(pattern, POSIX.lastComponent(path), 0) == 0
                || fnmatch(pattern + "/*", path, 0) == 0 || fnmatch("*/" + pattern, path, 0) == 0
        }
    }
}
