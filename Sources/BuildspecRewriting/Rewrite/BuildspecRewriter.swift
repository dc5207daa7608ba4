/// What to rewrite and how; the command line's options.
public struct RewriteOptions: Sendable {
    /// `--repository-name`: the ECR repository every guard asks about.
    public var repositoryName: String?
    /// `--registry-id`: the account (twelve digits or `$VARIABLE`) every guard's query asks,
    /// instead of the one the pushed reference names.
    public var registryID: String?
    /// `--definitions-file`: more names of image-definitions files.
    public var definitionsFiles: [String]
    /// Whether the new bytes are parsed again and compared with the old before they are
    /// returned. Only a caller that writes nothing and just needs to know that a rewrite is
    /// due (`--check`) turns it off.
    public var verifiesOutput: Bool
    /// Set by a host for one embedded buildspec: which variables of its text are the host's.
    var hostValues = HostValues()

    public init(repositoryName: String? = nil, registryID: String? = nil, definitionsFiles: [String] = [], verifiesOutput: Bool = true) {
        self.repositoryName = repositoryName
        self.registryID = registryID
        self.definitionsFiles = definitionsFiles
        self.verifiesOutput = verifiesOutput
    }

    func matcher(for spec: Buildspec) -> ImageDefinitionsWriter.FileMatcher {
        ImageDefinitionsWriter.FileMatcher(extraNames: definitionsFiles, artifacts: spec.artifacts, variables: spec.variables)
    }
}

/// The outcome of rewriting one file.
public struct RewriteResult: Sendable {
    public enum Outcome: String, Sendable {
        /// Edits were made (or, with `--check`, would be).
        case rewritten
        /// Every definitions writer already waits for the registry query.
        case alreadyGuarded = "already-guarded"
        /// Nothing in the file writes image definitions.
        case noDefinitionsWriter = "no-definitions-writer"
        /// Every writer without a guard is silenced by an ignore comment: nothing to do.
        case ignored
        /// The file could not be handled; `diagnostics` says why.
        case error
        /// Neither a template nor a buildspec, for a file that had to be one of them to be
        /// read (see `HostRewriter.Selection`): left alone, and said nothing of.
        case skipped
    }

    public var outcome: Outcome
    /// The new bytes; equal to the input unless `outcome` is `.rewritten`.
    public var output: [UInt8]
    public var diagnostics: [Diagnostic]
    /// 1-based lines of the input where edits were made.
    public var editedLines: [Int]
    /// One error per writer that still needs its guard, for `--check`.
    public var pendingGuards: [Diagnostic] = []
    /// The edits that turned the input into `output`, for a host to map back into its file.
    var edits: [TextEdit] = []
}

/// The core of the tool: bytes of a buildspec in, guarded bytes and diagnostics out.
public enum BuildspecRewriter {
    /// Rewrites one buildspec so that its first pipeline run writes no image definitions.
    /// A pure function: no file system, no environment.
    public static func rewrite(_ bytes: [UInt8], options: RewriteOptions = RewriteOptions()) -> RewriteResult {
        func failed(_ diagnostic: Diagnostic) -> RewriteResult {
            RewriteResult(outcome: .error, output: bytes, diagnostics: [diagnostic], editedLines: [])
        }
        var override: ImageRepository?
        if let name = options.repositoryName {
            guard let repository = ImageRepository.named(name) else {
                return failed(Diagnostic(.error, rule: .invalidRepositoryName, at: nil, "`\(name)` is not a valid ECR repository name or `$VARIABLE`",
                                         fix: "use lowercase letters, digits, `.`, `_`, `-` and `/`, or a variable such as `$IMAGE_REPO_NAME`"))
            }
            override = repository
        }
        var registryID: String?
        if let account = options.registryID {
            guard let word = ImageRepository.registryAccount(account) else {
                return failed(Diagnostic(.error, rule: .invalidRegistryID, at: nil, "`\(account)` is not a registry id (a 12-digit AWS account) or `$VARIABLE`",
                                         fix: "pass the account that owns the ECR registry, such as `111122223333` or `$ECR_ACCOUNT_ID`"))
            }
            registryID = word
        }
        let source = SourceText(bytes)
        // Most files cannot write image definitions: one pass over the parser's events
        // validates them, without a tree.
        if options.definitionsFiles.isEmpty, BuildspecValidator.isQuietWithoutWriter(source) {
            return RewriteResult(outcome: .noDefinitionsWriter, output: bytes, diagnostics: [], editedLines: [])
        }
        return rewrite(source, options: options, override: override, registryID: registryID)
    }

    /// The full pipeline: tree, model, analysis, plan, edits.
    static func rewrite(_ source: SourceText, options: RewriteOptions, override: ImageRepository?, registryID: String?) -> RewriteResult {
        let bytes = source.bytes
        var diagnostics: [Diagnostic] = []
        func failed(_ diagnostic: Diagnostic) -> RewriteResult {
            RewriteResult(outcome: .error, output: bytes, diagnostics: diagnostics + [diagnostic], editedLines: [])
        }
        let root: YAMLNode
        do {
            root = try YAMLParser.parse(source)
        } catch {
            return failed(Diagnostic(.error, rule: .invalidYAML, at: error.position, "invalid YAML: \(error.message)", fix: "fix the YAML, then run again"))
        }
        let (parsedSpec, readDiagnostics) = BuildspecReader.read(root, source: source)
        diagnostics += readDiagnostics
        guard let spec = parsedSpec else {
            return RewriteResult(outcome: .error, output: bytes, diagnostics: diagnostics, editedLines: [])
        }
        // Searched command by command only when the file's bytes can hold one at all.
        if ECRGetLogin.mayBeRun(in: bytes) {
            for index in spec.commands.indices where spec.commands[index].withTextBytes(ECRGetLogin.isRun) == true {
                diagnostics.append(Diagnostic(
                    .warning, rule: .ecrGetLogin, at: spec.commands[index].node.start, "`aws ecr get-login` is gone in AWS CLI v2, which current CodeBuild images ship",
                    fix: "use `aws ecr get-login-password | docker login --username AWS --password-stdin REGISTRY`"
                ))
            }
        }
        for index in spec.commands.indices where spec.commands[index].node.kind == .mapping {
            let node = spec.commands[index].node
            if BuildspecAnalysis.mentionsDefinitionsFile(source.text(node.range), extraNames: options.definitionsFiles) {
                return failed(Diagnostic(.error, rule: .writerReadAsMapping, at: node.start,
                                         "this command writes image definitions, but YAML reads it as a mapping because of `: ` inside it",
                                         fix: "quote the whole command, or put it in a `- |` block, then run again"))
            }
        }
        // Most files write no image definitions: when no command can name a definitions file,
        // there is no writer to find, and neither the artifact matcher nor the analysis is needed.
        // Searched from the end: a writer is usually among the last commands.
        if options.definitionsFiles.isEmpty,
           !spec.commands.indices.reversed().contains(where: { spec.commands[$0].withTextBytes(ImageDefinitionsWriter.FileMatcher.mayNameDefinitionsFile) ?? false })
        {
            return RewriteResult(outcome: .noDefinitionsWriter, output: bytes, diagnostics: diagnostics, editedLines: [])
        }
        let matcher = options.matcher(for: spec)
        var analysis = BuildspecAnalysis(spec: spec, matcher: matcher, repositoryVariables: override?.identity ?? [], host: options.hostValues)
        analysis.applyIgnoreComments(source: source)
        diagnostics += analysis.diagnostics
        if analysis.diagnostics.contains(where: { $0.severity == .error }) {
            return RewriteResult(outcome: .error, output: bytes, diagnostics: diagnostics, editedLines: [])
        }
        if !analysis.writers.contains(where: { $0.needsGuard }) {
            let outcome: RewriteResult.Outcome = analysis.writers.isEmpty ? .noDefinitionsWriter
                : analysis.writers.contains { $0.isIgnored } ? .ignored : .alreadyGuarded
            return RewriteResult(outcome: outcome, output: bytes, diagnostics: diagnostics, editedLines: [])
        }
        let plan: RewritePlanner.Plan
        do {
            plan = try RewritePlanner(source: source, analysis: analysis, override: override, registryID: registryID).plan()
        } catch {
            return failed(error.diagnostic)
        }
        guard let output = TextEdit.apply(plan.edits, to: bytes) else {
            return failed(Diagnostic(.error, rule: .overlappingEdits, at: nil, "internal error: the planned edits overlap; nothing was written",
                                     fix: "please report this file"))
        }
        if options.verifiesOutput, let problem = RewriteVerifier.verify(original: spec, rewritten: output, plan: plan) {
            return failed(Diagnostic(.error, rule: .verificationFailed, at: nil, "internal error: \(problem); nothing was written",
                                     fix: "please report this file"))
        }
        // One finding per command and file: a file written in parts is one writer to the user.
        var pending: [Diagnostic] = []
        for writer in analysis.writers where writer.needsGuard {
            let finding = Diagnostic(.error, rule: .unguardedDefinitionsWriter, at: spec.commands[writer.command].node.start,
                                     "`\(writer.writer.file)` is written even when the ECR repository had no image before this build (first pipeline run)",
                                     fix: "run rewrite-buildspec on this file to guard it")
            if !pending.contains(finding) { pending.append(finding) }
        }
        return RewriteResult(outcome: .rewritten, output: output, diagnostics: diagnostics,
                             editedLines: Array(Set(plan.lines)).sorted(), pendingGuards: pending, edits: plan.edits)
    }
}
