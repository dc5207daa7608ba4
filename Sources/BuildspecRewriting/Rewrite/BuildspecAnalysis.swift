#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Everything the planner needs from one buildspec: each command read as shell, and the
/// pushes, registry queries and definitions writers in the order CodeBuild runs them.
struct BuildspecAnalysis {
    /// A point in the build: a command entry and a byte offset in its text.
    struct Point: Comparable {
        var command: Int
        var offset: Int
        static func < (lhs: Point, rhs: Point) -> Bool {
            (lhs.command, lhs.offset) < (rhs.command, rhs.offset)
        }
    }

    /// A class, as `Writer` is: the planner walks the pushes for every writer and query, and
    /// each copy of a struct retained every string of its repository.
    final class Push {
        let point: Point
        let repository: Result<ImageRepository, RepositoryError>

        init(point: Point, repository: Result<ImageRepository, RepositoryError>) {
            self.point = point
            self.repository = repository
        }
    }

    struct Query {
        var point: Point
        var variable: String?
        var file: String?
        var argument: String?
        var registryID: String?
        var region: String?
        var isPublic: Bool

        init(point: Point, variable: String?, file: String?, text: String) {
            self.point = point
            self.variable = variable
            self.file = file
            argument = RegistryQuery.repositoryArgument(in: text)
            registryID = RegistryQuery.optionArgument("--registry-id", in: text)
            region = RegistryQuery.optionArgument("--region", in: text)
            isPublic = text.containsBytes("ecr-public")
        }
    }

    /// A class: the planner and the rewriter hand writers around, and each copy of a struct
    /// retained its dozen references (the pipeline, the environment, the texts).
    final class Writer {
        let command: Int
        let place: PipelinePlace
        let writer: ImageDefinitionsWriter
        let isGuarded: Bool
        /// The variables' values where the writer runs, for `mentions`.
        let environment: VariableEnvironment
        let text: String
        let unsafeContext: String?
        /// Silenced by `# rewrite-buildspec: ignore RB001` (see `IgnoreComment`).
        var isIgnored = false
        var point: Point { Point(command: command, offset: place.pipeline.range.lowerBound) }
        /// Variables the writer's text mentions, with those their values mention; each once.
        /// Worked out when asked: only a writer that must choose among pushes needs them.
        var mentions: [String] { environment.mentionedVariables(in: text) }
        /// Unguarded and not silenced: the rewrite guards it, `--check` reports it.
        var needsGuard: Bool { !isGuarded && !isIgnored }

        init(command: Int, place: PipelinePlace, writer: ImageDefinitionsWriter, isGuarded: Bool, environment: VariableEnvironment,
             text: String, unsafeContext: String?) {
            self.command = command
            self.place = place
            self.writer = writer
            self.isGuarded = isGuarded
            self.environment = environment
            self.text = text
            self.unsafeContext = unsafeContext
        }
    }

    let spec: Buildspec
    /// Which files hold image definitions (`--definitions-file` names, artifacts).
    let matcher: ImageDefinitionsWriter.FileMatcher
    /// Each command's reading, nil for a command not read as shell: one reference each.
    var readings: [CommandReading?] = []
    var pushes: [Push] = []
    var queries: [Query] = []
    var writers: [Writer] = []
    /// Variables assigned by a command, with where: a query must not move above them.
    var assignments: [(name: String, point: Point)] = []
    var diagnostics: [Diagnostic] = []

    /// `repositoryVariables`: the variables `--repository-name` names; where they are assigned
    /// matters to the placement of the query. `host`: the variables that are host substitutions.
    init(spec: Buildspec, matcher: ImageDefinitionsWriter.FileMatcher, repositoryVariables: Set<String> = [], host: HostValues = HostValues()) {
        self.spec = spec
        self.matcher = matcher
        // Most files write no image definitions: when no command can, there is nothing to
        // read as shell (pushes and assignments only matter to a writer's guard).
        guard let needed = Self.commandsToRead(spec, matcher: matcher, variables: repositoryVariables) else {
            readings = Array(repeating: nil, count: spec.commands.count)
            return
        }
        var environment = VariableEnvironment(buildspecVariables: spec.variables, host: host)
        // One entry a command: grown append by append, it was reallocated about six times a file.
        readings.reserveCapacity(spec.commands.count)
        for index in spec.commands.indices {
            // Most commands (`echo`, `npm ci`, `docker build`) neither write definitions, push,
            // ask the registry nor assign a variable those use: they need no shell reading.
            guard needed[index], let result = spec.commands[index].withTextBytes(CommandReadings.reading(of:)) else {
                readings.append(nil)
                continue
            }
            let reading: CommandReading
            switch result {
            case .success(let kept): reading = kept
            case .failure(let error):
                readings.append(nil)
                if let text = spec.commands[index].text, Self.mentionsDefinitionsFile(text, matcher: matcher) {
                    diagnostics.append(
                        Diagnostic(
                            .error, rule: .unreadableShell, at: spec.commands[index].node.start,
                            "cannot read this command as POSIX shell (\(error.message)), and it mentions an image-definitions file",
                            fix: "fix the shell syntax, or guard the writer by hand"
                        )
                    )
                }
                continue
            }
            readings.append(reading)
            analyze(reading, command: index, environment: &environment)
        }
    }

    private mutating func analyze(_ reading: CommandReading, command index: Int, environment: inout VariableEnvironment) {
        var writerRanges: [Range<Int>] = []
        let shell = reading.shell, places = reading.places
        var found = places.map { ImageDefinitionsWriter.find(in: $0.pipeline, of: shell, matcher: matcher) }
        // A file written in parts (`printf '[{"name":"%s"' x > $F; printf ',"imageUri":...' >> $F`):
        // every pipeline of the command that writes a definitions writer's file writes it too.
        // Only a file that is one by the artifacts alone needs its name added.
        var parts = matcher
        for case let writer? in found {
            let target = ImageDefinitionsWriter.FileMatcher.bracedVariables(writer.file)
            if !ImageDefinitionsWriter.FileMatcher.hasDefinitionsName(target), !parts.extraNames.contains(target) {
                parts.extraNames.append(target)
            }
        }
        if parts.extraNames.count > matcher.extraNames.count {
            found = places.map { ImageDefinitionsWriter.find(in: $0.pipeline, of: shell, matcher: parts) }
        }
        for (placeIndex, (place, writer)) in zip(places, found).enumerated() {
            let point = Point(command: index, offset: place.pipeline.range.lowerBound)
            // Writers first: `X=$(...) printf > f` reads the old environment.
            if !writerRanges.contains(where: { $0.contains(place.pipeline.range.lowerBound) }), let writer {
                writerRanges.append(place.pipeline.range)
                let pipelineText = shell.text(place.pipeline.range.lowerBound..<shell.extendedEnd(of: place.pipeline))
                let unterminated = place.pipeline.commands.flatMap(\.redirections).compactMap(\.hereDocument)
                    .map { shell.hereDocuments[$0] }.first { !$0.isTerminated }
                if let hereDocument = unterminated {
                    let folded = spec.commands[index].node.scalarStyle != .literal && !shell.text.contains(0x0A)
                    diagnostics.append(Diagnostic(
                        .error, rule: folded ? .hereDocumentFolded : .hereDocumentUnterminated, at: spec.commands[index].node.start,
                        folded
                            ? "the here-document that writes `\(writer.file)` has no body: YAML folds this plain multi-line command onto one line, so the JSON becomes arguments and the file is never written as intended"
                            : "the here-document that writes `\(writer.file)` never ends: no line holds just `\(hereDocument.delimiter)`, so the guard would have no place to close",
                        fix: folded ? "put the command in a `- |` block so its lines stay lines, then run again"
                            : "end the here-document with a line holding only `\(hereDocument.delimiter)`, then run again"
                    ))
                    continue
                }
                let guarded = place.deciders.contains { isQueryReference(shell.text($0)) }
                let unsafe = place.enclosing.first { [.caseClause, .forLoop, .whileLoop, .untilLoop, .functionDefinition].contains($0) }
                writers.append(
                    Writer(
                        command: index, place: place, writer: writer, isGuarded: guarded,
                        environment: environment, text: pipelineText,
                        unsafeContext: unsafe.map(Self.describe)
                    )
                )
            }
            for step in reading.steps[placeIndex] {
                for push in step.pushes {
                    pushes.append(Push(point: point, repository: ImageRepository.resolve(push.reference, in: environment)))
                }
                for var query in step.fileQueries {
                    query.point = point
                    queries.append(query)
                }
                for assignment in step.assignments {
                    if var query = assignment.query {
                        query.point = point
                        queries.append(query)
                    }
                    environment.assign(assignment.name, assignment.value)
                    assignments.append((assignment.name, point))
                }
            }
        }
    }

    /// The commands the analysis must read as shell, found by byte search: every command that
    /// may write definitions, push or query the registry, and every one that may assign a
    /// variable those name (or `--repository-name` names), and so on through the values
    /// assigned. Always a subset of the commands that `mayMatter`; nil when no command may
    /// write definitions (a writer needs a redirection or `tee`, so it `mayMatter`).
    static func commandsToRead(_ spec: Buildspec, matcher: ImageDefinitionsWriter.FileMatcher, variables: Set<String>) -> [Bool]? {
        // The texts' bytes where the tree holds them (every command is a node of the root's
        // tree): a string would be made, retained and freed for each, when most are only searched.
        spec.root.tree.bytes.withUnsafeBufferPointer { all in
            commandsToRead(spec.commands.map { $0.node.isScalar ? UnsafeBufferPointer(rebasing: all[$0.node.valueRange]) : nil },
                           matcher: matcher, variables: variables)
        }
    }

    private static func commandsToRead(_ texts: [UnsafeBufferPointer<UInt8>?], matcher: ImageDefinitionsWriter.FileMatcher, variables: Set<String>) -> [Bool]? {
        var needed = [Bool](repeating: false, count: texts.count)
        var mayWrite = false
        // The other commands that matter, each with the names it may assign: the name right
        // before a `=`. Most commands assign nothing, and most files have few that do.
        var assigners: [(index: Int, names: [Range<Int>])] = []
        for index in texts.indices {
            guard let text = texts[index] else { continue }
            let scan = scan(text, matcher: matcher)
            guard scan.mayMatter else { continue }
            // Only a command that matters can write (it has a redirection or `tee`).
            let namesDefinitions = matcher.mayNameDefinitions(text)
            mayWrite = mayWrite || namesDefinitions
            if namesDefinitions || scan.mayPushOrQuery {
                needed[index] = true
            } else {
                let names = namesBeforeEquals(in: text)
                if !names.isEmpty { assigners.append((index, names)) }
            }
        }
        guard mayWrite else { return nil }
        // An assigner is needed when a needed command mentions one of its names (or the
        // options name it); and then what it mentions counts too, and so on.
        var reading = texts.indices.filter { needed[$0] }
        if !variables.isEmpty {
            for position in assigners.indices {
                guard let text = texts[assigners[position].index] else { continue }
                if assigners[position].names.contains(where: { variables.contains(String(decoding: text[$0], as: UTF8.self)) }) {
                    needed[assigners[position].index] = true
                    reading.append(assigners[position].index)
                }
            }
        }
        while let index = reading.popLast(), !assigners.isEmpty {
            guard let bytes = texts[index] else { continue }
            for position in assigners.indices where !needed[assigners[position].index] {
                guard let assigned = texts[assigners[position].index] else { continue }
                let mentioned = assigners[position].names.contains { name in
                    VariableEnvironment.mentions(bytes, name: UnsafeBufferPointer(rebasing: assigned[name]))
                }
                if mentioned {
                    needed[assigners[position].index] = true
                    reading.append(assigners[position].index)
                }
            }
        }
        return needed
    }

    /// Whether a command can hold a redirection or `tee` (a writer), a push, an assignment or
    /// a registry query; anything else needs no shell reading.
    static func mayMatter(_ text: String, matcher: ImageDefinitionsWriter.FileMatcher) -> Bool {
        scan(text, matcher: matcher).mayMatter
    }

    /// One pass over a command's bytes: whether it may matter at all (`>`, `=`, `push`, `tee`,
    /// `ecr`), and whether it may push or query the registry (`push`, `type=registry` as in
    /// `--output=type=registry`, `list-images`, `describe-images`).
    static func scan(_ text: String, matcher: ImageDefinitionsWriter.FileMatcher) -> (mayMatter: Bool, mayPushOrQuery: Bool) {
        var text = text
        return text.withUTF8 { scan($0, matcher: matcher) }
    }

    /// `scan(_:matcher:)` of UTF-8 bytes.
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, matcher: ImageDefinitionsWriter.FileMatcher) -> (mayMatter: Bool, mayPushOrQuery: Bool) {
        if !matcher.extraNames.isEmpty { return (true, true) }
        guard let base = bytes.baseAddress else { return (false, false) }
        let raw = UnsafeRawPointer(base)
        return scanPairs.withUnsafeBufferPointer { pairs in
            // Two bytes at a time (see `scanPairs`), read as one 16-bit word, two words a round;
            // about one pair in twenty needs a closer look, at the bytes a word holding it may
            // start at.
            var mayMatter = false
            /// Whether a word at the pair at `index` pushes or queries; one that only matters
            /// sets `mayMatter`.
            func pushesOrQueries(at index: Int) -> Bool {
                // The word may start a byte before the pair, at it, or (`>`, `=`) after it.
                if index > 0, let word = scanWord(at: index - 1, in: bytes) {
                    if word == .pushOrQuery { return true }
                    mayMatter = true
                }
                for start in index...(index + 1) {
                    switch scanWord(at: start, in: bytes) {
                    case .pushOrQuery: return true
                    case .matters: mayMatter = true
                    case nil: continue
                    }
                }
                return false
            }
            func isMarked(_ index: Int) -> Bool {
                pairs[Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt16.self)))]
            }
            var index = 0
            // `&+`: an index below the count cannot overflow, and the checks cost as much
            // as the lookup.
            while index &+ 3 < bytes.count {
                if isMarked(index), pushesOrQueries(at: index) { return (true, true) }
                if isMarked(index &+ 2), pushesOrQueries(at: index &+ 2) { return (true, true) }
                index &+= 4
            }
            if index &+ 1 < bytes.count {
                if isMarked(index), pushesOrQueries(at: index) { return (true, true) }
                index &+= 2
            }
            // An odd last byte is in no pair: only `>` or `=` can stand there alone.
            if index < bytes.count, let word = scanWord(at: index, in: bytes) { return (true, word == .pushOrQuery) }
            return (mayMatter, false)
        }
    }

    private enum ScanWord { case matters, pushOrQuery }

    /// What the word of `scan` starting at `index` says, if one does.
    private static func scanWord(at index: Int, in bytes: UnsafeBufferPointer<UInt8>) -> ScanWord? {
        func follows(_ word: StaticString) -> Bool {
            index + word.utf8CodeUnitCount <= bytes.count && memcmp(bytes.baseAddress! + index, word.utf8Start, word.utf8CodeUnitCount) == 0
        }
        switch bytes[index] {
        case UInt8(ascii: ">"), UInt8(ascii: "="): return .matters
        case UInt8(ascii: "p") where follows("push"): return .pushOrQuery
        case UInt8(ascii: "l") where follows("list-images"): return .pushOrQuery
        case UInt8(ascii: "d") where follows("describe-images"): return .pushOrQuery
        case UInt8(ascii: "t") where follows("type=registry"): return .pushOrQuery
        case UInt8(ascii: "t") where follows("tee"): return .matters
        case UInt8(ascii: "e") where follows("ecr"): return .matters
        default: return nil
        }
    }

    /// The byte pairs `scan` looks closer at, by `first | second << 8` (the two bytes read as a
    /// little-endian 16-bit word): every pair holding a `>` or `=`, and the first and the
    /// second two bytes of each word it looks for. Each word
    /// is three bytes or more, so one of those two pairs starts at an even offset: reading the
    /// pairs at even offsets finds every word.
    private static let scanPairs: [Bool] = {
        var pairs = [Bool](repeating: false, count: 1 << 16)
        for anchor in ">=".utf8 {
            for other in 0...255 {
                pairs[Int(anchor) | other << 8] = true
                pairs[other | Int(anchor) << 8] = true
            }
        }
        for word in ["push", "list-images", "describe-images", "type=registry", "tee", "ecr"] {
            let bytes = Array(word.utf8)
            pairs[Int(bytes[0]) | Int(bytes[1]) << 8] = true
            pairs[Int(bytes[1]) | Int(bytes[2]) << 8] = true
        }
        return pairs
    }()

    /// Where the shell names standing right before a `=` are (`NAME=value`, `export NAME=value`)
    /// in a text's bytes: the variables a command may assign, compared as bytes, not Strings.
    static func namesBeforeEquals(in bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var names: [Range<Int>] = []
        guard let base = bytes.baseAddress else { return names }
        // `memchr` from one `=` to the next: most bytes are none.
        var from = 0
        while from < bytes.count, let hit = memchr(base + from, Int32(UInt8(ascii: "=")), bytes.count - from) {
            let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            from = index + 1
            var start = index
            while start > 0, VariableEnvironment.isNameByte(bytes[start - 1], first: false) { start -= 1 }
            guard start < index, VariableEnvironment.isNameByte(bytes[start], first: true) else { continue }
            names.append(start..<index)
        }
        return names
    }

    /// Whether a condition asks the registry: it runs a query, reads a variable a query
    /// assigned, or reads a file a query wrote.
    func isQueryReference(_ text: String) -> Bool {
        if RegistryQuery.isQuery(text) { return true }
        // A condition reads a few names: searched in an array, not hashed into a set.
        let names = VariableEnvironment.variableNames(in: text)
        return queries.contains { query in
            if let variable = query.variable, names.contains(variable) { return true }
            if let file = query.file, text.containsBytes(file) { return true }
            return false
        }
    }

    static func mentionsDefinitionsFile(_ text: String, matcher: ImageDefinitionsWriter.FileMatcher) -> Bool {
        mentionsDefinitionsFile(text, extraNames: matcher.extraNames)
    }

    /// Whether a word of the text (split at blanks, operators and quotes) is a definitions
    /// file's name or one of `extraNames`.
    static func mentionsDefinitionsFile(_ text: String, extraNames: [String]) -> Bool {
        // A definitions name in any case holds `image...definition` or `image...detail`.
        if extraNames.isEmpty, !ImageDefinitionsWriter.FileMatcher.mayNameDefinitionsFile(text) { return false }
        func isWord(_ word: String) -> Bool { ImageDefinitionsWriter.FileMatcher.hasDefinitionsName(word) || extraNames.contains(word) }
        // In ASCII text without a carriage return every byte is a character (CR LF is one, and
        // so is a separator with a combining mark after it): the words split byte by byte.
        guard text.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x0D }) else {
            return text.split { wordSeparatorCharacters.contains($0) }.map(String.init).contains(where: isWord)
        }
        var text = text
        return text.withUTF8 { bytes in
            var start = 0
            for index in 0...bytes.count where index == bytes.count || wordSeparators[Int(bytes[index])] {
                if index > start, isWord(String(decoding: bytes[start..<index], as: UTF8.self)) { return true }
                start = index + 1
            }
            return false
        }
    }

    /// What ends a word for `mentionsDefinitionsFile`: blanks, operators and quotes.
    private static let wordSeparatorCharacters = " \t\n;&|<>()'\"`"
    private static let wordSeparators: [Bool] = (0...255).map { wordSeparatorCharacters.utf8.contains(UInt8($0)) }

    static func describe(_ kind: ShellCommand.Kind) -> String {
        switch kind {
        case .caseClause: "a `case`"
        case .forLoop: "a `for` loop"
        case .whileLoop: "a `while` loop"
        case .untilLoop: "an `until` loop"
        case .functionDefinition: "a function"
        case .ifClause: "an `if`"
        case .braceGroup: "a `{ }` group"
        case .subshell: "a `( )` subshell"
        case .simple: "a command"
        }
    }
}
