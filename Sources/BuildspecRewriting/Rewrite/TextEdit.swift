/// Replaces a byte range of the original text; an empty range inserts.
public struct TextEdit: Sendable, Equatable {
    public var range: Range<Int>
    public var replacement: String

    /// Applies edits to `bytes`; edits at the same offset keep the order they were made in.
    static func apply(_ edits: [TextEdit], to bytes: [UInt8]) -> [UInt8]? {
        let ordered = edits.enumerated().sorted { ($0.element.range.lowerBound, $0.offset) < ($1.element.range.lowerBound, $1.offset) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + edits.reduce(0) { $0 + $1.replacement.utf8.count })
        var cursor = 0
        for (_, edit) in ordered {
            guard edit.range.lowerBound >= cursor, edit.range.upperBound <= bytes.count else { return nil }
            output += bytes[cursor..<edit.range.lowerBound]
            output += Array(edit.replacement.utf8)
            cursor = edit.range.upperBound
        }
        output += bytes[cursor...]
        return output
    }
}
