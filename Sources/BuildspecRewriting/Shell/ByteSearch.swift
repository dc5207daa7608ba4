#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

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

extension UInt8 {
    /// The byte with `A`-`Z` made lowercase; any other byte as it is.
    var asciiLowercased: UInt8 {
        self >= UInt8(ascii: "A") && self <= UInt8(ascii: "Z") ? self | 0x20 : self
    }
}

extension String {
    /// Whether the text starts with `prefix`, a lowercase ASCII literal, in any ASCII case.
    /// File-name tests run for every file: `lowercased()` would make a string each time.
    func hasPrefixIgnoringASCIICase(_ prefix: StaticString) -> Bool {
        hasAffixIgnoringASCIICase(prefix, atEnd: false)
    }

    /// Whether the text ends with `suffix`, a lowercase ASCII literal, in any ASCII case.
    func hasSuffixIgnoringASCIICase(_ suffix: StaticString) -> Bool {
        hasAffixIgnoringASCIICase(suffix, atEnd: true)
    }

    /// Whether `pattern`, a lowercase ASCII literal, occurs in the text in any ASCII case.
    func containsIgnoringASCIICase(_ pattern: StaticString) -> Bool {
        let pattern = UnsafeBufferPointer(start: pattern.utf8Start, count: pattern.utf8CodeUnitCount)
        func occurs(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            guard bytes.count >= pattern.count else { return false }
            for start in 0...(bytes.count - pattern.count) where Self.sameIgnoringASCIICase(bytes, from: start, pattern) { return true }
            return false
        }
        return utf8.withContiguousStorageIfAvailable(occurs) ?? Array(utf8).withUnsafeBufferPointer(occurs)
    }

    private static func sameIgnoringASCIICase(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, _ pattern: UnsafeBufferPointer<UInt8>) -> Bool {
        for offset in pattern.indices where bytes[start + offset].asciiLowercased != pattern[offset] { return false }
        return true
    }

    private func hasAffixIgnoringASCIICase(_ affix: StaticString, atEnd: Bool) -> Bool {
        let pattern = UnsafeBufferPointer(start: affix.utf8Start, count: affix.utf8CodeUnitCount)
        func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            bytes.count >= pattern.count && Self.sameIgnoringASCIICase(bytes, from: atEnd ? bytes.count - pattern.count : 0, pattern)
        }
        return utf8.withContiguousStorageIfAvailable(matches) ?? Array(utf8).withUnsafeBufferPointer(matches)
    }
}

extension String {
    /// The byte offset of the first `needle` in the text.
    func byteOffset(of needle: StaticString) -> Int? {
        let pattern = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        if let found = utf8.withContiguousStorageIfAvailable({ ByteSearch.firstIndex(of: pattern, in: $0) }) { return found }
        return Array(utf8).withUnsafeBufferPointer { ByteSearch.firstIndex(of: pattern, in: $0) }
    }

    /// `replacing(pattern, with: replacement)`, byte by byte where that finds the same matches:
    /// in ASCII text without a carriage return every character is one byte (CR LF is one
    /// character, and `replacing` matches whole characters), so only such texts and patterns
    /// take the byte search; `replacing` costs thousands of instructions per call.
    func replacingBytes(_ pattern: String, with replacement: String) -> String {
        func isByteWise(_ text: String) -> Bool {
            func isByteWise(_ byte: UInt8) -> Bool { byte < 0x80 && byte != 0x0D }
            // In place when the text is contiguous: a walk through `UTF8View` costs several times more.
            return text.utf8.withContiguousStorageIfAvailable { $0.allSatisfy(isByteWise) } ?? text.utf8.allSatisfy(isByteWise)
        }
        guard !pattern.isEmpty, isByteWise(pattern) else { return replacing(pattern, with: replacement) }
        // Characters that equal a byte-wise pattern's are those bytes: where the bytes are not,
        // nothing matches (most calls put back a placeholder a message does not hold).
        guard containsBytes(pattern) else { return self }
        guard isByteWise(self) else { return replacing(pattern, with: replacement) }
        var text = self, pattern = pattern
        let result: [UInt8]? = text.withUTF8 { bytes in
            pattern.withUTF8 { needle in
                var output: [UInt8] = []
                var start = 0
                while let found = ByteSearch.firstIndex(of: needle, in: UnsafeBufferPointer(rebasing: bytes[start...])) {
                    if output.isEmpty { output.reserveCapacity(bytes.count + replacement.utf8.count) }
                    output += bytes[start..<(start + found)]
                    output += replacement.utf8
                    start += found + needle.count
                }
                guard start > 0 else { return nil }
                output += bytes[start...]
                return output
            }
        }
        return result.map { String(decoding: $0, as: UTF8.self) } ?? self
    }

    /// What follows the last `/` (trailing ones ignored), as `split(separator: "/").last`
    /// gives it, or the whole text when that is empty; found byte by byte.
    var lastPathComponent: String {
        let slash = UInt8(ascii: "/")
        var text = self
        // On the bytes in place: index by index through `UTF8View` the walk costs several times more.
        let part: String? = text.withUTF8 { bytes in
            var end = bytes.count
            while end > 0, bytes[end - 1] == slash { end -= 1 }
            var start = end
            while start > 0, bytes[start - 1] != slash { start -= 1 }
            guard end > 0, start > 0 || end < bytes.count else { return nil }
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
        return part ?? self
    }

    /// The index of the first `byte` (an ASCII character), found byte by byte.
    func firstIndex(ofASCII byte: UInt8) -> String.Index? {
        // `memchr` over the bytes in place: the generic search walks them index by index.
        let offset = utf8.withContiguousStorageIfAvailable { bytes -> Int? in
            guard let base = bytes.baseAddress, let hit = memchr(base, Int32(byte), bytes.count) else { return nil }
            return base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        }
        guard let offset else { return utf8.firstIndex(of: byte) }
        return offset.map { utf8.index(utf8.startIndex, offsetBy: $0) }
    }
}

extension Collection where Element == UInt8, Index == Int {
    /// Whether `pattern` occurs in these bytes.
    public func containsBytes<Pattern: Collection<UInt8>>(_ pattern: Pattern) -> Bool where Pattern.Index == Int {
        firstIndex(ofBytes: pattern) != nil
    }

    /// Where `pattern` first occurs in these bytes.
    func firstIndex<Pattern: Collection<UInt8>>(ofBytes pattern: Pattern) -> Int? where Pattern.Index == Int {
        // Both sides as contiguous memory, searched by `memchr`: called from another module a
        // generic is not specialized, and an element at a time through it costs hundreds of
        // instructions per byte of every file searched.
        let found = withContiguousStorageIfAvailable { haystack in
            pattern.withContiguousStorageIfAvailable { ByteSearch.firstIndex(of: $0, in: haystack) }
                ?? Array(pattern).withUnsafeBufferPointer { ByteSearch.firstIndex(of: $0, in: haystack) }
        } ?? Array(self).withUnsafeBufferPointer { haystack in
            Array(pattern).withUnsafeBufferPointer { ByteSearch.firstIndex(of: $0, in: haystack) }
        }
        return found.map { startIndex + $0 }
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Byte equality by length and `memcmp`: `elementsEqual` goes element by element through
    /// iterators (590 instructions a key in all for the validator, callgrind).
    func hasSameBytes(as other: UnsafeBufferPointer<UInt8>) -> Bool {
        count == other.count && (isEmpty || memcmp(baseAddress!, other.baseAddress!, count) == 0)
    }
}

enum ByteSearch {
    /// The offset of the first occurrence of `pattern` in `bytes`: `memchr` to each place the
    /// pattern's byte at `anchor` could stand (its first byte unless told), then a compare.
    static func firstIndex(of pattern: UnsafeBufferPointer<UInt8>, in bytes: UnsafeBufferPointer<UInt8>, anchor: Int = 0) -> Int? {
        guard !pattern.isEmpty else { return 0 }
        guard bytes.count >= pattern.count, let base = bytes.baseAddress, let needle = pattern.baseAddress else { return nil }
        let byte = Int32(pattern[anchor])
        // Where the anchor stands when the pattern starts at the last possible offset.
        let lastAnchor = bytes.count - pattern.count + anchor
        var index = anchor
        while index <= lastAnchor, let hit = memchr(base + index, byte, lastAnchor - index + 1) {
            index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + index - anchor, needle, pattern.count) == 0 { return index - anchor }
            index += 1
        }
        return nil
    }
}

/// A pattern searched for in whole files, over and over: its bytes, and the one of them a
/// search stops at first, the rarest in buildspecs and templates, chosen once. A pattern's first
/// byte is often among the most common (the `r` of `rewrite-buildspec:`, the `A` of
/// `AWS::CodeBuild::Project`), and a search for it stops every few bytes of a file.
struct BytePattern: Sendable {
    let bytes: [UInt8]
    /// The index in `bytes` of the byte searched for first.
    let anchor: Int

    init(_ text: String) {
        bytes = Array(text.utf8)
        var anchor = 0
        for index in bytes.indices where Self.commonness[Int(bytes[index])] < Self.commonness[Int(bytes[anchor])] { anchor = index }
        self.anchor = anchor
    }

    /// Whether the pattern occurs in `haystack`.
    func occurs(in haystack: [UInt8]) -> Bool {
        haystack.withUnsafeBufferPointer { firstIndex(in: $0) != nil }
    }

    /// Where the pattern first occurs in `haystack`.
    func firstIndex(in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        bytes.withUnsafeBufferPointer { ByteSearch.firstIndex(of: $0, in: haystack, anchor: anchor) }
    }

    /// How common each byte is, 255 for the most common: the bytes of the real corpora of
    /// buildspecs and templates counted, most common first (a space is 29% of them, `e` 5%,
    /// `{` 0.4%). A byte not listed is rarer than all of these.
    private static let commonness: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        let ranked = Array(#" eotia\#nrsn:c"-ldumpAER_.SIgOT$hCfNPbDykGUwv{}MBL/,="#.utf8)
        for (rank, byte) in ranked.enumerated() { table[Int(byte)] = UInt8(255 - rank) }
        return table
    }()
}
