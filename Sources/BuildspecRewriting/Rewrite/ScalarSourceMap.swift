/// Maps each byte of a scalar's value back to the source byte it came from, so that text
/// can be inserted into the value by editing the source in place.
///
/// Built by re-reading the scalar's source the way YAML folds and unescapes it; the result
/// is checked against libyaml's value, and a scalar it cannot follow gives `nil`.
struct ScalarSourceMap {
    /// `offsets[i]` is the source offset of value byte `i`; the last entry is where the
    /// value's text ends in the source.
    let offsets: [Int]
    let style: YAMLNode.ScalarStyle
    /// For block scalars: the spaces in front of each content line.
    let blockIndent: Int

    init?(node: YAMLNode, source: SourceText) {
        guard let style = node.scalarStyle else { return nil }
        self.style = style
        let bytes = source.bytes
        var value: [UInt8] = []
        var offsets: [Int] = []
        var indent = 0
        switch style {
        case .plain:
            Self.fold(bytes, node.range.lowerBound..<node.range.upperBound, quoted: nil, into: &value, offsets: &offsets)
        case .singleQuoted, .doubleQuoted:
            guard node.range.count >= 2 else { return nil }
            Self.fold(bytes, (node.range.lowerBound + 1)..<(node.range.upperBound - 1),
                      quoted: style == .singleQuoted ? UInt8(ascii: "'") : UInt8(ascii: "\""), into: &value, offsets: &offsets)
        case .literal:
            guard let block = Self.literal(bytes, node.range, into: &value, offsets: &offsets) else { return nil }
            indent = block
        case .folded:
            return nil
        }
        guard node.hasValueBytes(value) else { return nil }
        self.offsets = offsets
        blockIndent = indent
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
    private static func isBreak(_ byte: UInt8) -> Bool { byte == 0x0A || byte == 0x0D }

    /// Flow scalars: line folding, and for quoted ones their escapes.
    private static func fold(_ bytes: [UInt8], _ range: Range<Int>, quoted quote: UInt8?, into value: inout [UInt8], offsets: inout [Int]) {
        var position = range.lowerBound
        var first = true
        var emptyLines = 0
        var breakOffset = range.lowerBound
        var escapedBreak = false
        while position <= range.upperBound {
            var lineEnd = position
            while lineEnd < range.upperBound, !isBreak(bytes[lineEnd]) { lineEnd += 1 }
            var contentStart = position
            if !first { while contentStart < lineEnd, isBlank(bytes[contentStart]) { contentStart += 1 } }
            var contentEnd = lineEnd
            let isLast = lineEnd >= range.upperBound
            if quote == nil || !isLast { while contentEnd > contentStart, isBlank(bytes[contentEnd - 1]) { contentEnd -= 1 } }
            if !first, contentStart == contentEnd, !isLast {
                emptyLines += 1
            } else {
                if !first, !escapedBreak {
                    if emptyLines == 0 {
                        value.append(0x20); offsets.append(breakOffset)
                    } else {
                        for _ in 0..<emptyLines { value.append(0x0A); offsets.append(breakOffset) }
                    }
                } else if escapedBreak, emptyLines > 0 {
                    for _ in 0..<emptyLines { value.append(0x0A); offsets.append(breakOffset) }
                }
                emptyLines = 0
                escapedBreak = false
                var index = contentStart
                while index < contentEnd {
                    let byte = bytes[index]
                    if quote == UInt8(ascii: "'"), byte == UInt8(ascii: "'"), index + 1 < contentEnd, bytes[index + 1] == UInt8(ascii: "'") {
                        value.append(byte); offsets.append(index); index += 2
                    } else if quote == UInt8(ascii: "\""), byte == UInt8(ascii: "\\") {
                        if index + 1 >= contentEnd {
                            // `\` at the end of a line: the break is escaped, no space.
                            escapedBreak = true
                            index += 1
                            continue
                        }
                        let (decoded, length) = unescape(bytes, at: index + 1)
                        for byte in decoded { value.append(byte); offsets.append(index) }
                        index += 1 + length
                    } else {
                        value.append(byte); offsets.append(index); index += 1
                    }
                }
                breakOffset = contentEnd
            }
            first = false
            if isLast { break }
            position = lineEnd
            if position < range.upperBound, bytes[position] == 0x0D { position += 1 }
            if position < range.upperBound, bytes[position] == 0x0A { position += 1 }
        }
        offsets.append(breakOffset)
    }

    private static func unescape(_ bytes: [UInt8], at index: Int) -> ([UInt8], Int) {
        guard index < bytes.count else { return ([], 0) }
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "0"): 0, UInt8(ascii: "a"): 7, UInt8(ascii: "b"): 8, UInt8(ascii: "t"): 9, 0x09: 9,
            UInt8(ascii: "n"): 10, UInt8(ascii: "v"): 11, UInt8(ascii: "f"): 12, UInt8(ascii: "r"): 13,
            UInt8(ascii: "e"): 27, 0x20: 0x20, UInt8(ascii: "\""): UInt8(ascii: "\""), UInt8(ascii: "/"): UInt8(ascii: "/"),
            UInt8(ascii: "\\"): UInt8(ascii: "\\"),
        ]
        let byte = bytes[index]
        if let decoded = simple[byte] { return ([decoded], 1) }
        let digits: Int = switch byte {
        case UInt8(ascii: "x"): 2
        case UInt8(ascii: "u"): 4
        case UInt8(ascii: "U"): 8
        default: 0
        }
        if digits > 0, index + digits < bytes.count,
           let code = UInt32(String(decoding: bytes[(index + 1)...(index + digits)], as: UTF8.self), radix: 16),
           let scalar = Unicode.Scalar(code)
        {
            return (Array(String(Character(scalar)).utf8), 1 + digits)
        }
        let named: [UInt8: String] = [UInt8(ascii: "N"): "\u{85}", UInt8(ascii: "_"): "\u{A0}", UInt8(ascii: "L"): "\u{2028}", UInt8(ascii: "P"): "\u{2029}"]
        if let text = named[byte] { return (Array(text.utf8), 1) }
        return ([byte], 1)
    }

    /// Literal block scalars (`|`, `|-`, `|+`); returns the content indentation.
    private static func literal(_ bytes: [UInt8], _ range: Range<Int>, into value: inout [UInt8], offsets: inout [Int]) -> Int? {
        var position = range.lowerBound + 1
        var chomp: UInt8?
        while position < range.upperBound, !isBreak(bytes[position]) {
            let byte = bytes[position]
            if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") { chomp = byte }
            if byte >= UInt8(ascii: "1"), byte <= UInt8(ascii: "9") { return nil }
            if byte == UInt8(ascii: "#") { break }
            position += 1
        }
        while position < range.upperBound, !isBreak(bytes[position]) { position += 1 }
        if position < range.upperBound, bytes[position] == 0x0D { position += 1 }
        if position < range.upperBound, bytes[position] == 0x0A { position += 1 }
        // Content indentation: the first line with text (leading empty lines may not be deeper).
        var indent: Int?
        var scan = position
        while scan < range.upperBound, indent == nil {
            var spaces = scan
            while spaces < range.upperBound, bytes[spaces] == 0x20 { spaces += 1 }
            if spaces < range.upperBound, !isBreak(bytes[spaces]) { indent = spaces - scan }
            while scan < range.upperBound, !isBreak(bytes[scan]) { scan += 1 }
            if scan < range.upperBound, bytes[scan] == 0x0D { scan += 1 }
            if scan < range.upperBound, bytes[scan] == 0x0A { scan += 1 }
        }
        guard let indent else { return 0 }
        var lineBreaks: [Int] = []
        while position < range.upperBound {
            var lineEnd = position
            while lineEnd < range.upperBound, !isBreak(bytes[lineEnd]) { lineEnd += 1 }
            let contentStart = min(position + indent, lineEnd)
            for index in contentStart..<lineEnd { value.append(bytes[index]); offsets.append(index) }
            if lineEnd < range.upperBound {
                value.append(0x0A); offsets.append(lineEnd)
                lineBreaks.append(lineEnd)
            }
            position = lineEnd
            if position < range.upperBound, bytes[position] == 0x0D { position += 1 }
            if position < range.upperBound, bytes[position] == 0x0A { position += 1 }
        }
        var end = offsets.last.map { $0 + 1 } ?? range.upperBound
        switch chomp {
        case UInt8(ascii: "+"):
            end = range.upperBound
        case UInt8(ascii: "-"):
            while value.last == 0x0A { value.removeLast(); offsets.removeLast() }
            end = offsets.last.map { $0 + 1 } ?? range.upperBound
        default:
            while value.count >= 2, value[value.count - 1] == 0x0A, value[value.count - 2] == 0x0A {
                value.removeLast(); offsets.removeLast()
            }
            end = offsets.last.map { value.last == 0x0A ? $0 : $0 + 1 } ?? range.upperBound
        }
        offsets.append(end)
        return indent
    }

    /// The source offset of a value offset.
    func source(_ valueOffset: Int) -> Int { offsets[min(valueOffset, offsets.count - 1)] }
}
