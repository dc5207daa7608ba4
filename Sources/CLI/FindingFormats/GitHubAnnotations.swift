import BuildspecRewriting

/// The `github` format: one workflow command per finding, which GitHub Actions shows as an
/// annotation on the file and line (`::error file=...,line=...,col=...,title=...::message`).
///
/// Escaping is GitHub's own (actions/toolkit `command.ts`): in the message `%`, CR and LF
/// become `%25`, `%0D` and `%0A`; in a property value `:` and `,` also become `%3A` and `%2C`.
enum GitHubAnnotations {
    static func line(_ finding: Finding) -> String {
        let diagnostic = finding.diagnostic
        let command = switch diagnostic.severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "notice"
        }
        var properties: [(String, String)] = []
        if let path = finding.path { properties.append(("file", path)) }
        if let position = diagnostic.position {
            properties.append(("line", String(position.line)))
            properties.append(("col", String(position.column)))
        }
        properties.append(("title", "\(diagnostic.rule.id) \(diagnostic.rule.name)"))
        let list = properties.map { "\($0.0)=\(escapedProperty($0.1))" }.joined(separator: ",")
        return "::\(command) \(list)::\(escapedData(diagnostic.text + " [\(diagnostic.rule.id)]"))"
    }

    static func escapedData(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "%": result += "%25"
            case "\r": result += "%0D"
            case "\n": result += "%0A"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func escapedProperty(_ text: String) -> String {
        var result = ""
        for scalar in escapedData(text).unicodeScalars {
            switch scalar {
            case ":": result += "%3A"
            case ",": result += "%2C"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
