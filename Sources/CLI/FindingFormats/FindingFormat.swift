import ArgumentParser
import BuildspecRewriting

/// `--format`: how findings are printed, for people or for the CI that shows them.
enum FindingFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// `path:line:column: severity: message; fix [RB001]` on standard error, as compilers print.
    case text
    /// GitHub Actions workflow commands (`::error file=...::...`) on standard output, which the
    /// runner reads and turns into annotations.
    case github
    /// One SARIF 2.1.0 log on standard output at the end of the run, for code scanning.
    case sarif

    /// Whether findings take standard output, which then holds nothing else.
    var usesStandardOutput: Bool { self != .text }
}

/// A finding and the file it is about, as the formats print it.
struct Finding: Sendable {
    /// The path relative to the working folder when it is inside it; nil for standard input.
    var path: String?
    var diagnostic: Diagnostic
}
