/// A host whose buildspecs are texts with a map of every byte back to the file
/// (`EmbeddedBuildspec`): the CloudFormation templates. Edits are mapped through the map and
/// escaped by the buildspec's `InsertionEscaper`; a rewritten file is read again and must hold
/// the same buildspecs at the same places, each reading back as the guarded text.
protocol OffsetMappedHost: BuildspecHost where Unit == EmbeddedBuildspec {}

extension HostScan<EmbeddedBuildspec> {
    /// A BuildSpec value in a form the tool does not read (`form`): refused when it seems to
    /// write image definitions, else a note for `--verbose`.
    mutating func refuseOrNote(_ name: String, form: String, text: String, at start: SourcePosition, options: RewriteOptions, fix: String) {
        let matcher = ImageDefinitionsWriter.FileMatcher(extraNames: options.definitionsFiles)
        if BuildspecAnalysis.mentionsDefinitionsFile(text, matcher: matcher) || text.containsBytes("imageUri") || text.containsBytes("ImageURI") {
            notes.append(Diagnostic(.error, rule: .templateBuildspecUnsupportedForm, at: start,
                                    "\(name) is \(form), and it writes image definitions, so no guard can be added safely", fix: fix))
        } else {
            notes.append(Diagnostic(.note, rule: .templateValueNotRead, at: start, "\(name) is \(form); it is not read"))
        }
    }
}

extension OffsetMappedHost {
    func rewrite(_ embedded: EmbeddedBuildspec, in source: SourceText, options: RewriteOptions) -> UnitRewrite {
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
        var diagnostics = result.diagnostics.map(mapped)
        // Refused, it stays as it is and must read back as it was.
        let refused = { UnitRewrite(outcome: .error, diagnostics: diagnostics, expected: embedded.text) }
        guard result.outcome == .rewritten else {
            return UnitRewrite(outcome: result.outcome, diagnostics: diagnostics, expected: embedded.text)
        }
        var edits: [ByteEdit] = []
        for edit in result.edits {
            let lower = embedded.sources[edit.range.lowerBound]
            let upper = embedded.sources[edit.range.upperBound]
            guard lower <= upper, embedded.valueRange.contains(lower) || lower == embedded.valueRange.upperBound,
                  upper <= embedded.valueRange.upperBound
            else {
                diagnostics.append(Diagnostic(.error, rule: .hostVerificationFailed, at: embedded.start, "internal error: an edit of \(embedded.name) falls outside its value; it was not written",
                                              fix: "please report this file"))
                return refused()
            }
            guard let replacement = embedded.escaper.escape(edit.replacement) else {
                // The inserted line, without its indentation and list dash.
                var shown = edit.replacement.split(whereSeparator: \.isNewline).map { $0.trimmingPrefix { $0 == " " } }.first { !$0.isEmpty } ?? ""
                if shown.hasPrefix("- ") { shown = shown.dropFirst(2) }
                diagnostics.append(mapped(Diagnostic(
                    .error, rule: .hostSubstitutionInGuard, at: nil, "cannot write the guard for \(embedded.name) in its Sub string: it would take a CloudFormation substitution apart (`\(shown)`)",
                    fix: "put the image's repository in a project environment variable or a shell variable, or pass --repository-name NAME")))
                return refused()
            }
            edits.append(ByteEdit(range: lower..<upper, bytes: Array(replacement.utf8)))
        }
        return UnitRewrite(outcome: .rewritten, edits: edits, diagnostics: diagnostics, pendingGuards: result.pendingGuards.map(mapped), expected: result.output)
    }

    /// The rewritten file is still a host of this kind, holds the same buildspecs at the same
    /// places, changed no byte outside their values, and each reads back as the rewritten
    /// buildspec (the original plus the guard, as the buildspec pipeline proved).
    func verify(_ rewritten: [UInt8], original: SourceText, scan old: HostScan<EmbeddedBuildspec>, results: [UnitRewrite], options: RewriteOptions) -> String? {
        let source = SourceText(rewritten)
        guard let new = read(source, options: options) else { return "the result is no longer a readable template of its kind" }
        if let problem = old.changedOutside(new, original: original.bytes, rewritten: rewritten, range: \.valueRange) { return problem }
        for (after, result) in zip(new.units, results) where after.text != result.expected {
            return "\(after.name) does not read back as the rewritten buildspec"
        }
        return nil
    }
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
    var hostValues: HostValues { escaper.substitutions?.hostValues ?? HostValues() }

    /// Inside a Sub string: each substitution becomes a placeholder the shell reading keeps
    /// whole, and insertions are escaped for Sub.
    mutating func substitute(_ names: SubstitutionPlaceholders.Names) {
        let shell = SubstitutionPlaceholders.shellText(of: text, sources: sources, names: names)
        text = shell.text
        sources = shell.sources
        escaper.substitutions = shell.placeholders
    }
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
            return shellText.replacingBytes("\n", with: newline + indent)
        case .jsonString:
            return Self.jsonEscaped(shellText)
        case .jsonJoin(let between):
            // Split on the text's own line breaks, before escaping: a `\n` written in a
            // command (two characters) stays inside its line.
            return shellText.utf8.split(separator: 0x0A, omittingEmptySubsequences: false)
                .map { Self.jsonEscaped(String(decoding: $0, as: UTF8.self)) }.joined(separator: "\"" + between + "\"")
        }
    }

    /// The text as the inside of a JSON string, byte by byte: every scalar of two or more
    /// bytes stays as it is, and so does every ASCII byte but quotes, backslashes and controls.
    static func jsonEscaped(_ text: String) -> String {
        let hex = Array("0123456789abcdef".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += [UInt8(ascii: "\\"), UInt8(ascii: "\"")]
            case UInt8(ascii: "\\"): output += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case 0x0A: output += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0D: output += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0x09: output += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case ..<0x20: output += [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default: output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
