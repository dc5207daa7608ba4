/// Something to tell the user about one file, with where and how to fix it.
public struct Diagnostic: Sendable, Equatable {
    public enum Severity: String, Sendable { case error, warning, note }

    public var severity: Severity
    public var position: SourcePosition?
    public var message: String
    /// What to do about it, when there is something to do.
    public var fix: String?

    public init(_ severity: Severity, at position: SourcePosition?, _ message: String, fix: String? = nil) {
        self.severity = severity
        self.position = position
        self.message = message
        self.fix = fix
    }

    /// `path:line:column: severity: message (fix)`, the form compilers and editors understand.
    public func formatted(path: String) -> String {
        var text = path
        if let position { text += ":\(position.line):\(position.column)" }
        text += ": \(severity.rawValue): \(message)"
        if let fix { text += "; \(fix)" }
        return text
    }
}
