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
        // A `.yml` that a `.tf` beside it renders with `templatefile()` is Terraform's.
        let isTerraformTemplate = TerraformHost.kind(ofFileName: name) == nil && TerraformFiles.isNamedTemplate(path, contents: input)
        if (isCandidate || ignoresUnrelated) && !isTerraformTemplate {
            let kind = HostRewriter.kind(of: input, fileName: name)
            let isHost = kind == .cloudFormationYAML || kind == .cloudFormationJSON
                || kind == .terraform && TerraformFiles.isSearchedTerraformFile(path, contents: input)
            // A named Terraform file that holds no CodeBuild project (`variables.tf`, `user_data.tpl`)
            // is unrelated to a hook too.
            let skipped = isCandidate ? !isHost : kind == .unrelated || kind == .terraform && !isHost
            if skipped {
                var outcome = FileOutcome(path: path, kind: .noDefinitionsWriter, editedLines: [], diagnostics: [])
                outcome.isSkipped = true
                return outcome
            }
        }
        let result = isTerraformTemplate
            ? TerraformHost.rewrite(input, as: .template, options: options)
            : HostRewriter.rewrite(input, fileName: name, options: options)
        var outcome = FileOutcome(path: path, kind: .error, editedLines: result.editedLines, diagnostics: result.diagnostics)
        outcome.hasRefusals = result.outcome != .error && result.diagnostics.contains { $0.severity == .error }
        switch result.outcome {
        case .error: return outcome
        case .alreadyGuarded: outcome.kind = .alreadyGuarded; return outcome
        case .noDefinitionsWriter: outcome.kind = .noDefinitionsWriter; return outcome
        case .ignored: outcome.kind = .ignored; return outcome
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
