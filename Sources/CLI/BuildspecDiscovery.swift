import Foundation

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
        func add(_ path: String) {
            // One file, one visit: the same file through two roots or a link counts once.
            let key = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
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
                add(path)
                continue
            }
            walk(path, into: &found, add: add)
        }
        found.files = files.sorted()
        return found
    }

    private func walk(_ folder: String, into found: inout Found, add: (String) -> Void) {
        var pending = [folder]
        var visitedFolders = Set<String>()
        while let current = pending.popLast() {
            let real = URL(fileURLWithPath: current).resolvingSymlinksInPath().path
            guard visitedFolders.insert(real).inserted else { continue }
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: current) else {
                found.problems.append((current, "cannot read this folder"))
                continue
            }
            for name in names.sorted() {
                let path = current == "." ? name : (current.hasSuffix("/") ? current + name : current + "/" + name)
                if isExcluded(path) { continue }
                var status = stat()
                guard lstat(path, &status) == 0 else { continue }
                var kind = status.st_mode & S_IFMT
                if kind == S_IFLNK {
                    guard followSymlinks else { continue }
                    var target = stat()
                    guard stat(path, &target) == 0 else { continue }
                    kind = target.st_mode & S_IFMT
                }
                if kind == S_IFDIR {
                    if !Self.skippedFolders.contains(name) { pending.append(path) }
                } else if Self.isBuildspecName(name) {
                    add(path)
                }
            }
        }
    }

    private func isExcluded(_ path: String) -> Bool {
        excludes.contains { pattern in
            fnmatch(pattern, path, 0) == 0 || fnmatch(pattern, (path as NSString).lastPathComponent, 0) == 0
                || fnmatch(pattern + "/*", path, 0) == 0 || fnmatch("*/" + pattern, path, 0) == 0
        }
    }
}
