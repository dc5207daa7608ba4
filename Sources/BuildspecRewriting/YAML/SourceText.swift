#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

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

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        let bom = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        bomLength = bom
        isASCII = bytes.withUnsafeBufferPointer { Self.isASCII(UnsafeBufferPointer(rebasing: $0[bom...])) }
    }

    /// Eight bytes at a time: this runs over every input file.
    private static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= bytes.count {
            high |= raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            high |= UInt64(bytes[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    /// The line ending new lines should use: the file's first one, LF when it has none.
    public var lineEnding: String {
        guard let lf = bytes.firstIndex(of: 0x0A) else { return "\n" }
        return lf > 0 && bytes[lf - 1] == 0x0D ? "\r\n" : "\n"
    }

    /// 1-based line and column (in characters) of a byte offset. Counts from the start: it
    /// serves a few diagnostics and edits per file, so no table of line starts is kept.
    public func position(ofByte offset: Int) -> SourcePosition {
        let clamped = min(max(offset, 0), bytes.count)
        var line = 1
        var lineStart = 0
        forEachLineBreak(in: 0..<clamped) { index in
            line += 1
            lineStart = index + 1
        }
        var column = 1
        var index = lineStart == 0 ? bomLength : lineStart
        while index < clamped {
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return SourcePosition(offset: clamped, line: line, column: column)
    }

    /// 1-based line of a byte offset at or after a known position: counts only the lines between.
    func line(ofByte offset: Int, after known: SourcePosition) -> Int {
        var line = known.line
        forEachLineBreak(in: known.offset..<min(max(offset, known.offset), bytes.count)) { _ in line += 1 }
        return line
    }

    /// Calls `body` with the offset of each line break in `range`, in order. Without a carriage
    /// return there every break is a line feed, found by `memchr` a line at a time rather than
    /// looked at byte by byte (the positions of an embedded buildspec's findings are counted from
    /// the start of their template).
    private func forEachLineBreak(in range: Range<Int>, _ body: (Int) -> Void) {
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, !range.isEmpty else { return }
            guard memchr(base + range.lowerBound, 0x0D, range.count) == nil else {
                for index in range where isLineBreak(at: index) { body(index) }
                return
            }
            var index = range.lowerBound
            while index < range.upperBound, let hit = memchr(base + index, 0x0A, range.upperBound - index) {
                let found = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                body(found)
                index = found + 1
            }
        }
    }

    /// A line feed, or a carriage return not followed by one (CRLF counts once, at its LF).
    private func isLineBreak(at index: Int) -> Bool {
        let byte = bytes[index]
        return byte == 0x0A || (byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] != 0x0A)
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
