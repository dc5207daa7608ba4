import BuildspecRewriting

/// Reads, rewrites and (in write mode) replaces one file; never throws, every failure is an
/// outcome of that file.
struct FileProcessor: Sendable {
    enum Mode: Sendable { case write, check, diff }

    var options: RewriteOptions
    var mode: Mode
    /// `--ignore-unrelated`: a named file that is neither a template nor a buildspec is skipped.
    var ignoresUnrelated = false
    /// Diff headers name paths relative to it, so that `git apply` in that folder takes them.
    var workingFolder: WorkingFolder
    /// Which files the `.tf` files beside them render, read once per folder.
    let terraformTemplates = TerraformTemplates()

    /// `isCandidate`: found by a folder search only for its extension; handled only when it is
    /// a template.
    func process(_ path: String, isCandidate: Bool = false) -> FileOutcome {
        func failure(_ rule: Rule, _ message: String) -> FileOutcome {
            FileOutcome(path: path, kind: .error, editedLines: [], diagnostics: [Diagnostic(.error, rule: rule, at: nil, message)])
        }
        // One open, one fstat, one read into the array the rewriter takes: no second copy.
        let input: [UInt8]
        switch POSIX.readFile(path) {
        case .bytes(let bytes): input = bytes
        case .folder: return failure(.pathIsFolder, "is a folder, not a buildspec file")
        case .failure(let code): return failure(.unreadableFile, "cannot read the file (\(POSIX.errorText(code)))")
        }
        let name = POSIX.lastComponent(path)
        let selection: HostRewriter.Selection = isCandidate ? .candidate : ignoresUnrelated ? .hookFile : .named
        let result = HostRewriter.rewrite(input, fileName: name, options: options, selection: selection,
                                          isTerraformTemplate: terraformTemplates.isNamedTemplate(path, contents: input))
        var outcome = FileOutcome(path: path, kind: .error, editedLines: result.editedLines, diagnostics: result.diagnostics)
        outcome.hasRefusals = result.outcome != .error && result.diagnostics.contains { $0.severity == .error }
        switch result.outcome {
        case .error: return outcome
        case .alreadyGuarded: outcome.kind = .alreadyGuarded; return outcome
        case .noDefinitionsWriter: outcome.kind = .noDefinitionsWriter; return outcome
        case .ignored: outcome.kind = .ignored; return outcome
        case .skipped:
            outcome.kind = .noDefinitionsWriter
            outcome.isSkipped = true
            return outcome
        case .rewritten: break
        }
        switch mode {
        case .check:
            outcome.kind = .wouldRewrite
            outcome.diagnostics += result.pendingGuards
        case .diff:
            outcome.kind = .wouldRewrite
            outcome.standardOutput = UnifiedDiff.make(old: input, new: result.output, path: workingFolder.relative(path))
        case .write:
            do {
                try AtomicFileWriter.replace(path, with: result.output, expected: input)
                outcome.kind = .rewritten
            } catch {
                outcome.kind = .error
                outcome.diagnostics.append(Diagnostic(.error, rule: .writeFailed, at: nil, error.message))
            }
        }
        return outcome
    }
}
