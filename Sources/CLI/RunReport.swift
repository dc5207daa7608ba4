import BuildspecRewriting
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `--report json` document: one record per file and a summary. Its shape is part of the
/// tool's interface; `schemaVersion` changes when it does. Version 2 only added fields and
/// values (each diagnostic's `rule` and `ruleName`, the outcome `ignored`, the summary's
/// `ignored` and `ignoredWriters`): every field of version 1 keeps its meaning.
struct RunReport: Encodable {
    struct File: Encodable {
        var path: String
        var outcome: FileOutcome.Kind
        var editedLines: [Int]
        var diagnostics: [Message]
    }

    struct Message: Encodable {
        var severity: String
        /// The rule's stable id, `RB001`, and its name.
        var rule: String
        var ruleName: String
        var line: Int?
        var column: Int?
        var message: String
        var fix: String?
    }

    struct Summary: Encodable {
        var files = 0
        var rewritten = 0
        var wouldRewrite = 0
        var alreadyGuarded = 0
        var noDefinitionsWriter = 0
        /// Files whose every unguarded writer is silenced by an ignore comment.
        var ignored = 0
        var errors = 0
        /// Writers left alone by an ignore comment, in all files (whatever their outcome).
        var ignoredWriters = 0

        mutating func add(_ outcome: FileOutcome) {
            files += 1
            ignoredWriters += outcome.diagnostics.count { $0.rule == .ignoredDefinitionsWriter }
            switch outcome.kind {
            case .rewritten: rewritten += 1
            case .wouldRewrite: wouldRewrite += 1
            case .alreadyGuarded: alreadyGuarded += 1
            case .noDefinitionsWriter: noDefinitionsWriter += 1
            case .ignored: ignored += 1
            case .error: errors += 1
            }
        }
    }

    var schemaVersion = 2
    var files: [File]
    var summary: Summary

    init(_ outcomes: [FileOutcome]) {
        files = outcomes.map { outcome in
            File(path: outcome.path, outcome: outcome.kind, editedLines: outcome.editedLines,
                 diagnostics: outcome.diagnostics.map {
                     Message(severity: $0.severity.rawValue, rule: $0.rule.id, ruleName: $0.rule.name, line: $0.position?.line, column: $0.position?.column,
                             message: $0.message, fix: $0.fix)
                 })
        }
        summary = Self.summarize(outcomes)
    }

    static func summarize(_ outcomes: [FileOutcome]) -> Summary {
        var summary = Summary()
        for outcome in outcomes { summary.add(outcome) }
        return summary
    }

    /// `312 files: 97 rewritten, 180 without definitions, 30 already guarded, 5 errors`
    static func summaryLine(_ summary: Summary, checking: Bool) -> String {
        var parts: [String] = []
        if checking { parts.append("\(summary.wouldRewrite) need the guard") } else { parts.append("\(summary.rewritten) rewritten") }
        parts.append("\(summary.noDefinitionsWriter) without definitions")
        parts.append("\(summary.alreadyGuarded) already guarded")
        if summary.ignoredWriters > 0 {
            parts.append("\(summary.ignoredWriters) writer\(summary.ignoredWriters == 1 ? "" : "s") ignored")
        }
        parts.append("\(summary.errors) error\(summary.errors == 1 ? "" : "s")")
        return "\(summary.files) file\(summary.files == 1 ? "" : "s"): " + parts.joined(separator: ", ")
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
