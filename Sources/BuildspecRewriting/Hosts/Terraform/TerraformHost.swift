/// Buildspecs inside Terraform: the heredocs of `aws_codebuild_project` in a `.tf` file, or a
/// template file (`buildspec.yml.tpl`, `*.tftpl`) that `templatefile()` renders. Each buildspec
/// is read as the shell will see it (`TemplateShellView`), rewritten by `BuildspecRewriter`,
/// and the edits are mapped back, escaped for HCL, and spliced; then the file is scanned again
/// and every buildspec must render as the rewritten one.
public enum TerraformHost {
    public enum Kind: Sendable {
        /// A `.tf` file.
        case configuration
        /// A template file: the whole file is one HCL template.
        case template
    }

    /// Rewrites the buildspecs of one Terraform file. A pure function, as `BuildspecRewriter.rewrite`.
    public static func rewrite(_ bytes: [UInt8], as kind: Kind, options: RewriteOptions = RewriteOptions()) -> RewriteResult {
        let source = SourceText(bytes)
        func failed(_ diagnostics: [Diagnostic]) -> RewriteResult {
            RewriteResult(outcome: .error, output: bytes, diagnostics: diagnostics, editedLines: [])
        }
        let units: [Unit]
        var diagnostics: [Diagnostic] = []
        switch Self.units(bytes, kind: kind) {
        case .failure(let diagnostic): return failed([diagnostic])
        case .success(let found, let notes):
            units = found
            diagnostics = notes
        }
        var results: [UnitResult] = []
        for unit in units {
            let result = rewrite(unit, in: source, options: options)
            diagnostics += result.diagnostics
            results.append(result)
        }
        // A refused buildspec stays as it is; the file's other buildspecs are still guarded.
        let edits = results.flatMap(\.edits)
        guard !edits.isEmpty else {
            let outcome: RewriteResult.Outcome = results.contains { $0.outcome == .error } ? .error
                : results.contains { $0.outcome == .ignored } ? .ignored
                : results.contains { $0.outcome == .alreadyGuarded } ? .alreadyGuarded : .noDefinitionsWriter
            return RewriteResult(outcome: outcome, output: bytes, diagnostics: diagnostics, editedLines: [])
        }
        let output = splice(edits, into: bytes)
        if options.verifiesOutput, let problem = verify(output, kind: kind, expected: results.map(\.rendered)) {
            return failed(diagnostics + [Diagnostic(.error, rule: .hostVerificationFailed, at: nil, "internal error: \(problem); nothing was written",
                                                    fix: "please report this file")])
        }
        var lines: Set<Int> = []
        for edit in edits {
            let first = source.position(ofByte: edit.range.lowerBound).line
            let last = source.position(ofByte: max(edit.range.lowerBound, edit.range.upperBound - 1)).line
            lines.formUnion(first...last)
        }
        return RewriteResult(outcome: .rewritten, output: output, diagnostics: diagnostics, editedLines: lines.sorted(),
                             pendingGuards: results.flatMap(\.pendingGuards))
    }

    /// The template files a `.tf` file names: `templatefile("${path.module}/x.tpl", ...)` and
    /// the `template = file(...)` of a `data "template_file"`, relative to the file's folder.
    public static func templateFiles(namedIn bytes: [UInt8]) -> [String] {
        (try? TerraformConfiguration(bytes))?.templateFiles ?? []
    }

    /// How a file named `fileName` is read: `.tf` as a configuration, `.tpl` / `.tftpl` as a
    /// template; nil for other names.
    public static func kind(ofFileName fileName: String) -> Kind? {
        let lower = fileName.lowercased()
        if lower.hasSuffix(".tf") { return .configuration }
        if lower.hasSuffix(".tpl") || lower.hasSuffix(".tftpl") { return .template }
        return nil
    }

    /// Whether a file name is a Terraform buildspec template by its name alone:
    /// `buildspec*.tpl` (`buildspec.yml.tpl` too) or `*.tftpl`.
    public static func isTemplateName(_ name: String) -> Bool {
        let lower = name.lowercased()
        return (lower.hasPrefix("buildspec") && lower.hasSuffix(".tpl")) || lower.hasSuffix(".tftpl")
    }

    // MARK: The buildspecs of a file

    /// One buildspec: a heredoc's body or a whole template file.
    struct Unit {
        /// `aws_codebuild_project.app` (source), for messages.
        var label: String
        var body: Range<Int>
        var stripsIndentation: Bool
        /// The `region` expressions of the module's default `aws` provider (`var.aws_region`).
        var providerRegions: Set<String> = []
    }

    private enum Found {
        case success(units: [Unit], notes: [Diagnostic])
        case failure(Diagnostic)
    }

    private static func units(_ bytes: [UInt8], kind: Kind) -> Found {
        let source = SourceText(bytes)
        guard kind == .configuration else {
            return .success(units: [Unit(label: "template", body: source.bomLength..<bytes.count, stripsIndentation: false)], notes: [])
        }
        let configuration: TerraformConfiguration
        do {
            configuration = try TerraformConfiguration(bytes)
        } catch {
            return .failure(Diagnostic(.error, rule: .unreadableTemplate, at: source.position(ofByte: error.offset), "cannot read this Terraform file: \(error.message)",
                                       fix: "check that `terraform validate` accepts it, then run again"))
        }
        var units: [Unit] = []
        var notes: [Diagnostic] = []
        for attribute in configuration.buildspecs {
            let label = "\(attribute.resource) (\(attribute.block))"
            switch attribute.value {
            case .heredoc(let heredoc):
                units.append(Unit(label: label, body: heredoc.body, stripsIndentation: heredoc.indented,
                                  providerRegions: configuration.providerRegions))
            case .expression(let range, let function):
                let written = source.text(range)
                let why = switch function {
                case "yamlencode", "jsonencode": "is `\(function!)` of an HCL object, not buildspec text"
                case "file", "templatefile": "is read from a file, which is rewritten as a file of its own"
                case nil where Self.isFileName(written): "names a file of the source, which is rewritten where the search finds it"
                default: "is not a heredoc"
                }
                notes.append(Diagnostic(.note, rule: .templateValueNotRead, at: source.position(ofByte: range.lowerBound),
                                        "the buildspec of \(label), `\(written.prefix(60))`, \(why): left alone"))
            }
        }
        return .success(units: units, notes: notes)
    }

    /// `"buildspec-prod.yml"`: a quoted path, as CodeBuild reads it from the source.
    private static func isFileName(_ expression: String) -> Bool {
        guard expression.count > 2, expression.hasPrefix("\""), expression.hasSuffix("\"") else { return false }
        let inner = expression.dropFirst().dropLast()
        return !inner.contains("\\") && !inner.contains("${") && !inner.contains(" ") && !inner.contains(":")
    }

    // MARK: One buildspec

    /// Bytes of the outer file replaced: its own bytes, which need not be valid UTF-8.
    struct ByteEdit {
        var range: Range<Int>
        var bytes: [UInt8]
    }

    struct UnitResult {
        var outcome: RewriteResult.Outcome
        var edits: [ByteEdit] = []
        var diagnostics: [Diagnostic] = []
        var pendingGuards: [Diagnostic] = []
        /// What the rewritten buildspec must render to (symbolic values); nil when it cannot be
        /// read as a template, so it cannot be edited either.
        var rendered: [UInt8]?
    }

    private static func rewrite(_ unit: Unit, in source: SourceText, options: RewriteOptions) -> UnitResult {
        // First every interpolation a variable the resolution can follow; an interpolation
        // whose repository name that cannot give exactly is then made opaque, once.
        // When that fails too, the first refusal is the one that says why.
        var opaque: Set<String> = []
        var firstRefusal: UnitResult?
        while true {
            switch rewrite(unit, in: source, options: options, opaque: opaque) {
            case .done(var result):
                if result.outcome == .error, let firstRefusal { result = firstRefusal }
                if result.outcome == .error {
                    // Refused, it is left as it is: it must render as before.
                    let view = try? TemplateShellView(raw: source.bytes, body: unit.body, stripsIndentation: unit.stripsIndentation)
                    result.rendered = view.map { $0.render(view: $0.text) }
                }
                return result
            case .retry(let interpolation, let refusal):
                opaque.insert(interpolation)
                firstRefusal = firstRefusal ?? refusal
            }
        }
    }

    private enum Attempt {
        case done(UnitResult)
        /// The refusal if the interpolation stays a variable.
        case retry(opaque: String, otherwise: UnitResult)
    }

    private static func rewrite(_ unit: Unit, in source: SourceText, options: RewriteOptions, opaque: Set<String>) -> Attempt {
        let raw = source.bytes
        let view: TemplateShellView
        do {
            view = try TemplateShellView(raw: raw, body: unit.body, stripsIndentation: unit.stripsIndentation, opaque: opaque)
        } catch {
            return .done(UnitResult(outcome: .error, diagnostics: [
                Diagnostic(.error, rule: .unreadableTemplate, at: source.position(ofByte: unit.body.lowerBound + error.offset),
                           "the buildspec of \(unit.label) is not a valid Terraform template: \(error.message)")
            ]))
        }
        var innerOptions = options
        innerOptions.hostValues = view.hostValues(providerRegions: unit.providerRegions)
        let inner = BuildspecRewriter.rewrite(view.text, options: innerOptions)
        func mapped(_ diagnostic: Diagnostic) -> Diagnostic {
            var diagnostic = diagnostic
            if let position = diagnostic.position { diagnostic.position = source.position(ofByte: view.rawOffset(position.offset)) }
            diagnostic.message = view.restored(diagnostic.message)
            diagnostic.fix = diagnostic.fix.map(view.restored)
            return diagnostic
        }
        var diagnostics = inner.diagnostics.map(mapped)
        switch inner.outcome {
        case .error:
            let matcher = ImageDefinitionsWriter.FileMatcher(extraNames: options.definitionsFiles, artifactFiles: [])
            if !BuildspecAnalysis.mentionsDefinitionsFile(String(decoding: view.text, as: UTF8.self), matcher: matcher) {
                let reason = diagnostics.first { $0.severity == .error }?.message ?? "it is not a buildspec"
                return .done(UnitResult(outcome: .noDefinitionsWriter, diagnostics: [
                    Diagnostic(.note, rule: .templateValueNotRead, at: source.position(ofByte: unit.body.lowerBound),
                               "the buildspec of \(unit.label) is not one this tool reads (\(reason)); it names no image-definitions file, so it is left alone")
                ], rendered: view.render(view: view.text)))
            }
            return .done(UnitResult(outcome: .error, diagnostics: diagnostics))
        case .alreadyGuarded, .noDefinitionsWriter, .ignored, .skipped:
            return .done(UnitResult(outcome: inner.outcome, diagnostics: diagnostics, rendered: view.render(view: view.text)))
        case .rewritten:
            break
        }
        let hunks = hunks(inner.edits, in: view.text)
        for hunk in hunks {
            let touchesDirective = view.directiveOffsets.contains { hunk.range.contains($0) || $0 == hunk.range.upperBound }
                || view.conditionalRanges.contains { $0.lowerBound <= hunk.range.upperBound && hunk.range.lowerBound < $0.upperBound }
            if touchesDirective {
                diagnostics.append(Diagnostic(
                    .error, rule: .writerInTemplateDirective, at: source.position(ofByte: view.rawOffset(hunk.range.lowerBound)),
                    "the guard would go inside a `%{ if }` / `%{ for }` directive of the template, which renders it zero or many times",
                    fix: "move the image-definitions writer and its `docker push` out of the directive, then run again"))
                return .done(UnitResult(outcome: .error, diagnostics: diagnostics))
            }
        }
        var edits: [ByteEdit] = []
        for hunk in hunks {
            do {
                let start = try view.rawLineStart(ofViewLineAt: hunk.range.lowerBound, in: raw)
                let end = try view.rawLineStart(ofViewLineAt: hunk.range.upperBound, in: raw)
                let text = try view.rawText(of: hunk.replacement[...])
                edits.append(ByteEdit(range: start..<end, bytes: text))
            } catch {
                diagnostics.append(Diagnostic(.error, rule: .hostSubstitutionInGuard, at: source.position(ofByte: view.rawOffset(hunk.range.lowerBound)), error.message,
                                              fix: "pass `--repository-name NAME` (or `--repository-name '$VARIABLE'`), or interpolate the repository's name, such as `${aws_ecr_repository.app.name}`"))
                let refusal = UnitResult(outcome: .error, diagnostics: diagnostics)
                if let interpolation = error.inexactRepository, !opaque.contains(interpolation) { return .retry(opaque: interpolation, otherwise: refusal) }
                return .done(refusal)
            }
        }
        return .done(UnitResult(outcome: .rewritten, edits: edits, diagnostics: diagnostics,
                                pendingGuards: inner.pendingGuards.map(mapped), rendered: view.render(view: inner.output)))
    }

    /// The pipeline's edits widened to whole lines of the view and merged: a hunk replaces
    /// lines, so the outer file changes only on the lines that change.
    static func hunks(_ edits: [TextEdit], in text: [UInt8]) -> [(range: Range<Int>, replacement: [UInt8])] {
        func lineStart(_ offset: Int) -> Int {
            var index = offset
            while index > 0, text[index - 1] != UInt8(ascii: "\n") { index -= 1 }
            return index
        }
        func nextLineStart(_ offset: Int) -> Int {
            var index = offset
            while index < text.count, text[index] != UInt8(ascii: "\n") { index += 1 }
            return min(index + 1, text.count)
        }
        let ordered = edits.enumerated().sorted { ($0.element.range.lowerBound, $0.offset) < ($1.element.range.lowerBound, $1.offset) }.map(\.element)
        var groups: [(range: Range<Int>, edits: [TextEdit])] = []
        for edit in ordered {
            let lower = lineStart(edit.range.lowerBound)
            let upperIsLineStart = lineStart(edit.range.upperBound) == edit.range.upperBound
            let endsLine = !edit.range.isEmpty || edit.replacement.hasSuffix("\n") || edit.replacement.isEmpty
            let upper = upperIsLineStart && endsLine ? edit.range.upperBound : nextLineStart(edit.range.upperBound)
            if let last = groups.last, lower <= last.range.upperBound {
                groups[groups.count - 1] = (last.range.lowerBound..<max(upper, last.range.upperBound), last.edits + [edit])
            } else {
                groups.append((lower..<upper, [edit]))
            }
        }
        return groups.map { group in
            var replacement: [UInt8] = []
            var cursor = group.range.lowerBound
            for edit in group.edits {
                replacement += text[cursor..<edit.range.lowerBound]
                replacement += Array(edit.replacement.utf8)
                cursor = edit.range.upperBound
            }
            replacement += text[cursor..<group.range.upperBound]
            return (group.range, replacement)
        }
    }

    private static func splice(_ edits: [ByteEdit], into bytes: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var cursor = 0
        for edit in edits.sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
            output += bytes[cursor..<edit.range.lowerBound]
            output += edit.bytes
            cursor = edit.range.upperBound
        }
        return output + bytes[cursor...]
    }

    /// Scans the new file again: the same buildspecs, each rendering as the rewritten one.
    private static func verify(_ output: [UInt8], kind: Kind, expected: [[UInt8]?]) -> String? {
        guard case .success(let found, _) = units(output, kind: kind) else { return "the rewritten file cannot be read again" }
        var expected = expected[...]
        for unit in found {
            // Buildspecs without edits are compared too: they must render as before.
            guard let next = expected.first else { return "the rewritten file holds more buildspecs" }
            expected = expected.dropFirst()
            let view = try? TemplateShellView(raw: output, body: unit.body, stripsIndentation: unit.stripsIndentation)
            guard let next else {
                // One that was no valid template is still none (its bytes are untouched).
                if view == nil { continue }
                return "the rewritten buildspec of \(unit.label) became a valid template"
            }
            guard let view else { return "the rewritten buildspec of \(unit.label) is not a valid template" }
            if view.render(view: view.text) != next { return "the rewritten buildspec of \(unit.label) does not render as the guarded one" }
        }
        return expected.isEmpty ? nil : "the rewritten file holds fewer buildspecs"
    }
}
