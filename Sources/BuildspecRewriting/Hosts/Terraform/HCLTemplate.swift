/// An HCL template (a heredoc's body, or a template file) cut into its parts: literal text,
/// `${...}` interpolations, `%{...}` directives, and the `$${` / `%%{` escapes of the literal
/// `${` / `%{` (Terraform language, "Strings and Templates").
struct HCLTemplate: Sendable {
    enum Part: Sendable, Equatable {
        /// Text that renders as itself.
        case literal(Range<Int>)
        /// `$${` or `%%{`: renders as `${` or `%{`.
        case escape(Range<Int>)
        /// `${ expression }`; `expression` without the braces, the `~` strip markers and spaces.
        case interpolation(Range<Int>, expression: String)
        /// `%{ keyword ... }`, such as `if`, `else`, `endif`, `for`, `endfor`.
        case directive(Range<Int>, keyword: String)

        var range: Range<Int> {
            switch self {
            case .literal(let range), .escape(let range), .interpolation(let range, _), .directive(let range, _): range
            }
        }
    }

    struct ScanError: Error, Sendable {
        var offset: Int
        var message: String
    }

    let parts: [Part]

    /// Scans `bytes[range]`; throws at a `${` or `%{` that never closes.
    init(_ bytes: [UInt8], in range: Range<Int>) throws(ScanError) {
        var parts: [Part] = []
        var literalStart = range.lowerBound
        var index = range.lowerBound
        func closeLiteral(at end: Int) {
            if end > literalStart { parts.append(.literal(literalStart..<end)) }
        }
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "$") || byte == UInt8(ascii: "%") else {
                index += 1
                continue
            }
            if index + 2 < range.upperBound, bytes[index + 1] == byte, bytes[index + 2] == UInt8(ascii: "{") {
                closeLiteral(at: index)
                parts.append(.escape(index..<index + 3))
                index += 3
                literalStart = index
                continue
            }
            guard index + 1 < range.upperBound, bytes[index + 1] == UInt8(ascii: "{") else {
                index += 1
                continue
            }
            guard let close = Self.closingBrace(bytes, from: index + 2, before: range.upperBound) else {
                throw ScanError(offset: index, message: "`\(byte == UInt8(ascii: "$") ? "${" : "%{")` never closes")
            }
            closeLiteral(at: index)
            let inner = Self.trimmed(bytes, index + 2..<close)
            let end = close + 1
            if byte == UInt8(ascii: "$") {
                parts.append(.interpolation(index..<end, expression: String(decoding: bytes[inner], as: UTF8.self)))
            } else {
                var keywordEnd = inner.lowerBound
                while keywordEnd < inner.upperBound, Self.isWordByte(bytes[keywordEnd]) { keywordEnd += 1 }
                parts.append(.directive(index..<end, keyword: String(decoding: bytes[inner.lowerBound..<keywordEnd], as: UTF8.self)))
            }
            index = end
            literalStart = end
        }
        closeLiteral(at: range.upperBound)
        self.parts = parts
    }

    /// The ranges between a `%{ if }` or `%{ for }` and the directive that closes it, outermost
    /// only: text there renders zero, one or many times.
    var conditionalRanges: [Range<Int>] {
        var ranges: [Range<Int>] = []
        var depth = 0
        var start = 0
        for part in parts {
            guard case .directive(let range, let keyword) = part else { continue }
            switch keyword {
            case "if", "for":
                if depth == 0 { start = range.lowerBound }
                depth += 1
            case "endif", "endfor":
                depth -= 1
                if depth == 0 { ranges.append(start..<range.upperBound) }
            default: break
            }
        }
        if depth > 0, let last = parts.last { ranges.append(start..<last.range.upperBound) }
        return ranges
    }

    /// The brace that closes an expression starting at `start`; quoted strings inside skipped.
    static func closingBrace(_ bytes: [UInt8], from start: Int, before end: Int) -> Int? {
        var depth = 1
        var inString = false
        var index = start
        while index < end {
            let byte = bytes[index]
            if inString {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") {
                depth += 1
            } else if byte == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        return nil
    }

    /// The range without the `~` strip markers and the spaces around them.
    private static func trimmed(_ bytes: [UInt8], _ range: Range<Int>) -> Range<Int> {
        var lower = range.lowerBound
        var upper = range.upperBound
        func isTrim(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
                || byte == UInt8(ascii: "~")
        }
        while lower < upper, isTrim(bytes[lower]) { lower += 1 }
        while upper > lower, isTrim(bytes[upper - 1]) { upper -= 1 }
        return lower..<upper
    }

    static func isWordByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
    }

    /// `${` -> `$${` and `%{` -> `%%{`: text that renders as itself inside a template.
    static func escape(_ text: String) -> String {
        var bytes: [UInt8] = []
        var previous: UInt8 = 0
        for byte in text.utf8 {
            if byte == UInt8(ascii: "{"), previous == UInt8(ascii: "$") || previous == UInt8(ascii: "%") { bytes.append(previous) }
            bytes.append(byte)
            previous = byte
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
