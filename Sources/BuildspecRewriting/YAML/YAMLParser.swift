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

/// Turns the event stream into one `YAMLTree`, with explicit stacks instead of recursion.
private struct TreeBuilder {
    let source: SourceText
    var cursor: CharacterOffsetCursor
    var entries: [YAMLTree.Entry] = []
    var children: [Int] = []
    var bytes: [UInt8] = []
    /// The open collections, innermost last, each with where its children start in `pending`.
    var open: [(entry: Int, firstChild: Int)] = []
    /// The children of the open collections so far, the innermost's last.
    var pending: [Int] = []
    var root: Int?
    var documentCount = 0
    /// No stored byte is above 0x7F: an ASCII file's values are, but for escapes.
    var isASCII: Bool

    init(source: SourceText) {
        self.source = source
        cursor = CharacterOffsetCursor(source)
        isASCII = source.isASCII
        // Room for the whole tree at once, not grown 1, 2, 4...: the file's bytes, then values
        // mostly shorter than their text; buildspecs hold about a node per 30 bytes.
        bytes.reserveCapacity(2 * source.bytes.count)
        // The file's bytes come first: a plain scalar that is its own text (most keys and
        // one-line values) is a range of them rather than a copy.
        bytes.append(contentsOf: source.bytes)
        entries.reserveCapacity(source.bytes.count / 16 + 16)
        children.reserveCapacity(source.bytes.count / 16 + 16)
        open.reserveCapacity(16)
        pending.reserveCapacity(64)
    }

    mutating func take(_ event: yaml_event_t) throws(YAMLError) {
        let start = cursor.byteOffset(ofCharacter: Int(event.start_mark.index))
        let end = cursor.byteOffset(ofCharacter: Int(event.end_mark.index))
        // libyaml counts lines and columns from 0, columns in characters.
        let line = Int(event.start_mark.line) + 1, column = Int(event.start_mark.column) + 1
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
            let style: YAMLNode.ScalarStyle = switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: .literal
            case YAML_FOLDED_SCALAR_STYLE: .folded
            default: .plain
            }
            let value = if style == .plain, isFileText(scalar.value, length: scalar.length, at: start..<end) {
                start..<end
            } else {
                // Escapes (`\u00e9`) give a double-quoted scalar other bytes than the file's.
                store(scalar.value, length: scalar.length, isFileText: style != .doubleQuoted) ?? 0..<0
            }
            add(YAMLTree.Entry(
                kind: .scalar, scalarStyle: style, isFlow: false, range: start..<end, line: line, column: column, value: value,
                children: 0..<0, subtreeEnd: entries.count + 1, anchor: store(scalar.anchor, isFileText: true), tag: store(scalar.tag)
            ))
        case YAML_ALIAS_EVENT:
            let value = store(event.data.alias.anchor, isFileText: true) ?? 0..<0
            add(YAMLTree.Entry(
                kind: .alias, scalarStyle: nil, isFlow: false, range: start..<end, line: line, column: column, value: value,
                children: 0..<0, subtreeEnd: entries.count + 1, anchor: nil, tag: nil
            ))
        case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
            if open.count >= YAMLParser.maximumDepth {
                throw YAMLError(
                    message: "nesting is deeper than \(YAMLParser.maximumDepth) levels; no buildspec needs that",
                    position: source.position(ofByte: start)
                )
            }
            let isSequence = event.type == YAML_SEQUENCE_START_EVENT
            let anchor = store(isSequence ? event.data.sequence_start.anchor : event.data.mapping_start.anchor, isFileText: true)
            let tag = store(isSequence ? event.data.sequence_start.tag : event.data.mapping_start.tag)
            let isFlow = isSequence
                ? event.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE
                : event.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
            add(YAMLTree.Entry(
                kind: isSequence ? .sequence : .mapping, scalarStyle: nil, isFlow: isFlow, range: start..<start, line: line,
                column: column, value: 0..<0, children: 0..<0, subtreeEnd: 0, anchor: anchor, tag: tag
            ))
            open.append((entries.count - 1, pending.count))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            let (index, firstChild) = open.removeLast()
            let slots = children.count..<(children.count + pending.count - firstChild)
            for slot in firstChild..<pending.count { children.append(pending[slot]) }
            while pending.count > firstChild { pending.removeLast() }
            // An END mark may sit at the next token, lines later: the node ends where its
            // last child ends (or, for flow collections, after the closing bracket).
            let lowerBound = entries[index].range.lowerBound
            let childEnd = slots.isEmpty ? lowerBound : entries[children[slots.upperBound - 1]].range.upperBound
            entries[index].range = lowerBound..<(entries[index].isFlow ? max(end, childEnd) : childEnd)
            entries[index].children = slots
            entries[index].subtreeEnd = entries.count
        default:
            break
        }
    }

    /// A node becomes its open collection's child, or the document's root.
    private mutating func add(_ entry: YAMLTree.Entry) {
        if open.isEmpty {
            if root == nil { root = entries.count }
        } else {
            pending.append(entries.count)
        }
        entries.append(entry)
    }

    func finish() throws(YAMLError) -> YAMLNode {
        guard let root else {
            throw YAMLError(message: "the file holds no YAML document (it is empty or only comments)", position: nil)
        }
        return YAMLNode(tree: YAMLTree(entries: entries, children: children, bytes: bytes, isASCII: isASCII), index: root)
    }

    /// Whether libyaml's value is the file's bytes at `range`, which come first in `bytes`.
    private func isFileText(_ pointer: UnsafeMutablePointer<UInt8>?, length: Int, at range: Range<Int>) -> Bool {
        guard let pointer, length > 0, length == range.count, range.upperBound <= source.bytes.count else { return false }
        return bytes.withUnsafeBufferPointer { memcmp($0.baseAddress! + range.lowerBound, pointer, length) == 0 }
    }

    /// Copies libyaml's bytes into `bytes`: their range there, `nil` for no pointer.
    /// `isFileText`: the bytes are the file's own, so ASCII when it is; a tag's `%C3%A9`
    /// escapes and a double-quoted scalar's are not.
    @inline(__always)
    private mutating func store(_ pointer: UnsafeMutablePointer<UInt8>?, length: Int? = nil, isFileText: Bool = false) -> Range<Int>? {
        // Most nodes have no anchor and no tag: no call for those.
        guard let pointer else { return nil }
        return copy(pointer, length: length, isFileText: isFileText)
    }

    private mutating func copy(_ pointer: UnsafeMutablePointer<UInt8>, length: Int?, isFileText: Bool) -> Range<Int> {
        let count = length ?? strlen(UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
        let text = UnsafeBufferPointer(start: pointer, count: count)
        if isASCII, !isFileText { isASCII = YAMLTree.isASCII(text) }
        let start = bytes.count
        bytes.append(contentsOf: text)
        return start..<bytes.count
    }
}
