internal import CYAML

/// Reads a buildspec that cannot write image definitions in one pass over libyaml's events,
/// without building its tree: most files a `--check` run sees are such files, and for them the
/// tree, the model and the analysis would only find that there is nothing to report.
///
/// It answers only when the full pipeline would report nothing either: the file is one valid
/// YAML document, a mapping without duplicate keys, with a plain `version` CodeBuild knows and
/// `phases` a mapping (if there); no command is read as a mapping, none runs the old
/// `ecr get-login`, and none can name a definitions file. Anything else (an error, a warning, a
/// key it would have to compare as Unicode) is left to the full pipeline, which reads the file
/// again and says what is wrong.
enum BuildspecValidator {
    /// True when `source` is certainly a valid buildspec that writes no image definitions and
    /// draws no finding; false when the full pipeline must decide.
    static func isQuietWithoutWriter(_ source: SourceText) -> Bool {
        // A file whose bytes name no definitions file cannot hold a writer: the common case,
        // found without parsing. The others go to the full pipeline at once, parsed once.
        let namesDefinitions = source.bytes.withUnsafeBufferPointer { ImageDefinitionsWriter.FileMatcher.mayNameDefinitionsFile($0) }
        guard !namesDefinitions, (try? YAMLParser.checkEncoding(source)) != nil else { return false }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return false }
        defer { yaml_parser_delete(&parser) }
        return source.bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var reader = EventReader(mayRunGetLogin: ECRGetLogin.mayBeRun(in: source.bytes))
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else { return false }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return reader.isDone }
                guard reader.take(event) else { return false }
            }
        }
    }

    /// What a node is to the buildspec reader, from the keys above it.
    private enum Role {
        case root, version, phases, phase, finally, commands, command, other
    }

    private struct Frame {
        var isMapping: Bool
        var role: Role
        /// For a mapping: the next node is a key.
        var expectsKey = true
        /// For a mapping: the role of the value after the current key.
        var valueRole = Role.other
        /// Where this mapping's keys start in `keys`.
        var firstKey: Int
    }

    private struct EventReader {
        var stack: [Frame] = []
        /// The keys of the open mappings, innermost last, as ranges into `keyBytes`.
        var keys: [Range<Int>] = []
        var keyBytes: [UInt8] = []
        var documents = 0
        var sawRoot = false
        var sawVersion = false
        /// `ECRGetLogin.mayBeRun` of the file: when false, no command needs the search.
        let mayRunGetLogin: Bool

        init(mayRunGetLogin: Bool) {
            self.mayRunGetLogin = mayRunGetLogin
            stack.reserveCapacity(16)
            keys.reserveCapacity(64)
            keyBytes.reserveCapacity(1024)
        }

        var isDone: Bool { sawRoot && sawVersion && stack.isEmpty }

        /// False when the full pipeline must read the file.
        mutating func take(_ event: yaml_event_t) -> Bool {
            switch event.type {
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                return documents == 1
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                let value = UnsafeBufferPointer(start: scalar.value, count: scalar.length)
                if let top = stack.last, top.isMapping, top.expectsKey { return takeKey(value) }
                let isPlain = scalar.style == YAML_PLAIN_SCALAR_STYLE
                let isVerbatim = (isPlain || scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE) && event.start_mark.line == event.end_mark.line
                return takeScalar(value, isPlain: isPlain, isVerbatim: isVerbatim)
            case YAML_ALIAS_EVENT:
                guard let top = stack.last, !(top.isMapping && top.expectsKey) else { return false }
                // The reader skips an alias wherever it stands, except as `version` or `phases`.
                let role = nodeRole()
                return role != .version && role != .phases
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                guard stack.count < YAMLParser.maximumDepth else { return false }
                let role: Role
                if stack.isEmpty {
                    guard isMapping, !sawRoot else { return false }
                    sawRoot = true
                    role = .root
                } else {
                    if stack[stack.count - 1].isMapping, stack[stack.count - 1].expectsKey { return false }
                    let place = nodeRole()
                    // A command written as a mapping (`- echo: x`) draws a warning.
                    guard place != .version, place != .phases || isMapping, place != .command || !isMapping else { return false }
                    role = collectionRole(place, isMapping: isMapping)
                }
                stack.append(Frame(isMapping: isMapping, role: role, firstKey: keys.count))
                return true
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                let frame = stack.removeLast()
                if frame.isMapping {
                    if frame.firstKey < keys.count { keyBytes.removeSubrange(keys[frame.firstKey].lowerBound...) }
                    keys.removeSubrange(frame.firstKey...)
                }
                return true
            default:
                return true
            }
        }

        /// The role of the node that stands next, and the parent's state moved past it.
        private mutating func nodeRole() -> Role {
            let top = stack.count - 1
            if stack[top].isMapping {
                stack[top].expectsKey = true
                return stack[top].valueRole
            }
            return stack[top].role == .commands ? .command : .other
        }

        /// What a collection in a place is: a phase or `finally` only as a mapping, a command
        /// list only as a sequence.
        private func collectionRole(_ role: Role, isMapping: Bool) -> Role {
            switch role {
            case .root, .other, .command: .other
            case .version, .phases: role
            case .phase: isMapping ? .phase : .other
            case .finally: isMapping ? .finally : .commands
            case .commands: isMapping ? .other : .commands
            }
        }

        private mutating func takeKey(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
            let top = stack.count - 1
            // Keys are compared as bytes, which only ASCII makes the same as the reader's
            // comparison of strings.
            guard !key.contains(where: { $0 >= 0x80 }) else { return false }
            for index in stack[top].firstKey..<keys.count where keyBytes.withUnsafeBufferPointer({ UnsafeBufferPointer(rebasing: $0[keys[index]]).hasSameBytes(as: key) }) {
                return false
            }
            keys.append(keyBytes.count..<(keyBytes.count + key.count))
            keyBytes.append(contentsOf: key)
            stack[top].expectsKey = false
            stack[top].valueRole = switch stack[top].role {
            case .root: Self.equal(key, Self.version) ? .version : Self.equal(key, Self.phases) ? .phases : .other
            case .phases: Self.phaseNames.contains { Self.equal(key, $0) } ? .phase : .other
            case .phase: Self.equal(key, Self.commands) ? .commands : Self.equal(key, Self.finally) ? .finally : .other
            case .finally: Self.equal(key, Self.commands) ? .commands : .other
            case .version, .commands, .command, .other: .other
            }
            return true
        }

        private static func equal(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: [UInt8]) -> Bool {
            rhs.withUnsafeBufferPointer { lhs.hasSameBytes(as: $0) }
        }

        private static let version = Array("version".utf8), phases = Array("phases".utf8)
        private static let commands = Array("commands".utf8), finally = Array("finally".utf8)
        private static let phaseNames = Buildspec.phaseNames.map { Array($0.utf8) }

        /// `isVerbatim`: the value is its source's bytes but for quotes (one line, plain or in
        /// single quotes).
        private mutating func takeScalar(_ value: UnsafeBufferPointer<UInt8>, isPlain: Bool, isVerbatim: Bool) -> Bool {
            guard !stack.isEmpty else { return false }
            switch nodeRole() {
            case .version:
                guard isPlain, value.elementsEqual("0.1".utf8) || value.elementsEqual("0.2".utf8) else { return false }
                sawVersion = true
                return true
            case .phases:
                return false
            case .commands, .finally:
                // A list written as one scalar: one command, unless it is empty.
                if isPlain, value.isEmpty || value.elementsEqual("~".utf8) || value.elementsEqual("null".utf8) { return true }
                return isQuietCommand(value, isVerbatim: isVerbatim)
            case .command:
                return isQuietCommand(value, isVerbatim: isVerbatim)
            case .root, .phase, .other:
                return true
            }
        }

        /// A command that can write no definitions and draws no `ecr get-login` warning. A
        /// verbatim one needs no search for a definitions file's name: the search of the whole
        /// file found none, and the quotes it lacks are what the search skips anyway.
        private func isQuietCommand(_ text: UnsafeBufferPointer<UInt8>, isVerbatim: Bool) -> Bool {
            if !isVerbatim, ImageDefinitionsWriter.FileMatcher.mayNameDefinitionsFile(text) { return false }
            return !mayRunGetLogin || !ECRGetLogin.isRun(in: text)
        }
    }
}
