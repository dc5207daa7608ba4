/// A JSON document read into a located tree: each value keeps its byte range, and each
/// string can say which source byte every byte of its value came from. CloudFormation JSON
/// templates need nothing more (no numbers' values, no streaming).
struct JSONValue: Sendable {
    enum Kind: Sendable, Equatable { case object, array, string, number, literal }

    var kind: Kind
    /// A string's decoded value; a number's or literal's text.
    var text: String
    /// Array items, or object keys (strings) and values alternating.
    var children: [JSONValue]
    /// Bytes in the source, quotes included.
    var range: Range<Int>

    var pairs: [(key: JSONValue, value: JSONValue)] {
        guard kind == .object else { return [] }
        return stride(from: 0, to: children.count - 1, by: 2).map { (children[$0], children[$0 + 1]) }
    }

    /// The value of the first key `key`, without building `pairs`.
    subscript(key: String) -> JSONValue? {
        guard kind == .object else { return nil }
        var index = 0
        while index + 1 < children.count {
            if children[index].text == key { return children[index + 1] }
            index += 2
        }
        return nil
    }
}

/// Why a file is not JSON, with the byte where reading stopped.
struct JSONError: Error, Sendable {
    var message: String
    var offset: Int
}

enum JSONDocument {
    static let maximumDepth = 500

    /// Parses one JSON value filling the whole file (after a UTF-8 byte-order mark).
    static func parse(_ source: SourceText) throws(JSONError) -> JSONValue {
        var reader = Reader(bytes: source.bytes)
        reader.index = source.bomLength
        let value = try reader.value(depth: 0)
        reader.skipBlanks()
        guard reader.index == source.bytes.count else { throw JSONError(message: "text after the JSON value", offset: reader.index) }
        return value
    }

    /// The decoded bytes of the string literal at `range` (quotes included), each with the
    /// source offset it came from, and one more entry: the offset of the closing quote.
    static func decodedString(_ bytes: [UInt8], _ range: Range<Int>) -> (bytes: [UInt8], sources: [Int])? {
        var reader = Reader(bytes: bytes)
        reader.index = range.lowerBound
        var sources: [Int]? = []
        guard let decoded = try? reader.string(sources: &sources), var sources else { return nil }
        sources.append(range.upperBound - 1)
        return (decoded, sources)
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        mutating func skipBlanks() {
            while index < bytes.count, Self.isBlank(bytes[index]) { index += 1 }
        }

        // Switches, not `[...].contains`: these run for every byte of a template.
        private static func isBlank(_ byte: UInt8) -> Bool {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D: true
            default: false
            }
        }

        func fail(_ message: String) -> JSONError { JSONError(message: message, offset: index) }

        mutating func value(depth: Int) throws(JSONError) -> JSONValue {
            guard depth < JSONDocument.maximumDepth else { throw fail("nesting is too deep") }
            skipBlanks()
            guard index < bytes.count else { throw fail("the JSON ends early") }
            let start = index
            switch bytes[index] {
            case UInt8(ascii: "{"):
                index += 1
                var children: [JSONValue] = []
                skipBlanks()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    return JSONValue(kind: .object, text: "", children: [], range: start..<index)
                }
                while true {
                    skipBlanks()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a key in quotes") }
                    let keyStart = index
                    let key = try string()
                    children.append(JSONValue(kind: .string, text: String(decoding: key, as: UTF8.self), children: [], range: keyStart..<index))
                    skipBlanks()
                    guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected `:` after a key") }
                    index += 1
                    children.append(try value(depth: depth + 1))
                    skipBlanks()
                    guard index < bytes.count else { throw fail("the object is not closed") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "}") else { throw fail("expected `,` or `}`") }
                    index += 1
                    return JSONValue(kind: .object, text: "", children: children, range: start..<index)
                }
            case UInt8(ascii: "["):
                index += 1
                var children: [JSONValue] = []
                skipBlanks()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    return JSONValue(kind: .array, text: "", children: [], range: start..<index)
                }
                while true {
                    children.append(try value(depth: depth + 1))
                    skipBlanks()
                    guard index < bytes.count else { throw fail("the array is not closed") }
                    if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                    guard bytes[index] == UInt8(ascii: "]") else { throw fail("expected `,` or `]`") }
                    index += 1
                    return JSONValue(kind: .array, text: "", children: children, range: start..<index)
                }
            case UInt8(ascii: "\""):
                let decoded = try string()
                return JSONValue(kind: .string, text: String(decoding: decoded, as: UTF8.self), children: [], range: start..<index)
            default:
                while index < bytes.count, !Self.endsBareWord(bytes[index]) { index += 1 }
                let word = String(decoding: bytes[start..<index], as: UTF8.self)
                if ["true", "false", "null"].contains(word) {
                    return JSONValue(kind: .literal, text: word, children: [], range: start..<index)
                }
                guard let first = word.utf8.first, first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39),
                      word.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || [0x2B, 0x2D, 0x2E, 0x45, 0x65].contains($0) })
                else { index = start; throw fail("unexpected text") }
                return JSONValue(kind: .number, text: word, children: [], range: start..<index)
            }
        }

        private static func endsBareWord(_ byte: UInt8) -> Bool {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: ":"): true
            default: false
            }
        }

        /// Reads a string literal at `index` (its opening quote).
        mutating func string() throws(JSONError) -> [UInt8] {
            var none: [Int]?
            return try string(sources: &none)
        }

        /// Reads a string literal at `index` (its opening quote); `sources`, when there is an
        /// array, gets the source offset of every decoded byte.
        mutating func string(sources: inout [Int]?) throws(JSONError) -> [UInt8] {
            index += 1
            var result: [UInt8] = []
            while true {
                guard index < bytes.count else { throw fail("a string is not closed") }
                let byte = bytes[index]
                let start = index
                if byte == UInt8(ascii: "\"") { index += 1; return result }
                guard byte >= 0x20 else { throw fail("a control character inside a string (write it as an escape such as \\n)") }
                if byte != UInt8(ascii: "\\") {
                    // The run of plain bytes up to the next quote, escape or control byte at once.
                    var end = index + 1
                    while end < bytes.count, bytes[end] >= 0x20, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") { end += 1 }
                    result += bytes[start..<end]
                    sources?.append(contentsOf: start..<end)
                    index = end
                    continue
                }
                guard index + 1 < bytes.count else { throw fail("a string is not closed") }
                let escape = bytes[index + 1]
                index += 2
                let simple: UInt8? = switch escape {
                case UInt8(ascii: "\""): 0x22
                case UInt8(ascii: "\\"): 0x5C
                case UInt8(ascii: "/"): 0x2F
                case UInt8(ascii: "b"): 0x08
                case UInt8(ascii: "f"): 0x0C
                case UInt8(ascii: "n"): 0x0A
                case UInt8(ascii: "r"): 0x0D
                case UInt8(ascii: "t"): 0x09
                default: nil
                }
                if let simple {
                    result.append(simple)
                    sources?.append(start)
                    continue
                }
                guard escape == UInt8(ascii: "u") else { index = start; throw fail("an unknown escape in a string") }
                var scalar = try hex4()
                if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
                    index += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw fail("a broken surrogate pair") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw fail("a lone surrogate in a string") }
                for unit in String(Character(unicode)).utf8 {
                    result.append(unit)
                    sources?.append(start)
                }
            }
        }

        private mutating func hex4() throws(JSONError) -> UInt32 {
            guard index + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16) else {
                throw fail("a broken \\u escape")
            }
            index += 4
            return value
        }
    }
}
