import BuildspecRewriting
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Finds the files a run should handle: files named on the command line as they are, and
/// below named folders `buildspec*.yml` / `buildspec*.yaml` and the `*.yaml`, `*.yml`, `*.json`,
/// `*.template` files that may be CloudFormation templates (read to tell).
struct BuildspecDiscovery {
    static let skippedFolders: Set<String> = [".git", ".build", ".swiftpm", "node_modules", "cdk.out", ".aws-sam", ".terraform"]

    var excludes: [String] = []
    var followSymlinks = false

    /// A file to handle, or a path that could not be searched, with why.
    enum Entry: Sendable {
        case file(String)
        /// A file found for its extension: handled only when it turns out to be a template.
        case candidate(String)
        case problem(path: String, rule: Rule, message: String)

        var path: String {
            switch self {
            case .file(let path), .candidate(let path), .problem(let path, _, _): path
            }
        }
    }

    /// Whether `search` hands over entries while it walks (one root): then nothing is
    /// collected, however many files the tree holds.
    func streams(_ paths: [String]) -> Bool {
        paths.count == 1
    }

    /// Calls `found` with every entry, in the byte order of the paths, each file once (a file
    /// reached through two roots or a link is kept where it is reached first). One root is
    /// walked in that order, so its entries go out as the walk finds them; the entries of
    /// several roots are collected and sorted first.
    func search(_ paths: [String], found: (Entry) -> Void) {
        // Without links to follow, one root reaches every file once: nothing to remember.
        let identifying = followSymlinks || paths.count > 1
        var seen = Set<FileIdentity>()
        // A list of files names about one file each: room for them at once, not grown 1, 2, 4...
        if identifying { seen.reserveCapacity(paths.count) }
        func isNew(_ entry: Entry, _ identity: FileIdentity?) -> Bool {
            guard identifying, let identity else { return true }
            if case .problem = entry { return true }
            return seen.insert(identity).inserted
        }
        if streams(paths) {
            visit(paths[0], identifying: identifying) { entry, identity in
                if isNew(entry, identity) { found(entry) }
            }
            return
        }
        var entries: [Entry] = []
        for path in paths {
            visit(path, identifying: identifying) { entry, identity in
                if isNew(entry, identity) { entries.append(entry) }
            }
        }
        // Byte order, as the walk's own: `String` comparison would normalize Unicode, and the
        // generic walk over two `utf8` views cost 2 K instructions a comparison.
        entries.sort { Self.bytesPrecede($0.path, $1.path) }
        entries.forEach(found)
    }

    /// Whether `first` sorts before `second` by their UTF-8 bytes.
    private static func bytesPrecede(_ first: String, _ second: String) -> Bool {
        var first = first, second = second
        return first.withUTF8 { left in
            second.withUTF8 { right in
                let common = min(left.count, right.count)
                let order = common == 0 ? 0 : memcmp(left.baseAddress!, right.baseAddress!, common)
                return order != 0 ? order < 0 : left.count < right.count
            }
        }
    }

    /// One root: a file as it is, a folder walked.
    private func visit(_ path: String, identifying: Bool, found: (Entry, FileIdentity?) -> Void) {
        var status = stat()
        guard lstat(path, &status) == 0 else {
            found(.problem(path: path, rule: .pathNotFound, message: "no such file or folder"), nil)
            return
        }
        if (status.st_mode & S_IFMT) == S_IFLNK {
            var target = stat()
            if stat(path, &target) == 0 { status = target }
        }
        guard (status.st_mode & S_IFMT) == S_IFDIR else {
            found(.file(path), FileIdentity(status))
            return
        }
        if HostRewriter.isBuildspecName(POSIX.lastComponent(path)) {
            found(.problem(path: path, rule: .pathIsFolder, message: "is a folder, not a buildspec file"), nil)
            return
        }
        walk(path, identifying: identifying, found: found)
    }

    /// One folder's entries that matter, in the order their paths sort: a folder's entry
    /// sorts as `name/`, so that walking them depth first gives every path in byte order
    /// (`a-b/x` before `a/x`, as `-` comes before `/`).
    private struct Step {
        enum Kind { case file, candidate, folder, problem(Rule, String) }
        var path: String
        var kind: Kind
        var key: [UInt8]
    }

    /// Depth first, each folder's steps in order; only the folders on the current path are
    /// held in memory.
    private func walk(_ root: String, identifying: Bool, found: (Entry, FileIdentity?) -> Void) {
        var visitedFolders = Set<FileIdentity>()
        var stack: [(steps: [Step], next: Int)] = []
        func enter(_ folder: String) {
            if identifying {
                // A folder reached twice (a link to a parent, two roots) is read once.
                var status = stat()
                guard stat(folder, &status) == 0, visitedFolders.insert(FileIdentity(status)).inserted else { return }
            }
            guard let steps = steps(in: folder) else {
                found(.problem(path: folder, rule: .unreadableFolder, message: "cannot read this folder"), nil)
                return
            }
            if !steps.isEmpty { stack.append((steps, 0)) }
        }
        enter(root)
        while !stack.isEmpty {
            let top = stack.count - 1
            let step = stack[top].steps[stack[top].next]
            stack[top].next += 1
            if stack[top].next == stack[top].steps.count { stack.removeLast() }
            switch step.kind {
            case .folder:
                enter(step.path)
            case .problem(let rule, let message):
                found(.problem(path: step.path, rule: rule, message: message), nil)
            case .file, .candidate:
                var status = stat()
                let identity = identifying && stat(step.path, &status) == 0 ? FileIdentity(status) : nil
                if case .file = step.kind { found(.file(step.path), identity) } else { found(.candidate(step.path), identity) }
            }
        }
    }

    /// The buildspec files, the folders to enter and the problems in one folder, sorted; nil
    /// when it cannot be read.
    private func steps(in folder: String) -> [Step]? {
        guard let entries = POSIX.entries(of: folder) else { return nil }
        var steps: [Step] = []
        for (name, type) in entries {
            let path = folder == "." ? name : (folder.hasSuffix("/") ? folder + name : folder + "/" + name)
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
                    if HostRewriter.isBuildspecName(name) {
                        let message = "cannot read the file (a symbolic link to nothing: \(POSIX.errorText()))"
                        steps.append(Step(path: path, kind: .problem(.unreadableFile, message), key: Array(name.utf8)))
                    }
                    continue
                }
                kind = target.st_mode & S_IFMT
            }
            if kind == S_IFDIR {
                if HostRewriter.isBuildspecName(name) {
                    steps.append(Step(path: path, kind: .problem(.pathIsFolder, "is a folder, not a buildspec file"), key: Array(name.utf8)))
                } else if !Self.skippedFolders.contains(name) {
                    steps.append(Step(path: path, kind: .folder, key: Array(name.utf8) + [UInt8(ascii: "/")]))
                }
            } else if HostRewriter.isBuildspecName(name) {
                steps.append(Step(path: path, kind: .file, key: Array(name.utf8)))
            } else if HostRewriter.isTemplateCandidateName(name) {
                steps.append(Step(path: path, kind: .candidate, key: Array(name.utf8)))
            }
        }
        return steps.sorted { $0.key.lexicographicallyPrecedes($1.key) }
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

    private func isExcluded(_ path: String) -> Bool {
        excludes.contains { pattern in
            fnmatch(pattern, path, 0) == 0 || fnmatch(pattern, POSIX.lastComponent(path), 0) == 0
                || fnmatch(pattern + "/*", path, 0) == 0 || fnmatch("*/" + pattern, path, 0) == 0
        }
    }
}
