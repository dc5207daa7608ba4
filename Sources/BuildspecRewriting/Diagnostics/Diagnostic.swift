/// Something to tell the user about one file, with where and how to fix it.
public struct Diagnostic: Sendable, Equatable {
    public enum Severity: String, Sendable { case error, warning, note }

    public var severity: Severity
    /// Which rule of the table (`Rule`) this is: its id is what people look up and silence.
    public var rule: Rule
    public var position: SourcePosition?
    public var message: String
    /// What to do about it, when there is something to do.
    public var fix: String?

    public init(_ severity: Severity, rule: Rule, at position: SourcePosition?, _ message: String, fix: String? = nil) {
        self.severity = severity
        self.rule = rule
        self.position = position
        self.message = message
        self.fix = fix
    }

    /// The message and its fix, as one text.
    public var text: String {
        guard let fix else { return message }
        return message + "; " + fix
    }

    /// `path:line:column: severity: message (fix) [RB001]`, the form compilers and editors
    /// understand, with the rule id last as ShellCheck and cfn-lint print theirs.
    /// `severity`: how the severity word is written (a terminal colours it).
    public func formatted(path: String, severity written: (String) -> String = { $0 }) -> String {
        // Bytes gathered in one buffer, one string made of them: `--check` prints a line per
        // writer, and each string append cost about 300 instructions.
        var line: [UInt8] = []
        line.reserveCapacity(path.utf8.count + message.utf8.count + (fix?.utf8.count ?? 0) + 48)
        line += path.utf8
        if let position {
            line.append(UInt8(ascii: ":")); line += String(position.line).utf8
            line.append(UInt8(ascii: ":")); line += String(position.column).utf8
        }
        line += ": ".utf8; line += written(severity.rawValue + ":").utf8; line.append(UInt8(ascii: " ")); line += message.utf8
        if let fix { line += "; ".utf8; line += fix.utf8 }
        line += " [".utf8; line += rule.id.utf8; line.append(UInt8(ascii: "]"))
        return String(decoding: line, as: UTF8.self)
    }
}
