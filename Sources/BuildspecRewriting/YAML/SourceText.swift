/// The bytes of one input file, with the positions a diagnostic needs.
///
/// libyaml reports marks in characters (Unicode scalars) after a skipped UTF-8 byte-order mark;
/// everything in this package works on byte offsets into `bytes`, so `SourceText` converts.
public struct SourceText: Sendable {
    public let bytes: [UInt8]
    /// 3 when the file starts with a UTF-8 byte-order mark, else 0.
    public let bomLength: Int
    /// True when no byte is above 0x7F after the byte-order mark: characters are bytes.
    let isASCII: Bool
    private let lineStarts: [Int]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        bomLength = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var ascii = true
        var starts = [0]
        for index in bytes.indices {
            let byte = bytes[index]
            if byte >= 0x80, index >= bomLength { ascii = false }
            if byte == 0x0A {
                starts.append(index + 1)
            } else if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] != 0x0A {
                starts.append(index + 1)
            }
        }
        isASCII = ascii
        lineStarts = starts
    }

    /// The line ending new lines should use: the file's first one, LF when it has none.
    public var lineEnding: String {
        guard let lf = bytes.firstIndex(of: 0x0A) else { return "\n" }
        return lf > 0 && bytes[lf - 1] == 0x0D ? "\r\n" : "\n"
    }

    /// 1-based line and column (in characters) of a byte offset.
    public func position(ofByte offset: Int) -> SourcePosition {
        let clamped = min(max(offset, 0), bytes.count)
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if lineStarts[middle] <= clamped { low = middle } else { high = middle - 1 }
        }
        let lineStart = lineStarts[low]
        var column = 1
        var index = lineStart == 0 ? bomLength : lineStart
        while index < clamped {
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return SourcePosition(offset: clamped, line: low + 1, column: column)
    }

    /// Byte offset where the line holding `offset` starts.
    public func lineStart(ofByte offset: Int) -> Int {
        var index = min(offset, bytes.count)
        while index > 0, bytes[index - 1] != 0x0A, bytes[index - 1] != 0x0D { index -= 1 }
        return index
    }

    /// Byte offset of the line break that ends the line holding `offset` (or the end of the file).
    public func lineEnd(ofByte offset: Int) -> Int {
        var index = offset
        while index < bytes.count, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
        return index
    }

    /// Offset just past the line break at `offset` (which must be a line end).
    func afterLineBreak(_ offset: Int) -> Int {
        guard offset < bytes.count else { return offset }
        if bytes[offset] == 0x0D, offset + 1 < bytes.count, bytes[offset + 1] == 0x0A { return offset + 2 }
        return offset + 1
    }

    public func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }
}

/// Converts libyaml's character indexes to byte offsets, walking from the last answer so that
/// the mostly increasing marks of one parse cost linear time in all.
struct CharacterOffsetCursor {
    private let source: SourceText
    private var character = 0
    private var byte: Int

    init(_ source: SourceText) {
        self.source = source
        byte = source.bomLength
    }

    mutating func byteOffset(ofCharacter target: Int) -> Int {
        if source.isASCII { return min(source.bomLength + target, source.bytes.count) }
        let bytes = source.bytes
        while character < target, byte < bytes.count {
            byte += 1
            while byte < bytes.count, bytes[byte] & 0xC0 == 0x80 { byte += 1 }
            character += 1
        }
        while character > target, byte > source.bomLength {
            byte -= 1
            while byte > source.bomLength, bytes[byte] & 0xC0 == 0x80 { byte -= 1 }
            character -= 1
        }
        return byte
    }
}
