extension String {
    /// Whether `needle` occurs in the text, compared byte by byte: much cheaper than
    /// `contains(_:)`, which walks grapheme clusters, on the hot path of every command.
    func containsBytes(_ needle: String) -> Bool {
        // A literal's bytes are there already: no array per search.
        needle.utf8.withContiguousStorageIfAvailable { containsBytes($0) } ?? containsBytes(Array(needle.utf8))
    }

    /// Whether the UTF-8 bytes `pattern` occur in the text; for a pattern searched many times.
    func containsBytes<Pattern: Collection<UInt8>>(_ pattern: Pattern) -> Bool where Pattern.Index == Int {
        utf8.withContiguousStorageIfAvailable { $0.containsBytes(pattern) } ?? Array(utf8).containsBytes(pattern)
    }
}

extension String {
    /// What follows the last `/` (trailing ones ignored), as `split(separator: "/").last`
    /// gives it, or the whole text when that is empty; found byte by byte.
    var lastPathComponent: String {
        let slash = UInt8(ascii: "/")
        var end = utf8.endIndex
        while end > utf8.startIndex, utf8[utf8.index(before: end)] == slash { end = utf8.index(before: end) }
        guard end > utf8.startIndex else { return self }
        var start = end
        while start > utf8.startIndex, utf8[utf8.index(before: start)] != slash { start = utf8.index(before: start) }
        return start == utf8.startIndex && end == utf8.endIndex ? self : String(self[start..<end])
    }

    /// The index of the first `byte` (an ASCII character), found byte by byte.
    func firstIndex(ofASCII byte: UInt8) -> String.Index? {
        utf8.firstIndex(of: byte)
    }
}

extension Collection where Element == UInt8, Index == Int {
    /// Whether `pattern` occurs in these bytes.
    public func containsBytes<Pattern: Collection<UInt8>>(_ pattern: Pattern) -> Bool where Pattern.Index == Int {
        firstIndex(ofBytes: pattern) != nil
    }

    /// Where `pattern` first occurs in these bytes.
    func firstIndex<Pattern: Collection<UInt8>>(ofBytes pattern: Pattern) -> Int? where Pattern.Index == Int {
        guard let first = pattern.first else { return startIndex }
        guard count >= pattern.count else { return nil }
        var index = startIndex
        let last = endIndex - pattern.count
        while index <= last {
            if self[index] == first {
                var matched = 1
                while matched < pattern.count, self[index + matched] == pattern[pattern.startIndex + matched] { matched += 1 }
                if matched == pattern.count { return index }
            }
            index += 1
        }
        return nil
    }
}
