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

    func find(_ paths: [String]) -> Found {
        var found = Found()
        // Collected apart from `found`: `walk` holds `found` inout while it calls `add`, and a
        // closure writing `found.files` during that access is an exclusivity violation (a crash).
        var files: [String] = []
        var seen = Set<String>()
        // One root searched without following links reaches every file once: no real paths to
        // resolve and keep (a `realpath` per folder, and two sets that grow with the tree).
        let unique = paths.count == 1 && !followSymlinks
        func add(_ path: String, key: String?) {
            if unique { files.append(path); return }
            // One file, one visit: the same file through two roots or a link counts once. The
            // key is the real path; a walk knows its folder's, so it costs no call per file.
            let key = key ?? POSIX.realPath(path) ?? Self.absolute(path)
            if seen.insert(key).inserted { files.append(path) }
        }
        for path in paths {
            var status = stat()
            guard lstat(path, &status) == 0 else {
                found.problems.append((path, "no such file or folder"))
                continue
            }
            var isFolder = (status.st_mode & S_IFMT) == S_IFDIR
            if (status.st_mode & S_IFMT) == S_IFLNK {
                var target = stat()
                if stat(path, &target) == 0 { isFolder = (target.st_mode & S_IFMT) == S_IFDIR }
            }
            if !isFolder {
                add(path, key: nil)
                continue
            }
            if Self.isBuildspecName(POSIX.lastComponent(path)) {
                found.problems.append((path, "is a folder, not a buildspec file"))
                continue
            }
            walk(path, resolving: !unique, into: &found, add: add)
        }
        found.files = files.sorted()
        return found
    }

    private func walk(_ folder: String, resolving: Bool, into found: inout Found, add: (String, String?) -> Void) {
        var pending = [folder]
        var visitedFolders = Set<String>()
        while let current = pending.popLast() {
            let real = resolving ? POSIX.realPath(current) ?? Self.absolute(current) : nil
            if let real {
                guard visitedFolders.insert(real).inserted else { continue }
            }
            guard let entries = Self.entries(of: current) else {
                found.problems.append((current, "cannot read this folder"))
                continue
            }
            for (name, type) in entries.sorted(by: { $0.name < $1.name }) {
                let path = current == "." ? name : (current.hasSuffix("/") ? current + name : current + "/" + name)
                if !excludes.isEmpty, isExcluded(path) { continue }
                var kind: mode_t
                var isLink = false
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
                    isLink = true
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
                    add(path, isLink ? nil : real.map { $0 + "/" + name })
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

    /// `path` made absolute against the working folder, for paths `realpath` cannot resolve.
    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let cwd = getcwd(nil, 0) else { return path }
        defer { free(cwd) }
        return String(cString: cwd) + "/" + path
    }

    private func isExcluded(_ path: String) -> Bool {
        excludes.contains { pattern in
            fnmatch(pattern, path, 0) == 0 || fnmatch(pattern, POSIX.lastComponent(path), 0) == 0
                || fnmatch(pattern + "/*", path, 0) == 0 || fnmatch("*/" + pattern, path, 0) == 0
        }
    }
}
