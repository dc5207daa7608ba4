/// One file format that embeds buildspecs. A host finds the buildspecs of its file, takes one
/// of them through the buildspec pipeline with the edits mapped back and escaped into the
/// file's own bytes, and checks a rewritten file. `HostRewriter` does the rest the same way
/// for every host: the order, a refused buildspec among others, splicing, the outcome. The
/// buildspec pipeline never knows where its text came from; a new host is one new type.
protocol BuildspecHost: Sendable {
    /// One embedded buildspec, with what this host needs to edit it.
    associatedtype Unit
    /// The buildspecs of `source`, or nil when the bytes are not this host's.
    func read(_ source: SourceText, options: RewriteOptions) -> HostScan<Unit>?
    /// One buildspec through the buildspec pipeline: edits of the file's bytes, diagnostics
    /// at the file's lines and columns.
    func rewrite(_ unit: Unit, in source: SourceText, options: RewriteOptions) -> UnitRewrite
    /// Why `rewritten` is not what the edits meant, or nil: it is still a file of this host,
    /// changed nowhere but in the edited buildspecs, and each reads back as `results` expect.
    func verify(_ rewritten: [UInt8], original: SourceText, scan: HostScan<Unit>, results: [UnitRewrite], options: RewriteOptions) -> String?
}

/// What a host found in one file.
struct HostScan<Unit> {
    var units: [Unit]
    /// Refusals of forms the rewrite cannot edit safely, and notes (a buildspec named by file).
    var notes: [Diagnostic]

    /// Why `new`, read from `rewritten`, is not this scan with only the buildspecs changed (the
    /// same number of them, the same bytes around them), or nil. `range`: where a unit's bytes are.
    func changedOutside(_ new: HostScan, original: [UInt8], rewritten: [UInt8], range: (Unit) -> Range<Int>) -> String? {
        guard new.units.count == units.count else { return "the result holds other buildspecs" }
        var oldCursor = 0
        var newCursor = 0
        for (before, after) in zip(units, new.units) {
            guard original[oldCursor..<range(before).lowerBound] == rewritten[newCursor..<range(after).lowerBound] else {
                return "the result changed bytes outside the buildspecs"
            }
            oldCursor = range(before).upperBound
            newCursor = range(after).upperBound
        }
        return original[oldCursor...] == rewritten[newCursor...] ? nil : "the result changed bytes after the last buildspec"
    }
}

/// Bytes of a host file replaced: its own bytes, which need not be valid UTF-8.
struct ByteEdit {
    var range: Range<Int>
    var bytes: [UInt8]
}

/// One embedded buildspec, rewritten or not.
struct UnitRewrite {
    var outcome: RewriteResult.Outcome
    var edits: [ByteEdit] = []
    var diagnostics: [Diagnostic] = []
    var pendingGuards: [Diagnostic] = []
    /// What the buildspec must read back as in the rewritten file, in the host's own terms;
    /// nil when the host cannot read it at all (then its bytes must stay as they are). Only
    /// the verification reads it: a host may leave it nil when `verifiesOutput` is off.
    var expected: [UInt8]?
}

/// The whole pipeline for one file of any kind: pick the host, run the buildspec pipeline on
/// every embedded buildspec, splice the edits and check the result.
public enum HostRewriter {
    /// JSON first: a JSON template is also YAML, but its strings need JSON escapes.
    static let cloudFormationHosts: [any BuildspecHost] = [CloudFormationJSONHost(), CloudFormationYAMLHost()]

    /// The marker a template must hold before any parsing.
    static let projectMarker = BytePattern("AWS::CodeBuild::Project")
    static let terraformProjectMarker = BytePattern("aws_codebuild_project")

    public static func isBuildspecName(_ name: String) -> Bool {
        name.hasPrefixIgnoringASCIICase("buildspec") && (name.hasSuffixIgnoringASCIICase(".yml") || name.hasSuffixIgnoringASCIICase(".yaml"))
    }

    /// Whether a file name is one searched folders are read for templates in.
    public static func isTemplateCandidateName(_ name: String) -> Bool {
        name.hasSuffixIgnoringASCIICase(".yaml") || name.hasSuffixIgnoringASCIICase(".yml") || name.hasSuffixIgnoringASCIICase(".json")
            || name.hasSuffixIgnoringASCIICase(".template") || name.hasSuffixIgnoringASCIICase(".tf") || name.hasSuffixIgnoringASCIICase(".tpl")
            || name.hasSuffixIgnoringASCIICase(".tftpl")
    }

    static func isTerraformName(_ name: String) -> Bool {
        TerraformHost.kind(ofFileName: name) != nil || name.hasSuffixIgnoringASCIICase(".tf.json")
    }

    /// How the tool came to a file, which decides what the file may be read as.
    public enum Selection: Sendable {
        /// Named on the command line, or found by its buildspec name: read as whatever it holds.
        case named
        /// Found by a folder search for its extension alone: handled only as a template (a
        /// CloudFormation template, or a Terraform file that holds or is a CodeBuild buildspec).
        case candidate
        /// Named by a hook that passes every changed file (`--ignore-unrelated`): a file that is
        /// neither a template nor named as a buildspec is skipped.
        case hookFile
    }

    /// Rewrites one file of any kind, read by its name and content: Terraform by name, a
    /// CloudFormation template by content, else a plain buildspec. A file the selection does
    /// not let through comes back `.skipped`. `isTerraformTemplate`: whether a `.tf` file beside
    /// it renders it with `templatefile()`, which only the caller can know by reading the
    /// folder; asked only of a file that is not a `.tf` file, and only when it matters.
    public static func rewrite(_ bytes: [UInt8], fileName: String? = nil, options: RewriteOptions = RewriteOptions(),
                               selection: Selection = .named, isTerraformTemplate: @autoclosure () -> Bool = false) -> RewriteResult {
        let skipped = RewriteResult(outcome: .skipped, output: bytes, diagnostics: [], editedLines: [])
        let terraformKind = fileName.flatMap(TerraformHost.kind(ofFileName:))
        if terraformKind == nil, isTerraformTemplate() { return rewrite(bytes, host: TerraformHost(kind: .template), options: options) }
        if let fileName, isTerraformName(fileName) {
            // A searched or hook-passed Terraform file is read only when it is a buildspec's.
            if selection != .named {
                let holdsBuildspecs = terraformKind == .configuration ? terraformProjectMarker.occurs(in: bytes)
                    : TerraformHost.isTemplateName(fileName) || terraformKind == .template && isTerraformTemplate()
                guard holdsBuildspecs else { return skipped }
            }
            if let terraformKind { return rewrite(bytes, host: TerraformHost(kind: terraformKind), options: options) }
            return RewriteResult(outcome: .error, output: bytes, diagnostics: [Diagnostic(
                .error, rule: .unsupportedTemplateFile, at: nil, "Terraform JSON files (`.tf.json`) are not read yet, and rewriting one as a plain buildspec would break its `${...}` interpolations",
                fix: "guard the buildspec by hand for now, or move it to a buildspec file")], editedLines: [])
        }
        if projectMarker.occurs(in: bytes) {
            let source = SourceText(bytes)
            for host in cloudFormationHosts {
                if let result = rewrite(source, host: host, options: options) { return result }
            }
        }
        switch selection {
        case .candidate: return skipped
        case .hookFile where !(fileName.map(isBuildspecName) ?? true): return skipped
        case .named, .hookFile: return BuildspecRewriter.rewrite(bytes, options: options)
        }
    }

    /// One file through one host; a file the host does not read gives an error.
    static func rewrite(_ bytes: [UInt8], host: some BuildspecHost, options: RewriteOptions) -> RewriteResult {
        rewrite(SourceText(bytes), host: host, options: options) ?? RewriteResult(outcome: .error, output: bytes, diagnostics: [Diagnostic(
            .error, rule: .unreadableTemplate, at: nil, "cannot read this file as a template of its kind")], editedLines: [])
    }

    /// Every buildspec of the file through the buildspec pipeline; nil when the host does not
    /// read the file. A refused buildspec stays as it is while the others are still guarded.
    static func rewrite<Host: BuildspecHost>(_ source: SourceText, host: Host, options: RewriteOptions) -> RewriteResult? {
        guard let scan = host.read(source, options: options) else { return nil }
        let results = scan.units.map { host.rewrite($0, in: source, options: options) }
        let diagnostics = scan.notes + results.flatMap(\.diagnostics)
        let edits = results.filter { $0.outcome == .rewritten }.flatMap(\.edits)
        func failed(_ problem: String, rule: Rule) -> RewriteResult {
            RewriteResult(outcome: .error, output: source.bytes, diagnostics: diagnostics + [Diagnostic(
                .error, rule: rule, at: nil, "internal error: \(problem); nothing was written", fix: "please report this file")], editedLines: [])
        }
        guard !edits.isEmpty else {
            let outcome: RewriteResult.Outcome = diagnostics.contains { $0.severity == .error } ? .error
                : results.contains { $0.outcome == .ignored } ? .ignored
                : results.contains { $0.outcome == .alreadyGuarded } ? .alreadyGuarded : .noDefinitionsWriter
            return RewriteResult(outcome: outcome, output: source.bytes, diagnostics: diagnostics, editedLines: [])
        }
        guard let output = ByteEdit.apply(edits, to: source.bytes) else { return failed("the planned edits overlap", rule: .overlappingEdits) }
        if options.verifiesOutput, let problem = host.verify(output, original: source, scan: scan, results: results, options: options) {
            return failed(problem, rule: .hostVerificationFailed)
        }
        // The edits in file order, each one's lines counted on from the last: one walk over the
        // file, not one from its start per edit (52 M instructions over 1,000 templates).
        var lines: Set<Int> = []
        var known = SourcePosition(offset: 0, line: 1, column: 1)
        for range in edits.map(\.range).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            let first = source.line(ofByte: range.lowerBound, after: known)
            known = SourcePosition(offset: range.lowerBound, line: first, column: 1)
            lines.formUnion(first...source.line(ofByte: max(range.lowerBound, range.upperBound - 1), after: known))
        }
        return RewriteResult(outcome: .rewritten, output: output, diagnostics: diagnostics, editedLines: lines.sorted(),
                             pendingGuards: results.filter { $0.outcome == .rewritten }.flatMap(\.pendingGuards))
    }
}

extension ByteEdit {
    /// Applies edits to `bytes`; edits at the same offset keep the order they were made in.
    /// Nil when two overlap.
    static func apply(_ edits: [ByteEdit], to bytes: [UInt8]) -> [UInt8]? {
        let ordered = edits.enumerated().sorted { ($0.element.range.lowerBound, $0.offset) < ($1.element.range.lowerBound, $1.offset) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + edits.reduce(0) { $0 + $1.bytes.count })
        var cursor = 0
        for (_, edit) in ordered {
            guard edit.range.lowerBound >= cursor, edit.range.upperBound <= bytes.count else { return nil }
            output += bytes[cursor..<edit.range.lowerBound]
            output += edit.bytes
            cursor = edit.range.upperBound
        }
        output += bytes[cursor...]
        return output
    }
}
