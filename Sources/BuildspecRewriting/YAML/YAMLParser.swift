internal import CYAML

/// Reads one YAML document into a located tree, with libyaml's event API.
public enum YAMLParser {
    /// Deeper documents are refused: the tree and everything that walks it stay shallow.
    public static let maximumDepth = 500

    /// Parses `source`; a file must hold exactly one document.
    public static func parse(_ source: SourceText) throws(YAMLError) -> YAMLNode {
        try checkEncoding(source)
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError(message: "libyaml could not start (out of memory)", position: nil)
        }
        defer { yaml_parser_delete(&parser) }
        return try source.bytes.withUnsafeBufferPointer { buffer throws(YAMLError) -> YAMLNode in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var builder = TreeBuilder(source: source)
            while true {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    throw error(of: parser, in: source)
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                try builder.take(event)
            }
            return try builder.finish()
        }
    }

    static func checkEncoding(_ source: SourceText) throws(YAMLError) {
        let bytes = source.bytes
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            throw YAMLError(message: "the file is UTF-16; save it as UTF-8", position: nil)
        }
        let nul = bytes.withUnsafeBytes { buffer -> Int? in
            guard let base = buffer.baseAddress, let found = memchr(base, 0, buffer.count) else { return nil }
            return base.distance(to: UnsafeRawPointer(found))
        }
        if let nul {
            throw YAMLError(
                message: "the file holds a NUL byte, so it is not a text file", position: source.position(ofByte: nul)
            )
        }
        if source.isASCII || String(validating: bytes[source.bomLength...], as: UTF8.self) != nil { return }
        // Invalid: find where, for the message.
        var iterator = bytes[source.bomLength...].makeIterator()
        var decoder = UTF8()
        var offset = source.bomLength
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += scalar.value < 0x80 ? 1 : scalar.value < 0x800 ? 2 : scalar.value < 0x10000 ? 3 : 4
            case .emptyInput: return
            case .error:
                throw YAMLError(
                    message: "the file is not valid UTF-8 (Latin-1 or binary?); save it as UTF-8",
                    position: source.position(ofByte: offset)
                )
            }
        }
    }

    private static func error(of parser: yaml_parser_t, in source: SourceText) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        let context = parser.context.map { String(cString: $0) }
        let message = context.map { "\($0), \(problem)" } ?? problem
        if parser.error == YAML_READER_ERROR {
            return YAMLError(message: message, position: source.position(ofByte: parser.problem_offset))
        }
        var cursor = CharacterOffsetCursor(source)
        let offset = cursor.byteOffset(ofCharacter: Int(parser.problem_mark.index))
        return YAMLError(message: message, position: source.position(ofByte: offset))
    }
}

/// libyaml could not read the file, or it is not one YAML document.
public struct YAMLError: Error, Sendable, Equatable {
    public var message: String
    public var position: SourcePosition?
}

/// Turns the event stream into nodes, with an explicit stack instead of recursion.
private struct TreeBuilder {
    let source: SourceText
    var cursor: CharacterOffsetCursor
    var stack: [YAMLNode] = []
    var documents: [YAMLNode] = []
    var documentCount = 0

    init(source: SourceText) {
        self.source = source
        cursor = CharacterOffsetCursor(source)
        stack.reserveCapacity(16)
    }

    mutating func take(_ event: yaml_event_t) throws(YAMLError) {
        let start = cursor.byteOffset(ofCharacter: Int(event.start_mark.index))
        let end = cursor.byteOffset(ofCharacter: Int(event.end_mark.index))
        // libyaml counts lines and columns from 0, columns in characters.
        let position = SourcePosition(offset: start, line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documentCount += 1
            if documentCount > 1 {
                throw YAMLError(
                    message: "the file holds more than one YAML document (a second `---`); a buildspec is one document",
                    position: source.position(ofByte: start)
                )
            }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let value = string(scalar.value, length: scalar.length) ?? ""
            let style: YAMLNode.ScalarStyle = switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: .literal
            case YAML_FOLDED_SCALAR_STYLE: .folded
            default: .plain
            }
            let node = YAMLNode(
                kind: .scalar, scalarStyle: style, isFlow: false, value: value,
                anchor: string(scalar.anchor), tag: string(scalar.tag), children: [],
                range: start..<end, start: position
            )
            try add(node)
        case YAML_ALIAS_EVENT:
            let node = YAMLNode(
                kind: .alias, scalarStyle: nil, isFlow: false, value: string(event.data.alias.anchor) ?? "",
                anchor: nil, tag: nil, children: [], range: start..<end, start: position
            )
            try add(node)
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            if stack.count >= YAMLParser.maximumDepth {
                throw YAMLError(
                    message: "nesting is deeper than \(YAMLParser.maximumDepth) levels; no buildspec needs that",
                    position: source.position(ofByte: start)
                )
            }
            let isSequence = event.type == YAML_SEQUENCE_START_EVENT
            let anchor = isSequence ? string(event.data.sequence_start.anchor) : string(event.data.mapping_start.anchor)
            let tag = isSequence ? string(event.data.sequence_start.tag) : string(event.data.mapping_start.tag)
            let isFlow = isSequence
                ? event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                : event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
            stack.append(
                YAMLNode(
                    kind: isSequence ? .sequence : .mapping, scalarStyle: nil, isFlow: isFlow, value: "",
                    anchor: anchor, tag: tag, children: [], range: start..<start,
                    start: position
                )
            )
            // Room for a typical mapping at once, not grown 1, 2, 4, 8; eight nodes still fit
            // malloc's cache of small blocks, sixteen do not (callgrind: 4 M fewer instructions
            // than 16 over 2,000 files, 2 M fewer than 4).
            stack[stack.count - 1].children.reserveCapacity(8)
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            var node = stack.removeLast()
            // An END mark may sit at the next token, lines later: the node ends where its
            // last child ends (or, for flow collections, after the closing bracket).
            let childEnd = node.children.last?.range.upperBound ?? node.range.lowerBound
            node.range = node.range.lowerBound..<(node.isFlow ? max(end, childEnd) : childEnd)
            try add(node)
        default:
            break
        }
    }

    /// Takes the node over (no copy of its strings and children): this runs once per node.
    private mutating func add(_ node: consuming YAMLNode) throws(YAMLError) {
        if stack.isEmpty {
            documents.append(node)
        } else {
            stack[stack.count - 1].children.append(node)
        }
    }

    func finish() throws(YAMLError) -> YAMLNode {
        guard let document = documents.first else {
            throw YAMLError(message: "the file holds no YAML document (it is empty or only comments)", position: nil)
        }
        return document
    }

    private func string(_ pointer: UnsafeMutablePointer<UInt8>?, length: Int? = nil) -> String? {
        guard let pointer else { return nil }
        let count = length ?? strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
}
