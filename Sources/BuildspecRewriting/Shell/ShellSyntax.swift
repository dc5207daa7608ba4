/// A POSIX shell script read into commands, with byte ranges into the script text.
public struct ShellScript: Sendable {
    /// Complete commands in order; each is an and-or list.
    public var lists: [ShellAndOrList]
}

/// `a && b || c`: pipelines joined by `&&` and `||`.
public struct ShellAndOrList: Sendable {
    public var pipelines: [ShellPipeline]
    public var range: Range<Int>
}

/// `a | b | c`, or one command.
public struct ShellPipeline: Sendable {
    public var commands: [ShellCommand]
    public var range: Range<Int>
}

/// One command: a simple command or a compound one with its parts.
public struct ShellCommand: Sendable {
    public enum Kind: Sendable, Equatable {
        case simple, ifClause, forLoop, whileLoop, untilLoop, caseClause, braceGroup, subshell, functionDefinition
    }

    public enum PartRole: Sendable, Equatable { case condition, body }

    public var kind: Kind
    /// A simple command's words after its assignments (the program and its arguments).
    public var words: [ShellWord] = []
    /// `NAME=value` words before a simple command's program (or alone).
    public var assignments: [ShellAssignment] = []
    public var redirections: [ShellRedirection] = []
    /// A compound command's inner scripts: an `if`'s conditions and bodies, a loop's body.
    public var parts: [(role: PartRole, script: ShellScript)] = []
    public var range: Range<Int>
}

/// A word as the shell sees it after quote removal; expansions stay symbolic.
public struct ShellWord: Sendable {
    public enum Segment: Sendable, Hashable {
        /// Text the shell takes literally (quotes removed).
        case text(String)
        /// `$NAME` or `${NAME}`.
        case variable(String)
        /// Any other expansion (`$(...)`, `${X:-y}`, backquotes, `$1`): its source text.
        case opaque(String)
    }

    public var segments: [Segment]
    public var range: Range<Int>

    /// Segments as one text: literal text as it is, `${NAME}` for a variable, an expansion's
    /// source for the rest.
    static func text(of segments: [Segment]) -> String {
        if segments.count == 1, case .text(let text) = segments.first { return text }
        // Sized first and written in place: appending piece by piece costs a String append each
        // (the repository resolution builds several such texts per push).
        var count = 0
        for segment in segments {
            switch segment {
            case .text(let part), .opaque(let part): count += part.utf8.count
            case .variable(let name): count += name.utf8.count + 3
            }
        }
        return String(unsafeUninitializedCapacity: count) { buffer in
            var end = 0
            func write<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
                end += UnsafeMutableBufferPointer(rebasing: buffer[end...]).initialize(from: bytes).1
            }
            for segment in segments {
                switch segment {
                case .text(let part), .opaque(let part): write(part.utf8)
                case .variable(let name): write("${".utf8); write(name.utf8); write("}".utf8)
                }
            }
            return end
        }
    }

    /// The word's literal text when it has no expansion.
    public var literal: String? {
        // Most words are one piece of text: that text itself, with no new string.
        if segments.count == 1, case .text(let text) = segments[0] { return text }
        var text = ""
        for segment in segments {
            guard case .text(let part) = segment else { return nil }
            text += part
        }
        return text
    }
}

public struct ShellAssignment: Sendable {
    public var name: String
    public var value: ShellWord
}

public struct ShellRedirection: Sendable {
    /// `>`, `>>`, `>|`, `<`, `<<`, `<<-`, `&>`, ...
    public var op: String
    public var fileDescriptor: Int?
    /// The file or descriptor redirected to; for a here-document, its delimiter word.
    public var target: ShellWord
    /// Index into `ParsedShell.hereDocuments`.
    public var hereDocument: Int?

    public var writesFile: Bool {
        switch op {
        case ">", ">>", ">|", "&>", "&>>", "<>": return target.literal.map { !$0.allSatisfy(\.isNumber) } ?? true
        default: return false
        }
    }
}

public struct ShellHereDocument: Sendable {
    public var delimiter: String
    public var body: Range<Int>
    /// Just past the delimiter line.
    public var end: Int
    /// False when the delimiter never stands alone on a line: the body runs to the end.
    public var isTerminated = false
}

/// A whole command text read as shell.
public struct ParsedShell: Sendable {
    public var text: [UInt8]
    public var script: ShellScript
    public var hereDocuments: [ShellHereDocument]

    public func text(_ range: Range<Int>) -> String {
        String(decoding: text[range], as: UTF8.self)
    }

    /// Where a command's text ends, here-document bodies included.
    public func extendedEnd(of command: ShellCommand) -> Int {
        command.redirections.compactMap { $0.hereDocument.map { hereDocuments[$0].end } }.max()
            .map { max($0, command.range.upperBound) } ?? command.range.upperBound
    }

    public func extendedEnd(of pipeline: ShellPipeline) -> Int {
        pipeline.commands.map { extendedEnd(of: $0) }.max() ?? pipeline.range.upperBound
    }
}
