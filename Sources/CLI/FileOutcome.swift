import BuildspecRewriting

/// What happened to one file in a run; the order of a run's output follows these.
struct FileOutcome: Sendable {
    enum Kind: String, Sendable, Codable {
        case rewritten
        case wouldRewrite = "would-rewrite"
        case alreadyGuarded = "already-guarded"
        case noDefinitionsWriter = "no-definitions-writer"
        /// Every unguarded writer is silenced by `# rewrite-buildspec: ignore RB001`.
        case ignored
        case error
    }

    var path: String
    var kind: Kind
    var editedLines: [Int]
    var diagnostics: [Diagnostic]
    /// With `--diff`, or for `-`: what goes to standard output.
    var standardOutput: String = ""
    /// A file the run passes over without a word: a searched `.json` that is no template, or
    /// with `--ignore-unrelated`, a named file that is neither a host nor a buildspec.
    var isSkipped = false
    /// A file that was handled but also refused a part (one project of a template).
    var hasRefusals = false
}
