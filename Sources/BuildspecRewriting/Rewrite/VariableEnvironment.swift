#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// What the rewriter knows about shell variables at one point of the build: the values
/// assigned so far, as words whose own expansions stay symbolic.
struct VariableEnvironment: Sendable {
    /// `env: variables`, as the buildspec gives them: read as words only when looked up, since
    /// a file looks up a few of them.
    private let buildspecVariables: [String: String]
    /// What commands assigned so far; an assignment hides a buildspec variable of its name.
    private var assigned: [String: [ShellWord.Segment]] = [:]
    /// The variables that are the host's substitutions, and what they stand for.
    let host: HostValues

    init(buildspecVariables: [String: String], host: HostValues = HostValues()) {
        self.buildspecVariables = buildspecVariables
        self.host = host
    }

    /// The value of `name` at this point, nil when nothing set it.
    func value(of name: String) -> [ShellWord.Segment]? {
        if let value = assigned[name] { return value }
        guard let value = buildspecVariables[name] else { return nil }
        // CodeBuild passes env.variables through as they are: a `$` in one is not expanded.
        return value.firstIndex(ofASCII: UInt8(ascii: "$")) != nil ? [.opaque(value)] : [.text(value)]
    }

    mutating func assign(_ name: String, _ value: [ShellWord.Segment]) {
        assigned[name] = value
    }

    /// The assignments a simple command makes in the shell's own state: `NAME=value` alone,
    /// or after `export`, `readonly`, `declare`, `typeset`, `local`.
    static func assignments(of command: ShellCommand) -> [ShellAssignment] {
        guard command.kind == .simple else { return [] }
        guard let program = command.words.first else { return command.assignments }
        guard let name = program.literal, ["export", "readonly", "declare", "typeset", "local"].contains(name) else {
            return []
        }
        return command.words.dropFirst().compactMap { word in
            guard case .text(let first) = word.segments.first, let equals = first.firstIndex(ofASCII: UInt8(ascii: "=")) else { return nil }
            let variable = String(first[..<equals])
            guard let head = variable.utf8.first, head == UInt8(ascii: "_") || (head | 0x20 >= UInt8(ascii: "a") && head | 0x20 <= UInt8(ascii: "z")),
                  variable.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || ($0 | 0x20 >= UInt8(ascii: "a") && $0 | 0x20 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) })
            else { return nil }
            var segments = word.segments
            let rest = String(first[first.index(after: equals)...])
            if rest.isEmpty { segments.removeFirst() } else { segments[0] = .text(rest) }
            return ShellAssignment(name: variable, value: ShellWord(segments: segments, range: word.range))
        }
    }

    /// Every variable a text mentions (`$NAME`, `${NAME}`, `${NAME:-x}`), and every variable
    /// their known values mention in turn; each once, in the order found.
    func mentionedVariables(in text: String) -> [String] {
        // An array, searched: a writer mentions a handful of names, and a set would be
        // allocated and every name hashed for that handful.
        var found: [String] = []
        found.reserveCapacity(8)
        for name in Self.variableNames(in: text) where !found.contains(name) { found.append(name) }
        // `found` is the work list too: the names after `next` have not been looked up yet.
        var next = 0
        while next < found.count {
            let name = found[next]
            next += 1
            guard let value = value(of: name) else { continue }
            for segment in value {
                switch segment {
                case .variable(let variable):
                    if !found.contains(variable) { found.append(variable) }
                case .opaque(let raw):
                    for variable in Self.variableNames(in: raw) where !found.contains(variable) { found.append(variable) }
                case .text:
                    continue
                }
            }
        }
        return found
    }

    static func variableNames(in text: String) -> [String] {
        text.utf8.withContiguousStorageIfAvailable(variableNames(in:)) ?? Array(text.utf8).withUnsafeBufferPointer(variableNames(in:))
    }

    private static func variableNames(in bytes: UnsafeBufferPointer<UInt8>) -> [String] {
        var names: [String] = []
        guard let base = bytes.baseAddress else { return names }
        var index = 0
        // `memchr` from one `$` to the next: a writer's text is mostly JSON and words.
        while index < bytes.count, let hit = memchr(base + index, Int32(UInt8(ascii: "$")), bytes.count - index) {
            index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "{") { index += 1 }
            let start = index
            while index < bytes.count, isNameByte(bytes[index], first: index == start) { index += 1 }
            if index > start { names.append(String(decoding: bytes[start..<index], as: UTF8.self)) }
        }
        return names
    }

    /// Whether `variableNames(in:)` of these bytes holds the name whose UTF-8 bytes are `name`, without
    /// making the names.
    static func mentions(_ bytes: UnsafeBufferPointer<UInt8>, name: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, let head = name.first, isNameByte(head, first: true) else { return false }
        var index = 0
        while index < bytes.count, let hit = memchr(base + index, Int32(UInt8(ascii: "$")), bytes.count - index) {
            // A name starts after `$` or `${` and runs as far as name bytes go.
            var start = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
            index = start
            if start < bytes.count, bytes[start] == UInt8(ascii: "{") { start += 1 }
            let end = start + name.count
            if end <= bytes.count, memcmp(base + start, name.baseAddress!, name.count) == 0,
               end == bytes.count || !isNameByte(bytes[end], first: false)
            {
                return true
            }
        }
        return false
    }

    static func isNameByte(_ byte: UInt8, first: Bool) -> Bool {
        let letter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
        let digit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
        return letter || byte == UInt8(ascii: "_") || (!first && digit)
    }
}
