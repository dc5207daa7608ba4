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
        // One buffer sized at once, no interpolation: `--check` prints a line per writer.
        var text = ""
        text.reserveCapacity(path.utf8.count + message.utf8.count + (fix?.utf8.count ?? 0) + 48)
        text += path
        if let position {
            text += ":"; text += String(position.line); text += ":"; text += String(position.column)
        }
        text += ": "; text += written(severity.rawValue + ":"); text += " "; text += message
        if let fix { text += "; "; text += fix }
        text += " ["; text += rule.id; text += "]"
        return text
    }
}
