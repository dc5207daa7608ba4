/// `# rewrite-buildspec: ignore RB001` on a writer's line, or on the line above it: the team
/// guards that writer in its own way, so the rewrite leaves it alone and `--check` does not
/// count it. The comment is a YAML comment (or, inside a `- |` block, a shell comment), so it
/// changes nothing that CodeBuild runs.
enum IgnoreComment {
    static let marker = "rewrite-buildspec:"
    fileprivate static let markerPattern = BytePattern(marker)

    /// Whether the line holding `offset`, or the line above it, has an ignore comment that
    /// names `rule`.
    static func ignores(_ rule: Rule, at offset: Int, in source: SourceText) -> Bool {
        let start = source.lineStart(ofByte: offset)
        var lines = [start..<source.lineEnd(ofByte: offset)]
        if start > 0 {
            // The line break before the line: one byte, or two for CRLF.
            var lineBreak = start - 1
            if lineBreak > 0, source.bytes[lineBreak] == 0x0A, source.bytes[lineBreak - 1] == 0x0D { lineBreak -= 1 }
            let above = source.lineStart(ofByte: lineBreak)
            lines.append(above..<lineBreak)
        }
        return lines.contains { ids(inLine: source.text($0)).contains(rule.id) }
    }

    /// The rule ids after `# rewrite-buildspec: ignore` in one line (separated by spaces or
    /// commas); none when the line has no such comment.
    static func ids(inLine line: String) -> [String] {
        var rest = Substring(line)
        while let hash = rest.firstIndex(of: "#") {
            // A comment starts a line or follows a blank, in YAML as in shell.
            let startsComment = hash == line.startIndex || line[line.index(before: hash)] == " " || line[line.index(before: hash)] == "\t"
            rest = rest[rest.index(after: hash)...]
            guard startsComment else { continue }
            var words = rest.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," })[...]
            guard words.first == Substring(marker) else { continue }
            words = words.dropFirst()
            guard words.first == "ignore" else { continue }
            return words.dropFirst().prefix { $0.wholeMatch(of: /RB[0-9]{3}/) != nil }.map(String.init)
        }
        return []
    }
}

extension BuildspecAnalysis {
    /// Marks the unguarded writers that an ignore comment silences, each with a note.
    mutating func applyIgnoreComments(source: SourceText) {
        // Most files have no such comment: one byte search, and nothing else to do.
        guard IgnoreComment.markerPattern.occurs(in: source.bytes) else { return }
        for index in writers.indices where !writers[index].isGuarded {
            let command = spec.commands[writers[index].command]
            let offset = ScalarSourceMap(node: command.node, source: source)
                .map { $0.source(writers[index].place.pipeline.range.lowerBound) } ?? command.node.range.lowerBound
            guard IgnoreComment.ignores(.unguardedDefinitionsWriter, at: offset, in: source) else { continue }
            writers[index].isIgnored = true
            diagnostics.append(Diagnostic(
                .note, rule: .ignoredDefinitionsWriter, at: command.node.start,
                "`\(writers[index].writer.file)` is left without the first-run guard, as `# rewrite-buildspec: ignore \(Rule.unguardedDefinitionsWriter.id)` asks"
            ))
        }
    }
}
