/// One node of a YAML document, with where it stands in the source bytes.
public struct YAMLNode: Sendable {
    public enum Kind: Sendable, Equatable { case scalar, sequence, mapping, alias }

    public enum ScalarStyle: Sendable, Equatable { case plain, singleQuoted, doubleQuoted, literal, folded }

    public var kind: Kind
    /// For scalars; `nil` for collections and aliases.
    public var scalarStyle: ScalarStyle?
    /// For collections: flow (`[a, b]`, `{a: b}`) or block.
    public var isFlow: Bool
    /// A scalar's value (escapes resolved, lines folded); an alias's anchor name.
    public var value: String
    public var anchor: String?
    public var tag: String?
    /// Sequence items, or mapping keys and values alternating.
    public var children: [YAMLNode]
    /// Byte range in the source. Quoted scalars include their quotes; block scalars start at
    /// their `|` or `>` indicator and end after their last line break.
    public var range: Range<Int>
    public var start: SourcePosition

    public var isScalar: Bool { kind == .scalar }

    /// Key-value pairs of a mapping.
    public var pairs: [(key: YAMLNode, value: YAMLNode)] {
        guard kind == .mapping else { return [] }
        return stride(from: 0, to: children.count - 1, by: 2).map { (children[$0], children[$0 + 1]) }
    }

    /// The value of the first key whose scalar value is `key`.
    public subscript(key: String) -> YAMLNode? {
        guard kind == .mapping else { return nil }
        var index = 0
        while index + 1 < children.count {
            if children[index].kind == .scalar, children[index].value == key { return children[index + 1] }
            index += 2
        }
        return nil
    }

    /// Whether two nodes mean the same: equal scalars (and tags), aliases and collections,
    /// whatever their styles, comments and positions.
    public func hasSameData(as other: YAMLNode) -> Bool {
        guard kind == other.kind, children.count == other.children.count else { return false }
        switch kind {
        case .scalar: return value == other.value && tag == other.tag
        case .alias: return value == other.value
        case .sequence, .mapping: return children.indices.allSatisfy { children[$0].hasSameData(as: other.children[$0]) }
        }
    }
}
