import BuildspecRewriting
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The `text` format: one line per finding, with the severity coloured on a terminal.
struct TextFindings: Sendable {
    /// Whether to colour: standard error is a terminal and `NO_COLOR` is not set
    /// (https://no-color.org: any non-empty value turns colour off).
    var colours: Bool

    static func coloursWanted(isTerminal: Bool = isatty(STDERR_FILENO) == 1, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }

    func line(_ diagnostic: Diagnostic, path: String) -> String {
        guard colours else { return diagnostic.formatted(path: path) }
        let colour = switch diagnostic.severity {
        case .error: "\u{1B}[1;31m"
        case .warning: "\u{1B}[1;33m"
        case .note: "\u{1B}[1;36m"
        }
        return diagnostic.formatted(path: path) { colour + $0 + "\u{1B}[0m" }
    }
}
