/// One parsed YAML document: every node in one array, in document order (a collection before
/// what it holds), every scalar value, anchor and tag in one byte buffer.
///
/// A few arrays per file instead of a string per scalar and an array per collection, which
/// were allocated, retained and freed per node, and copied with every node the model kept
/// (callgrind: 17.5 M fewer instructions over corpus c40, 27.6 M over c67).
final class YAMLTree: Sendable {
    struct Entry: Sendable {
        var kind: YAMLNode.Kind
        var scalarStyle: YAMLNode.ScalarStyle?
        var isFlow: Bool
        var range: Range<Int>
        var line: Int
        var column: Int
        /// A scalar's value or an alias's anchor name, in `bytes`; empty for collections.
        var value: Range<Int>
        /// A collection's children, as slots of `children`; empty for scalars and aliases.
        var children: Range<Int>
        /// One past the node's last descendant: the subtree is `entries[index..<subtreeEnd]`.
        var subtreeEnd: Int
        var anchor: Range<Int>?
        var tag: Range<Int>?
    }

    let entries: [Entry]
    /// Entry indexes of each collection's children, a collection's contiguous.
    let children: [Int]
    /// The file's bytes (a plain scalar that is its own text points there), then every other
    /// value, anchor and tag.
    let bytes: [UInt8]
    /// No byte of `bytes` is above 0x7F: texts are equal exactly when their bytes are.
    let isASCII: Bool

    init(entries: [Entry], children: [Int], bytes: [UInt8], isASCII: Bool) {
        self.entries = entries
        self.children = children
        self.bytes = bytes
        self.isASCII = isASCII
    }

    func text(_ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// Whether the bytes at `range` read as the same string as `text`, as `==` on the two
    /// strings says; without building one when the bytes settle it.
    func hasText(_ range: Range<Int>, _ text: StaticString) -> Bool {
        text.withUTF8Buffer { text in
            bytes.withUnsafeBufferPointer {
                Self.isSameText(UnsafeBufferPointer(rebasing: $0[range]), isASCII: isASCII, text, isASCII: false)
            }
        }
    }

    /// Whether two texts are equal as Swift strings. `==` on strings compares canonical
    /// equivalents (`é` precomposed or not, the Kelvin sign and `K`): bytes that differ only
    /// settle it when both texts are ASCII. `isASCII`: known to be, else looked at.
    static func isSameText(_ first: UnsafeBufferPointer<UInt8>, isASCII firstIsASCII: Bool,
                           _ second: UnsafeBufferPointer<UInt8>, isASCII secondIsASCII: Bool) -> Bool {
        if first.count == second.count {
            var index = 0
            while index < first.count, first[index] == second[index] { index += 1 }
            if index == first.count { return true }
        }
        if (firstIsASCII || isASCII(first)) && (secondIsASCII || isASCII(second)) { return false }
        return String(decoding: first, as: UTF8.self) == String(decoding: second, as: UTF8.self)
    }

    static func isASCII(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in text where byte >= 0x80 { return false }
        return true
    }

    static func isSameText(_ first: YAMLTree, _ firstRange: Range<Int>?, _ second: YAMLTree, _ secondRange: Range<Int>?) -> Bool {
        guard let firstRange, let secondRange else { return firstRange == nil && secondRange == nil }
        return first.bytes.withUnsafeBufferPointer { firstBytes in
            second.bytes.withUnsafeBufferPointer { secondBytes in
                isSameText(UnsafeBufferPointer(rebasing: firstBytes[firstRange]), isASCII: first.isASCII,
                           UnsafeBufferPointer(rebasing: secondBytes[secondRange]), isASCII: second.isASCII)
            }
        }
    }
}

/// One node of a YAML document, with where it stands in the source bytes: a place in its
/// document's `YAMLTree`, so copying it copies no strings or children.
public struct YAMLNode: Sendable {
    public enum Kind: Sendable, Equatable { case scalar, sequence, mapping, alias }

    public enum ScalarStyle: Sendable, Equatable { case plain, singleQuoted, doubleQuoted, literal, folded }

    let tree: YAMLTree
    let index: Int

    private var entry: YAMLTree.Entry { tree.entries[index] }

    public var kind: Kind { tree.entries[index].kind }
    /// For scalars; `nil` for collections and aliases.
    public var scalarStyle: ScalarStyle? { tree.entries[index].scalarStyle }
    /// For collections: flow (`[a, b]`, `{a: b}`) or block.
    public var isFlow: Bool { tree.entries[index].isFlow }
    /// A scalar's value (escapes resolved, lines folded); an alias's anchor name; empty for
    /// collections. A new string each time: compare with `hasValue` where it runs often.
    public var value: String { tree.text(tree.entries[index].value) }
    public var anchor: String? { tree.entries[index].anchor.map(tree.text) }
    public var tag: String? { tree.entries[index].tag.map(tree.text) }
    /// Byte range in the source. Quoted scalars include their quotes; block scalars start at
    /// their `|` or `>` indicator and end after their last line break.
    public var range: Range<Int> { tree.entries[index].range }
    public var start: SourcePosition {
        let entry = entry
        return SourcePosition(offset: entry.range.lowerBound, line: entry.line, column: entry.column)
    }

    public var isScalar: Bool { kind == .scalar }
    var hasAnchor: Bool { tree.entries[index].anchor != nil }
    /// The value is empty (always, for a collection).
    var hasEmptyValue: Bool { tree.entries[index].value.isEmpty }

    /// Whether the value is `text`, as `value == text` says.
    func hasValue(_ text: StaticString) -> Bool { tree.hasText(tree.entries[index].value, text) }

    /// The value's UTF-8 bytes, in place: no string made.
    func withValueBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let range = tree.entries[index].value
        return try tree.bytes.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[range])) }
    }

    /// Where the value's UTF-8 bytes are in the tree's `bytes`.
    var valueRange: Range<Int> { tree.entries[index].value }

    /// Whether the value's UTF-8 bytes are `bytes`.
    func hasValueBytes(_ bytes: [UInt8]) -> Bool { tree.bytes[tree.entries[index].value].elementsEqual(bytes) }

    /// Sequence items, or mapping keys and values alternating.
    public var children: Children { Children(tree: tree, slots: tree.entries[index].children) }

    public struct Children: RandomAccessCollection, Sendable {
        let tree: YAMLTree
        let slots: Range<Int>
        public var startIndex: Int { 0 }
        public var endIndex: Int { slots.count }
        public subscript(position: Int) -> YAMLNode {
            precondition(position >= 0 && position < slots.count, "child index out of range")
            return YAMLNode(tree: tree, index: tree.children[slots.lowerBound + position])
        }
    }

    /// Key-value pairs of a mapping.
    public var pairs: [(key: YAMLNode, value: YAMLNode)] {
        guard kind == .mapping else { return [] }
        let children = children
        return stride(from: 0, to: children.count - 1, by: 2).map { (children[$0], children[$0 + 1]) }
    }

    /// The value of the first key whose scalar value is `key`.
    public subscript(key: String) -> YAMLNode? {
        let tree = tree, entries = tree.entries, slots = entries[index].children
        guard entries[index].kind == .mapping else { return nil }
        var key = key
        // One look at the key and the buffer for all the keys: this runs for every key the
        // reader and the hosts ask for.
        let found: Int? = key.withUTF8 { key in
            tree.bytes.withUnsafeBufferPointer { bytes in
                let keyIsASCII = YAMLTree.isASCII(key)
                var slot = slots.lowerBound
                while slot + 1 < slots.upperBound {
                    // Field by field: a copy of the whole entry costs more than the comparison.
                    let child = tree.children[slot]
                    if entries[child].kind == .scalar,
                       YAMLTree.isSameText(UnsafeBufferPointer(rebasing: bytes[entries[child].value]), isASCII: tree.isASCII, key, isASCII: keyIsASCII)
                    {
                        return tree.children[slot + 1]
                    }
                    slot += 2
                }
                return nil
            }
        }
        return found.map { YAMLNode(tree: tree, index: $0) }
    }

    /// Whether the node or anything under it is anchored (`&name`), an alias (`*name`) or a
    /// plain merge key (`<<`): one walk over the subtree's entries, which lie together in
    /// document order.
    var subtreeUsesAnchors: Bool {
        let tree = tree, entries = tree.entries
        let mergeKey: StaticString = "<<"
        return mergeKey.withUTF8Buffer { merge in
            tree.bytes.withUnsafeBufferPointer { bytes in
                (index..<entries[index].subtreeEnd).contains { node in
                    entries[node].anchor != nil || entries[node].kind == .alias
                        || (entries[node].kind == .scalar && entries[node].scalarStyle == .plain
                            && YAMLTree.isSameText(UnsafeBufferPointer(rebasing: bytes[entries[node].value]), isASCII: tree.isASCII, merge, isASCII: true))
                }
            }
        }
    }

    /// The first mapping key at or under the node that repeats an earlier key of the same
    /// mapping (as `==` on their values says), with that earlier key. The mappings are taken
    /// in document order, each before what it holds.
    var firstRepeatedKey: (first: YAMLNode, second: YAMLNode)? {
        let tree = tree, entries = tree.entries, children = tree.children
        let found: (first: Int, second: Int)? = tree.bytes.withUnsafeBufferPointer { bytes in
            func key(_ slot: Int) -> UnsafeBufferPointer<UInt8>? {
                let node = children[slot]
                return entries[node].kind == .scalar ? UnsafeBufferPointer(rebasing: bytes[entries[node].value]) : nil
            }
            for node in index..<entries[index].subtreeEnd where entries[node].kind == .mapping && entries[node].children.count > 2 {
                let slots = entries[node].children
                // Compared in place, pair by pair: buildspec mappings are small.
                if slots.count <= 32 {
                    for second in stride(from: slots.lowerBound + 2, to: slots.upperBound, by: 2) {
                        guard let secondKey = key(second) else { continue }
                        for first in stride(from: slots.lowerBound, to: second, by: 2) {
                            if let firstKey = key(first), YAMLTree.isSameText(firstKey, isASCII: tree.isASCII, secondKey, isASCII: tree.isASCII) {
                                return (children[first], children[second])
                            }
                        }
                    }
                } else {
                    var seen: [String: Int] = [:]
                    for slot in stride(from: slots.lowerBound, to: slots.upperBound, by: 2) {
                        guard let text = key(slot) else { continue }
                        let string = String(decoding: text, as: UTF8.self)
                        if let first = seen[string] { return (children[first], children[slot]) }
                        seen[string] = slot
                    }
                }
            }
            return nil
        }
        return found.map { (YAMLNode(tree: tree, index: $0.first), YAMLNode(tree: tree, index: $0.second)) }
    }

    /// Whether two nodes mean the same: equal scalars (and tags), aliases and collections,
    /// whatever their styles, comments and positions.
    public func hasSameData(as other: YAMLNode) -> Bool {
        let entry = entry, otherEntry = other.entry
        guard entry.kind == otherEntry.kind, entry.children.count == otherEntry.children.count else { return false }
        switch entry.kind {
        case .scalar:
            return YAMLTree.isSameText(tree, entry.value, other.tree, otherEntry.value)
                && YAMLTree.isSameText(tree, entry.tag, other.tree, otherEntry.tag)
        case .alias:
            return YAMLTree.isSameText(tree, entry.value, other.tree, otherEntry.value)
        case .sequence, .mapping:
            let children = children, otherChildren = other.children
            return children.indices.allSatisfy { children[$0].hasSameData(as: otherChildren[$0]) }
        }
    }
}
