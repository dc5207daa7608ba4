#if canImport(Glibc)
internal import Glibc
#elseif canImport(Darwin)
internal import Darwin
#endif

/// Buildspecs inside Terraform: the heredocs of `aws_codebuild_project` in a `.tf` file, or a
/// template file (`buildspec.yml.tpl`, `*.tftpl`) that `templatefile()` renders. Each buildspec
/// is read as the shell will see it (`TemplateShellView`), rewritten by `BuildspecRewriter`, and
/// the edits are mapped back as whole lines, escaped for HCL; the rewritten file is scanned
/// again and every buildspec must render as the rewritten one.
public struct TerraformHost: BuildspecHost {
    public enum Kind: Sendable {
        /// A `.tf` file.
        case configuration
        /// A template file: the whole file is one HCL template.
        case template
    }

    let kind: Kind

    /// Rewrites the buildspecs of one Terraform file. A pure function, as `BuildspecRewriter.rewrite`.
    public static func rewrite(_ bytes: [UInt8], as kind: Kind, options: RewriteOptions = RewriteOptions()) -> RewriteResult {
        HostRewriter.rewrite(bytes, host: TerraformHost(kind: kind), options: options)
    }

    /// The template files a `.tf` file names: `templatefile("${path.module}/x.tpl", ...)` and
    /// the `template = file(...)` of a `data "template_file"`, relative to the file's folder.
    public static func templateFiles(namedIn bytes: [UInt8]) -> [String] {
        (try? TerraformConfiguration(bytes))?.templateFiles ?? []
    }

    /// How a file named `fileName` is read: `.tf` as a configuration, `.tpl` / `.tftpl` as a
    /// template; nil for other names.
    public static func kind(ofFileName fileName: String) -> Kind? {
        if fileName.hasSuffixIgnoringASCIICase(".tf") { return .configuration }
        if fileName.hasSuffixIgnoringASCIICase(".tpl") || fileName.hasSuffixIgnoringASCIICase(".tftpl") { return .template }
        return nil
    }

    /// Whether a file name is a Terraform buildspec template by its name alone:
    /// `buildspec*.tpl` (`buildspec.yml.tpl` too) or `*.tftpl`.
    public static func isTemplateName(_ name: String) -> Bool {
        (name.hasPrefixIgnoringASCIICase("buildspec") && name.hasSuffixIgnoringASCIICase(".tpl")) || name.hasSuffixIgnoringASCIICase(".tftpl")
    }

    /// Whether the bytes hold `${` or `%{`: only then can a template file differ from what it
    /// renders, so only then is it worth finding out whether a `.tf` file renders it.
    public static func holdsTemplateSequence(_ bytes: [UInt8]) -> Bool {
        // One walk from `{` to `{`: `$` is far more common in a buildspec than `{`, and two
        // searches read a file that holds neither twice.
        bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return false }
            var index = 1
            while index < buffer.count, let hit = memchr(base + index, Int32(UInt8(ascii: "{")), buffer.count - index) {
                index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if base[index - 1] == UInt8(ascii: "$") || base[index - 1] == UInt8(ascii: "%") { return true }
                index += 1
            }
            return false
        }
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

    /// The buildspecs of a file: a configuration's heredocs, or a template as a whole. A file
    /// that is no valid HCL is read as none, with the error.
    func read(_ source: SourceText, options: RewriteOptions) -> HostScan<Unit>? {
        let bytes = source.bytes
        guard kind == .configuration else {
            return HostScan(units: [Unit(label: "template", body: source.bomLength..<bytes.count, stripsIndentation: false)], notes: [])
        }
        let configuration: TerraformConfiguration
        do {
            configuration = try TerraformConfiguration(bytes)
        } catch {
            return HostScan(units: [], notes: [Diagnostic(.error, rule: .unreadableTemplate, at: source.position(ofByte: error.offset), "cannot read this Terraform file: \(error.message)",
                                                          fix: "check that `terraform validate` accepts it, then run again")])
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
        return HostScan(units: units, notes: notes)
    }

    /// `"buildspec-prod.yml"`: a quoted path, as CodeBuild reads it from the source.
    private static func isFileName(_ expression: String) -> Bool {
        guard expression.count > 2, expression.hasPrefix("\""), expression.hasSuffix("\"") else { return false }
        let inner = expression.dropFirst().dropLast()
        return !inner.contains("\\") && !inner.contains("${") && !inner.contains(" ") && !inner.contains(":")
    }

    // MARK: One buildspec

    func rewrite(_ unit: Unit, in source: SourceText, options: RewriteOptions) -> UnitRewrite {
        // First every interpolation a variable the resolution can follow; an interpolation
        // whose repository name that cannot give exactly is then made opaque, once.
        // When that fails too, the first refusal is the one that says why.
        var opaque: Set<String> = []
        var firstRefusal: UnitRewrite?
        while true {
            switch Self.rewrite(unit, in: source, options: options, opaque: opaque) {
            case .done(var result):
                if result.outcome == .error, let firstRefusal { result = firstRefusal }
                if result.outcome == .error, options.verifiesOutput {
                    // Refused, it is left as it is: it must render as before.
                    let view = try? TemplateShellView(raw: source.bytes, body: unit.body, stripsIndentation: unit.stripsIndentation)
                    result.expected = view.map { $0.render(view: $0.text) }
                }
                return result
            case .retry(let interpolation, let refusal):
                opaque.insert(interpolation)
                firstRefusal = firstRefusal ?? refusal
            }
        }
    }

    private enum Attempt {
        case done(UnitRewrite)
        /// The refusal if the interpolation stays a variable.
        case retry(opaque: String, otherwise: UnitRewrite)
    }

    private static func rewrite(_ unit: Unit, in source: SourceText, options: RewriteOptions, opaque: Set<String>) -> Attempt {
        let raw = source.bytes
        let view: TemplateShellView
        do {
            view = try TemplateShellView(raw: raw, body: unit.body, stripsIndentation: unit.stripsIndentation, opaque: opaque)
        } catch {
            return .done(UnitRewrite(outcome: .error, diagnostics: [
                Diagnostic(.error, rule: .unreadableTemplate, at: source.position(ofByte: unit.body.lowerBound + error.offset),
                           "the buildspec of \(unit.label) is not a valid Terraform template: \(error.message)")
            ]))
        }
        // What the unit must render as, for the verification alone: `--check` needs none.
        func rendering(_ text: [UInt8]) -> [UInt8]? { options.verifiesOutput ? view.render(view: text) : nil }
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
                return .done(UnitRewrite(outcome: .noDefinitionsWriter, diagnostics: [
                    Diagnostic(.note, rule: .templateValueNotRead, at: source.position(ofByte: unit.body.lowerBound),
                               "the buildspec of \(unit.label) is not one this tool reads (\(reason)); it names no image-definitions file, so it is left alone")
                ], expected: rendering(view.text)))
            }
            return .done(UnitRewrite(outcome: .error, diagnostics: diagnostics))
        case .alreadyGuarded, .noDefinitionsWriter, .ignored, .skipped:
            return .done(UnitRewrite(outcome: inner.outcome, diagnostics: diagnostics, expected: rendering(view.text)))
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
                return .done(UnitRewrite(outcome: .error, diagnostics: diagnostics))
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
                let refusal = UnitRewrite(outcome: .error, diagnostics: diagnostics)
                if let interpolation = error.inexactRepository, !opaque.contains(interpolation) { return .retry(opaque: interpolation, otherwise: refusal) }
                return .done(refusal)
            }
        }
        return .done(UnitRewrite(outcome: .rewritten, edits: edits, diagnostics: diagnostics,
                                pendingGuards: inner.pendingGuards.map(mapped), expected: rendering(inner.output)))
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

    /// Scans the new file again: the same buildspecs at the same places, no byte changed
    /// between them, and each renders as the rewritten one (a refused one that is no valid
    /// template keeps its bytes).
    func verify(_ rewritten: [UInt8], original: SourceText, scan old: HostScan<Unit>, results: [UnitRewrite], options: RewriteOptions) -> String? {
        guard let new = read(SourceText(rewritten), options: options), !new.notes.contains(where: { $0.severity == .error }) else {
            return "the rewritten file cannot be read again"
        }
        if let problem = old.changedOutside(new, original: original.bytes, rewritten: rewritten, range: \.body) { return problem }
        for ((before, after), result) in zip(zip(old.units, new.units), results) {
            // Buildspecs without edits are compared too: they must render as before.
            guard let rendering = result.expected else {
                if !rewritten[after.body].elementsEqual(original.bytes[before.body]) { return "the refused buildspec of \(after.label) changed" }
                continue
            }
            guard let view = try? TemplateShellView(raw: rewritten, body: after.body, stripsIndentation: after.stripsIndentation) else {
                return "the rewritten buildspec of \(after.label) is not a valid template"
            }
            if view.render(view: view.text) != rendering { return "the rewritten buildspec of \(after.label) does not render as the guarded one" }
        }
        return nil
    }
}
