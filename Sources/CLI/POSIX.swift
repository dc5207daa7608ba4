#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file-system calls the command line needs, straight on the C library: no Foundation
/// at start-up (its static initialisers and ICU data cost more than a whole buildspec's rewrite)
/// and no copies between `Data` and `[UInt8]` in the per-file path.
enum POSIX {
    static func errorText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

    /// Ends the process with `code`, for a caller whose own `exit` is another one.
    static func exit(_ code: Int32) -> Never {
        #if canImport(Glibc)
        Glibc.exit(code)
        #elseif canImport(Musl)
        Musl.exit(code)
        #elseif canImport(Darwin)
        Darwin.exit(code)
        #endif
    }

    enum ReadResult {
        case bytes([UInt8])
        case folder
        case failure(Int32)
    }

    /// The whole file, read into one array sized by `fstat`.
    static func readFile(_ path: String) -> ReadResult {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .failure(errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return .failure(errno) }
        if (status.st_mode & S_IFMT) == S_IFDIR { return .folder }
        guard let bytes = readAll(descriptor, sizeHint: Int(status.st_size)) else { return .failure(errno) }
        return .bytes(bytes)
    }

    /// The paths listed in a file (`-`: standard input), one a line, or separated by NUL
    /// bytes when the list holds any; nil when it cannot be read (`errno` says why).
    static func readList(_ path: String) -> [String]? {
        let bytes: [UInt8]
        if path == "-" {
            guard let all = readAll(STDIN_FILENO) else { return nil }
            bytes = all
        } else {
            switch readFile(path) {
            case .bytes(let all): bytes = all
            case .folder: errno = EISDIR; return nil
            case .failure(let code): errno = code; return nil
            }
        }
        let separator: UInt8 = bytes.contains(0) ? 0 : 0x0A
        // `memchr` from one separator to the next: `split` took 1.4 K instructions a line.
        return bytes.withUnsafeBufferPointer { buffer in
            var lines: [String] = []
            guard let base = buffer.baseAddress else { return lines }
            var start = 0
            while start < buffer.count {
                let end = memchr(base + start, Int32(separator), buffer.count - start)
                    .map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? buffer.count
                var lineEnd = end
                if separator == 0x0A, lineEnd > start, base[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                if lineEnd > start { lines.append(String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<lineEnd]), as: UTF8.self)) }
                start = end + 1
            }
            return lines
        }
    }

    /// Everything left to read on `descriptor`, or nil on a read error (`errno` says which).
    static func readAll(_ descriptor: Int32, sizeHint: Int = 0) -> [UInt8]? {
        var bytes: [UInt8] = []
        var chunk = max(sizeHint + 1, 4096)
        var failed = false, atEnd = false
        while !atEnd {
            // Each chunk is read straight into a new array's room, until it is full or the input
            // ends: a file read whole (its size hint plus the byte that shows the end) takes one
            // array and no zero-filling (which cost 3.6 K instructions a file, callgrind).
            let part = [UInt8](unsafeUninitializedCapacity: chunk) { buffer, initialized in
                initialized = 0
                while initialized < buffer.count {
                    let result = read(descriptor, buffer.baseAddress! + initialized, buffer.count - initialized)
                    if result > 0 {
                        initialized += result
                    } else if result == 0 {
                        atEnd = true
                        return
                    } else if errno != EINTR {
                        failed = true
                        return
                    }
                }
            }
            if failed { return nil }
            if bytes.isEmpty { bytes = part } else { bytes += part }
            chunk = max(chunk, bytes.count)
        }
        return bytes
    }

    /// Writes all of `bytes`; false on an error (`errno` says which).
    @discardableResult
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var written = 0
        while written < bytes.count {
            let result = write(descriptor, bytes.baseAddress! + written, bytes.count - written)
            if result < 0 {
                if errno == EINTR { continue }
                return false
            }
            written += result
        }
        return true
    }

    @discardableResult
    static func writeAll(_ descriptor: Int32, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { writeAll(descriptor, UnsafeRawBufferPointer($0)) }
    }

    /// The absolute path with every link and `.`/`..` resolved, or nil when it does not exist.
    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The names in a folder with their `d_type`, without `.` and `..`; nil when it cannot be read.
    static func entries(of folder: String) -> [(name: String, type: UInt8)]? {
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

    /// `a/b/c.yml` → `c.yml`.
    static func lastComponent(_ path: String) -> String {
        // On the bytes in place (`/` is ASCII): index steps through the UTF-8 view cost 1.4 K
        // instructions a path, and this runs for every file.
        var path = path
        return path.withUTF8 { bytes in
            let slash = UInt8(ascii: "/")
            var end = bytes.count
            while end > 1, bytes[end - 1] == slash { end -= 1 }
            var start = end
            while start > 0, bytes[start - 1] != slash { start -= 1 }
            if start == 0 { return String(decoding: bytes[..<end], as: UTF8.self) }
            return end == 1 ? "/" : String(decoding: bytes[start..<end], as: UTF8.self)
        }
    }

    /// `a/b/c.yml` → `a/b`; `c.yml` → `.`.
    static func folder(of path: String) -> String {
        // By bytes: `lastIndex(of:)` on the characters cost 5 K instructions a path.
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Seconds on a clock that only goes forward.
    static func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

func standardError(_ line: String) {
    POSIX.writeAll(STDERR_FILENO, line + "\n")
}
