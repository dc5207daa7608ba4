/// Replaces a byte range of the original text; an empty range inserts.
public struct TextEdit: Sendable, Equatable {
    public var range: Range<Int>
    public var replacement: String

    /// Applies edits to `bytes`; edits at the same offset keep the order they were made in.
    /// Nil when two overlap.
    static func apply(_ edits: [TextEdit], to bytes: [UInt8]) -> [UInt8]? {
        ByteEdit.apply(edits.map { ByteEdit(range: $0.range, bytes: Array($0.replacement.utf8)) }, to: bytes)
    }
}
