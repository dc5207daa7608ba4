import BuildspecRewriting
import Foundation

/// Reads, rewrites and (in write mode) replaces one file; never throws, every failure is an
/// outcome of that file.
struct FileProcessor: Sendable {
    enum Mode: Sendable { case write, check, diff }

    var options: RewriteOptions
    var mode: Mode

    func process(_ path: String) -> FileOutcome {
        func failure(_ message: String, fix: String? = nil) -> FileOutcome {
            FileOutcome(path: path, kind: .error, editedLines: [], diagnostics: [Diagnostic(.error, at: nil, message, fix: fix)])
        }
        var status = stat()
        guard stat(path, &status) == 0 else { return failure("cannot read the file (\(String(cString: strerror(errno))))") }
        if (status.st_mode & S_IFMT) == S_IFDIR { return failure("is a folder, not a buildspec file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            return failure("cannot read the file (\(access(path, R_OK) == 0 ? "read failed" : "permission denied"))")
        }
        let input = Array(data)
        let result = BuildspecRewriter.rewrite(input, options: options)
        var outcome = FileOutcome(path: path, kind: .error, editedLines: result.editedLines, diagnostics: result.diagnostics)
        switch result.outcome {
        case .error: return outcome
        case .alreadyGuarded: outcome.kind = .alreadyGuarded; return outcome
        case .noDefinitionsWriter: outcome.kind = .noDefinitionsWriter; return outcome
        case .rewritten: break
        }
        switch mode {
        case .check:
            outcome.kind = .wouldRewrite
            outcome.diagnostics += result.pendingGuards
        case .diff:
            outcome.kind = .wouldRewrite
            outcome.standardOutput = UnifiedDiff.make(old: input, new: result.output, path: path.hasPrefix("./") ? String(path.dropFirst(2)) : path)
        case .write:
            do {
                try AtomicFileWriter.replace(path, with: result.output, expected: input)
                outcome.kind = .rewritten
            } catch {
                outcome.kind = .error
                outcome.diagnostics.append(Diagnostic(.error, at: nil, error.message))
            }
        }
        return outcome
    }
}
