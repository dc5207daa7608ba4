/// A kind of template that embeds buildspecs and is read through `BuildspecHost`.
enum HostKind: String, Sendable {
    case cloudFormationYAML = "cfn-yaml"
    case cloudFormationJSON = "cfn-json"
}

/// One file format that embeds buildspecs. A host reads its file into the buildspecs it holds,
/// each as the text CodeBuild will see in shell terms with a way back to the file's bytes;
/// the buildspec pipeline never knows where its text came from. A new host is one new type.
protocol BuildspecHost {
    /// The embedded buildspecs of `source`, or nil when the bytes are not this host's.
    static func read(_ source: SourceText, options: RewriteOptions) -> HostReading?
}

/// What a host found in one file.
struct HostReading {
    var kind: HostKind
    var buildspecs: [EmbeddedBuildspec]
    /// Refusals of forms the rewrite cannot edit safely, and notes (a buildspec named by file).
    var diagnostics: [Diagnostic]
}

/// One buildspec inside a host file.
struct EmbeddedBuildspec {
    /// Where it is, for messages: `BuildProject`'s `Source.BuildSpec`.
    var name: String
    /// The buildspec as CodeBuild runs it, in shell terms; each host substitution stands in it
    /// as a placeholder (see `SubstitutionPlaceholders`).
    var text: [UInt8]
    /// For every byte offset of `text` (and its end), the offset in the host file; insertions
    /// at a line start land after the block's indentation.
    var sources: [Int]
    /// The host bytes that hold the value; nothing outside them may change.
    var valueRange: Range<Int>
    var escaper: InsertionEscaper
    var start: SourcePosition
    /// Which variables of `text` are the host's substitutions, and what they stand for.
    var hostValues = HostValues()
}

/// Writes text meant for an embedded buildspec the way its host must hold it.
struct InsertionEscaper {
    enum Container {
        /// A YAML literal block: every new line gets the block's indentation.
        case yamlBlock(indent: String, newline: String)
        /// A JSON string.
        case jsonString
        /// Lines of an `Fn::Join` with "\n": a line break closes the string and opens the next
        /// one, with `between` (`,` and the blanks) between them.
        case jsonJoin(between: String)
    }

    var container: Container
    /// Set inside an `Fn::Sub` string.
    var substitutions: SubstitutionPlaceholders?

    /// `text` as the host holds it; nil when it cannot be written there (a Sub placeholder the
    /// guard took apart).
    func escape(_ text: String) -> String? {
        var shellText = text
        if let substitutions {
            guard let escaped = substitutions.escapeForSub(text) else { return nil }
            shellText = escaped
        }
        switch container {
        case .yamlBlock(let indent, let newline):
            return shellText.replacing("\n", with: newline + indent)
        case .jsonString:
            return Self.jsonEscaped(shellText)
        case .jsonJoin(let between):
            return Self.jsonEscaped(shellText).replacing("\\n", with: "\"" + between + "\"")
        }
    }

    static func jsonEscaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}

/// The whole pipeline for one file of any kind: read the host, run the buildspec pipeline on
/// every embedded buildspec, map its edits back, splice them and check the result.
public enum HostRewriter {
    /// JSON first: a JSON template is also YAML, but its strings need JSON escapes.
    static var hosts: [any BuildspecHost.Type] { [CloudFormationJSONHost.self, CloudFormationYAMLHost.self] }

    /// The marker a template must hold before any parsing.
    static let projectMarker = Array("AWS::CodeBuild::Project".utf8)
    static let terraformProjectMarker = Array("aws_codebuild_project".utf8)

    public static func isBuildspecName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower.hasPrefix("buildspec") && (lower.hasSuffix(".yml") || lower.hasSuffix(".yaml"))
    }

    /// Whether a file name is one searched folders are read for templates in.
    public static func isTemplateCandidateName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return [".yaml", ".yml", ".json", ".template", ".tf", ".tpl", ".tftpl"].contains { lower.hasSuffix($0) }
    }

    static func isTerraformName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return [".tf", ".tpl", ".tftpl", ".tf.json"].contains { lower.hasSuffix($0) }
    }

    /// Rewrites one file, whatever host it is. A pure function of its arguments.
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
    /// not let through comes back `.skipped`. `isTerraformTemplate`: a `.tf` file beside it
    /// renders it with `templatefile()` (which only the caller, reading the folder, can know).
    public static func rewrite(_ bytes: [UInt8], fileName: String? = nil, options: RewriteOptions = RewriteOptions(),
                               selection: Selection = .named, isTerraformTemplate: Bool = false) -> RewriteResult {
        let skipped = RewriteResult(outcome: .skipped, output: bytes, diagnostics: [], editedLines: [])
        let terraformKind = fileName.flatMap(TerraformHost.kind(ofFileName:))
        if isTerraformTemplate, terraformKind == nil { return TerraformHost.rewrite(bytes, as: .template, options: options) }
        if let fileName, isTerraformName(fileName) {
            // A searched or hook-passed Terraform file is read only when it is a buildspec's.
            let holdsBuildspecs = terraformKind == .configuration ? bytes.containsBytes(terraformProjectMarker)
                : TerraformHost.isTemplateName(fileName) || isTerraformTemplate
            if selection != .named, !holdsBuildspecs { return skipped }
            if let terraformKind { return TerraformHost.rewrite(bytes, as: terraformKind, options: options) }
            return RewriteResult(outcome: .error, output: bytes, diagnostics: [Diagnostic(
                .error, rule: .unsupportedTemplateFile, at: nil, "Terraform JSON files (`.tf.json`) are not read yet, and rewriting one as a plain buildspec would break its `${...}` interpolations",
                fix: "guard the buildspec by hand for now, or move it to a buildspec file")], editedLines: [])
        }
        if bytes.containsBytes(projectMarker) {
            let source = SourceText(bytes)
            for host in hosts {
                if let reading = host.read(source, options: options) {
                    return rewrite(reading, source: source, host: host, options: options)
                }
            }
        }
        switch selection {
        case .candidate: return skipped
        case .hookFile where !(fileName.map(isBuildspecName) ?? true): return skipped
        case .named, .hookFile: return BuildspecRewriter.rewrite(bytes, options: options)
        }
    }

    private static func rewrite(_ reading: HostReading, source: SourceText, host: any BuildspecHost.Type, options: RewriteOptions) -> RewriteResult {
        var diagnostics = reading.diagnostics
        var outerEdits: [TextEdit] = []
        var pending: [Diagnostic] = []
        var expectedTexts: [[UInt8]] = []
        var anyRewritten = false
        var anyGuarded = false
        var anyIgnored = false
        var lines: [Int] = []
        for embedded in reading.buildspecs {
            var embeddedOptions = options
            embeddedOptions.hostValues = embedded.hostValues
            let result = BuildspecRewriter.rewrite(embedded.text, options: embeddedOptions)
            func mapped(_ diagnostic: Diagnostic) -> Diagnostic {
                var copy = diagnostic
                copy.position = diagnostic.position.map { source.position(ofByte: embedded.sources[min($0.offset, embedded.sources.count - 1)]) } ?? embedded.start
                if let substitutions = embedded.escaper.substitutions {
                    copy.message = substitutions.restored(copy.message)
                    copy.fix = copy.fix.map(substitutions.restored)
                }
                return copy
            }
            diagnostics += result.diagnostics.map(mapped)
            expectedTexts.append(result.output)
            switch result.outcome {
            case .error, .noDefinitionsWriter, .skipped: continue
            case .alreadyGuarded: anyGuarded = true; continue
            case .ignored: anyIgnored = true; continue
            case .rewritten: break
            }
            var edits: [TextEdit] = []
            var refused = false
            for edit in result.edits {
                let lower = embedded.sources[edit.range.lowerBound]
                let upper = embedded.sources[edit.range.upperBound]
                guard lower <= upper, embedded.valueRange.contains(lower) || lower == embedded.valueRange.upperBound,
                      upper <= embedded.valueRange.upperBound
                else {
                    diagnostics.append(Diagnostic(.error, rule: .hostVerificationFailed, at: embedded.start, "internal error: an edit of \(embedded.name) falls outside its value; nothing was written",
                                                  fix: "please report this file"))
                    return RewriteResult(outcome: .error, output: source.bytes, diagnostics: diagnostics, editedLines: [])
                }
                guard let replacement = embedded.escaper.escape(edit.replacement) else {
                    // The inserted line, without its indentation and list dash.
                    var shown = edit.replacement.split(whereSeparator: \.isNewline).map { $0.trimmingPrefix { $0 == " " } }.first { !$0.isEmpty } ?? ""
                    if shown.hasPrefix("- ") { shown = shown.dropFirst(2) }
                    diagnostics.append(mapped(Diagnostic(
                        .error, rule: .hostSubstitutionInGuard, at: nil, "cannot write the guard for \(embedded.name) in its Sub string: it would take a CloudFormation substitution apart (`\(shown)`)",
                        fix: "put the image's repository in a project environment variable or a shell variable, or pass --repository-name NAME")))
                    refused = true
                    break
                }
                edits.append(TextEdit(range: lower..<upper, replacement: replacement))
                lines.append(source.position(ofByte: lower).line)
            }
            if refused { continue }
            outerEdits += edits
            pending += result.pendingGuards.map(mapped)
            anyRewritten = true
        }
        let hasErrors = diagnostics.contains { $0.severity == .error }
        guard anyRewritten else {
            let outcome: RewriteResult.Outcome = hasErrors ? .error : anyIgnored ? .ignored : anyGuarded ? .alreadyGuarded : .noDefinitionsWriter
            return RewriteResult(outcome: outcome, output: source.bytes, diagnostics: diagnostics, editedLines: [])
        }
        guard let output = TextEdit.apply(outerEdits, to: source.bytes) else {
            return RewriteResult(outcome: .error, output: source.bytes, diagnostics: diagnostics + [Diagnostic(
                .error, rule: .overlappingEdits, at: nil, "internal error: the planned edits overlap; nothing was written", fix: "please report this file")], editedLines: [])
        }
        if options.verifiesOutput, let problem = verify(reading, expectedTexts: expectedTexts, original: source, rewritten: output, host: host, options: options) {
            return RewriteResult(outcome: .error, output: source.bytes, diagnostics: diagnostics + [Diagnostic(
                .error, rule: .hostVerificationFailed, at: nil, "internal error: \(problem); nothing was written", fix: "please report this file")], editedLines: [])
        }
        return RewriteResult(outcome: .rewritten, output: output, diagnostics: diagnostics,
                             editedLines: Array(Set(lines)).sorted(), pendingGuards: pending)
    }

    /// The rewritten file is still a host of its kind, holds the same buildspecs at the same
    /// places, changed no byte outside their values, and each reads back as the rewritten
    /// buildspec (the original plus the guard, as the buildspec pipeline proved).
    static func verify(_ old: HostReading, expectedTexts: [[UInt8]], original: SourceText, rewritten: [UInt8],
                       host: any BuildspecHost.Type, options: RewriteOptions) -> String? {
        let source = SourceText(rewritten)
        guard let new = host.read(source, options: options), new.kind == old.kind else {
            return "the result is no longer a readable \(old.kind.rawValue) template"
        }
        guard new.buildspecs.count == old.buildspecs.count else { return "the result holds other buildspecs" }
        var oldCursor = 0
        var newCursor = 0
        for (before, after) in zip(old.buildspecs, new.buildspecs) {
            guard original.bytes[oldCursor..<before.valueRange.lowerBound] == source.bytes[newCursor..<after.valueRange.lowerBound] else {
                return "the result changed bytes outside the BuildSpec values (before \(before.name))"
            }
            oldCursor = before.valueRange.upperBound
            newCursor = after.valueRange.upperBound
        }
        guard original.bytes[oldCursor...] == source.bytes[newCursor...] else { return "the result changed bytes after the last BuildSpec value" }
        for (index, after) in new.buildspecs.enumerated() where after.text != expectedTexts[index] {
            return "\(after.name) does not read back as the rewritten buildspec"
        }
        return nil
    }
}
