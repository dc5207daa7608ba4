/// Turns an analysis into byte edits: one registry query per repository before its first
/// push, and a guard around every unguarded definitions writer.
struct RewritePlanner {
    struct Plan {
        var edits: [TextEdit] = []
        /// Command nodes whose text changed (by their start offset).
        var editedCommands: Set<Int> = []
        /// New list items, by the start offset of the list that gets them.
        var insertedItems: [Int: Int] = [:]
        /// Lines (1-based, in the original) where the rewrite changed something.
        var lines: [Int] = []
    }

    struct Failure: Error {
        var diagnostic: Diagnostic
    }

    let source: SourceText
    let analysis: BuildspecAnalysis
    let override: ImageRepository?
    let text: GuardText
    let newline: String
    private var spec: Buildspec { analysis.spec }

    init(source: SourceText, analysis: BuildspecAnalysis, override: ImageRepository?) {
        self.source = source
        self.analysis = analysis
        self.override = override
        text = GuardText(version: analysis.spec.version)
        newline = source.lineEnding
    }

    func plan() throws(Failure) -> Plan {
        var plan = Plan()
        let writers = analysis.writers.filter(\.needsGuard)
        guard !writers.isEmpty else { return plan }

        // Which repositories each writer deploys.
        var needs: [(writer: BuildspecAnalysis.Writer, repositories: [ImageRepository])] = []
        for writer in writers {
            try checkEditable(writer)
            needs.append((writer, try repositories(for: writer)))
        }

        // One answer per repository, asked before its first push and before its first writer.
        let all = needs.flatMap(\.repositories).reduce(into: [ImageRepository]()) { list, repository in
            if !list.contains(where: { $0.argument == repository.argument }) { list.append(repository) }
        }
        var answers: [String: GuardText.Answer] = [:]
        var taken = Set(analysis.assignments.map(\.name))
        for (number, repository) in all.enumerated() {
            let firstWriter = needs.filter { $0.repositories.contains { $0.argument == repository.argument } }.map(\.writer.point).min()!
            let firstPush = analysis.pushes.filter { push in
                if override != nil { return true }
                if case .success(let pushed) = push.repository { return pushed.argument == repository.argument }
                return false
            }.map(\.point).min()
            let point = min(firstWriter, firstPush ?? firstWriter)
            if let existing = existingAnswer(for: repository, before: point) {
                answers[repository.argument] = existing
                continue
            }
            let suffix = all.count == 1 ? "" : "_" + Self.suffix(for: repository, number: number)
            var variable = "REPOSITORY_IMAGES" + suffix
            while taken.contains(variable) { variable += "_" }
            taken.insert(variable)
            let file = "\"${CODEBUILD_SRC_DIR:-.}/.repository-images\(suffix.lowercased().replacing("_", with: "-"))\""
            let answer = GuardText.Answer(repository: repository, variable: variable, file: file)
            answers[repository.argument] = answer
            try insertQuery(answer, at: point, into: &plan)
        }

        for (writer, repositories) in needs {
            try guardWriter(writer, answers: repositories.map { answers[$0.argument]! }, into: &plan)
        }
        return plan
    }

    // MARK: Repositories

    private func repositories(for writer: BuildspecAnalysis.Writer) throws(Failure) -> [ImageRepository] {
        if let override { return [override] }
        let node = spec.commands[writer.command].node
        guard !analysis.pushes.isEmpty else {
            throw fail(node, .noPush, "`\(writer.writer.file)` is written, but no command pushes an image, so the ECR repository to ask is unknown",
                       fix: "pass --repository-name NAME (the ECR repository the service deploys)")
        }
        let matched = analysis.pushes.filter { push in
            guard case .success(let repository) = push.repository else { return false }
            if !repository.identity.isDisjoint(with: writer.mentions) { return true }
            if let name = repository.literalName, writer.text.containsBytes(name) { return true }
            return false
        }
        let candidates = matched.isEmpty ? analysis.pushes : matched
        var result: [ImageRepository] = []
        for push in candidates {
            switch push.repository {
            case .success(let repository):
                if !result.contains(where: { $0.argument == repository.argument }) { result.append(repository) }
            case .failure(let error):
                throw fail(node, error.rule, "cannot guard `\(writer.writer.file)`: \(error.message)",
                           fix: "pass --repository-name NAME if the service's image is also in an ECR repository")
            }
        }
        return result
    }

    private static func suffix(for repository: ImageRepository, number: Int) -> String {
        var name = repository.literalName ?? repository.identity.sorted().last ?? ""
        if repository.literalName == nil, let inner = VariableEnvironment.variableNames(in: repository.argument).first { name = inner }
        let cleaned = String(name.uppercased().map { $0.isLetter || $0.isNumber ? $0 : "_" })
        return cleaned.isEmpty ? String(number + 1) : cleaned
    }

    private func existingAnswer(for repository: ImageRepository, before point: BuildspecAnalysis.Point) -> GuardText.Answer? {
        let wanted = repository.argument.filter { $0 != "\"" }
        for query in analysis.queries where query.point < point {
            guard let argument = query.argument?.filter({ $0 != "\"" }), argument == wanted else { continue }
            switch spec.version {
            case .v02: if let variable = query.variable { return GuardText.Answer(repository: repository, variable: variable, file: "") }
            case .v01: if let file = query.file { return GuardText.Answer(repository: repository, variable: "", file: file) }
            }
        }
        return nil
    }

    // MARK: Edits

    private func checkEditable(_ writer: BuildspecAnalysis.Writer) throws(Failure) {
        let command = spec.commands[writer.command]
        if let context = writer.unsafeContext {
            throw fail(command.node, .writerInUnsafeContext, "`\(writer.writer.file)` is written inside \(context), where a guard cannot be added safely",
                       fix: "move the writer out of it, or guard it by hand with the ECR query")
        }
        if command.list.kind == .scalar {
            throw fail(command.list, .commandsFoldedIntoText, "the `\(command.section.rawValue)` of `\(command.phase)` is one text, not a list of commands (YAML folded the lines into one; CodeBuild expects a list)",
                       fix: "indent every command as a `- ` item under it, then run again")
        }
        if command.list.isFlow {
            throw fail(command.list, .flowList, "the commands around `\(writer.writer.file)` are a flow list (`[a, b]`), which the rewrite does not edit",
                       fix: "write the list as a block list (one `- command` per line), then run again")
        }
        if command.node.anchor != nil || command.list.anchor != nil || Self.usesAnchors(spec.root["phases"]) {
            throw fail(command.node, .anchoredCommands, "the phases use YAML anchors or aliases, so editing `\(writer.writer.file)`'s command could change other places that reuse the same text",
                       fix: "write the commands out where they run instead of through anchors and aliases, then run again")
        }
        if command.node.scalarStyle == .folded {
            throw fail(command.node, .foldedBlock, "`\(writer.writer.file)` is written in a folded block (`>`), which the rewrite does not edit",
                       fix: "use a literal block (`|`) or a plain list item, then run again")
        }
    }

    private func insertQuery(_ answer: GuardText.Answer, at point: BuildspecAnalysis.Point, into plan: inout Plan) throws(Failure) {
        let command = spec.commands[point.command]
        let query = text.query(answer)
        // Only what the query itself reads must be set before it.
        let variables = Set(VariableEnvironment.variableNames(in: answer.repository.argument))
        let assignedHereBefore = analysis.assignments.contains { assignment in
            assignment.point.command == point.command && assignment.point.offset < point.offset && variables.contains(assignment.name)
        }
        if !assignedHereBefore, let edit = listItem(before: command, text: query) {
            plan.edits.append(edit)
            plan.insertedItems[command.list.range.lowerBound, default: 0] += 1
            plan.lines.append(command.node.start.line)
            return
        }
        guard let parsed = analysis.parsed[point.command], let map = ScalarSourceMap(node: command.node, source: source),
              let topLevel = parsed.script.lists.first(where: { $0.range.contains(point.offset) || $0.range.lowerBound == point.offset })
        else {
            throw fail(command.node, .queryPlacement, "cannot place the ECR query before this command", fix: "put the push in a list item of its own")
        }
        plan.editedCommands.insert(command.node.range.lowerBound)
        let pipeline = topLevel.pipelines.first { $0.range.contains(point.offset) }
        if let pipeline, pipeline.range.lowerBound != topLevel.range.lowerBound {
            plan.edits.append(TextEdit(range: at(map.source(pipeline.range.lowerBound)), replacement: escaped("\(query) && ", for: map.style)))
        } else if map.style == .literal, let line = lineInsertion(parsed: parsed, map: map, valueOffset: topLevel.range.lowerBound) {
            plan.edits.append(TextEdit(range: at(line.sourceLineStart), replacement: line.indent + query + " || exit 1" + newline))
        } else {
            plan.edits.append(TextEdit(range: at(map.source(topLevel.range.lowerBound)), replacement: escaped("\(query) || exit 1; ", for: map.style)))
        }
        plan.lines.append(source.line(ofByte: map.source(point.offset), after: command.node.start))
    }

    private func guardWriter(_ writer: BuildspecAnalysis.Writer, answers: [GuardText.Answer], into plan: inout Plan) throws(Failure) {
        let command = spec.commands[writer.command]
        let node = command.node
        guard let parsed = analysis.parsed[writer.command], let value = command.text else { return }
        let condition = text.condition(answers)
        let pipeline = writer.place.pipeline
        plan.editedCommands.insert(node.range.lowerBound)
        plan.lines.append(node.start.line)
        let valueBytes = parsed.text
        let trimmedStart = valueBytes.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? 0
        let trimmedEnd = (valueBytes.lastIndex { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A }).map { $0 + 1 } ?? 0
        let singleLineSource = !source.bytes[node.range].contains(0x0A) && !source.bytes[node.range].contains(0x0D)

        // A one-line item that is only the writer becomes a literal block.
        if node.scalarStyle != .literal, node.scalarStyle != .folded, singleLineSource,
           pipeline.range == trimmedStart..<trimmedEnd, !value.utf8.contains(0x0A),
           let indent = blockIndent(of: node)
        {
            let lineEnd = source.lineEnd(ofByte: node.range.upperBound)
            let body = [
                "\(indent)if \(condition); then",
                "\(indent)  \(value)",
                "\(indent)else",
                "\(indent)  \(text.otherwise)",
                "\(indent)fi",
            ]
            plan.edits.append(TextEdit(range: node.range, replacement: "|"))
            plan.edits.append(TextEdit(range: at(lineEnd), replacement: newline + body.joined(separator: newline)))
            return
        }

        guard let map = ScalarSourceMap(node: node, source: source) else {
            throw fail(node, .unmappableScalar, "cannot follow the YAML text of this command back to its bytes",
                       fix: "write the writer as a plain list item or in a `- |` block, then run again")
        }
        let extendedEnd = parsed.extendedEnd(of: pipeline)
        // A writer alone on its lines in a literal block: wrap it in lines of its own.
        if map.style == .literal,
           let line = lineInsertion(parsed: parsed, map: map, valueOffset: pipeline.range.lowerBound),
           restOfLineIsEmpty(valueBytes, from: pipeline.range.upperBound)
        {
            let lastLineEnd = Self.lineEnd(valueBytes, from: max(pipeline.range.upperBound, extendedEnd == pipeline.range.upperBound ? 0 : extendedEnd - 1))
            let oneLine = !valueBytes[pipeline.range].contains(0x0A) && extendedEnd == pipeline.range.upperBound
            plan.edits.append(TextEdit(range: at(line.sourceLineStart), replacement: "\(line.indent)if \(condition); then" + newline))
            if oneLine { plan.edits.append(TextEdit(range: at(map.source(pipeline.range.lowerBound)), replacement: "  ")) }
            let contentEnd = lastLineEnd > 0 ? map.source(lastLineEnd - 1) + 1 : map.source(0)
            let tail = ["\(line.indent)else", "\(line.indent)  \(text.otherwise)", "\(line.indent)fi"]
            plan.edits.append(TextEdit(range: at(contentEnd), replacement: newline + tail.joined(separator: newline)))
            return
        }

        // Anywhere else: `if ...; then <writer>; else ...; fi` in place of the pipeline.
        let prefix = "if \(condition); then "
        let suffix = "; else \(text.otherwise); fi"
        plan.edits.append(TextEdit(range: at(map.source(pipeline.range.lowerBound)), replacement: escaped(prefix, for: map.style)))
        let end = map.source(pipeline.range.upperBound)
        let suffixOnItsOwnLine = map.style == .plain && !singleLineSource && pipeline.range.upperBound >= trimmedEnd
        if !singleLineSource, map.style != .literal {
            // A folded command: the guard may only change the lines that name the file.
            let start = map.source(pipeline.range.lowerBound)
            guard lineMentionsDefinitions(start), suffixOnItsOwnLine || lineMentionsDefinitions(end) else {
                throw fail(node, .foldedWriterLines, "the command that writes `\(writer.writer.file)` is folded over several lines, so the guard cannot open and close without changing lines that do not name the file",
                           fix: "put the command in a `- |` block, then run again")
            }
        }
        if suffixOnItsOwnLine {
            // Keep the last source line as it was: the rest goes on a continuation line.
            let lineStart = source.lineStart(ofByte: end)
            let indent = String(decoding: source.bytes[lineStart...].prefix { $0 == 0x20 }, as: UTF8.self)
            plan.edits.append(TextEdit(range: at(end), replacement: newline + indent + escaped(suffix, for: .plain)))
        } else {
            plan.edits.append(TextEdit(range: at(end), replacement: escaped(suffix, for: map.style)))
        }
    }

    // MARK: Helpers

    /// Whether anything under `node` is anchored (`&name`), an alias (`*name`) or a merge (`<<`).
    static func usesAnchors(_ node: YAMLNode?) -> Bool {
        node.map(holdsAnchors) ?? false
    }

    private static func holdsAnchors(_ node: YAMLNode) -> Bool {
        if node.anchor != nil || node.kind == .alias || (node.isScalar && node.value == "<<" && node.scalarStyle == .plain) {
            return true
        }
        // Recursion is bounded: the parser refuses documents deeper than `maximumDepth`.
        return node.children.indices.contains { holdsAnchors(node.children[$0]) }
    }

    private func at(_ offset: Int) -> Range<Int> { offset..<offset }

    /// A new `- text` item just above the command's item, when the command is an item of a
    /// block list whose `-` starts its line.
    private func listItem(before command: Buildspec.Command, text: String) -> TextEdit? {
        guard command.list.kind == .sequence, !command.list.isFlow else { return nil }
        var dash = command.node.range.lowerBound - 1
        while dash >= 0, source.bytes[dash] == 0x20 { dash -= 1 }
        guard dash >= 0, source.bytes[dash] == UInt8(ascii: "-") else { return nil }
        let lineStart = source.lineStart(ofByte: dash)
        guard source.bytes[lineStart..<dash].allSatisfy({ $0 == 0x20 }) else { return nil }
        let indent = String(repeating: " ", count: dash - lineStart)
        return TextEdit(range: at(lineStart), replacement: "\(indent)- \(text)" + newline)
    }

    /// The indentation of a one-line scalar's content, for a literal block in its place.
    private func blockIndent(of node: YAMLNode) -> String? {
        let lineStart = source.lineStart(ofByte: node.range.lowerBound)
        let prefix = source.bytes[lineStart..<node.range.lowerBound]
        guard prefix.allSatisfy({ $0 == 0x20 || $0 == UInt8(ascii: "-") }), prefix.contains(UInt8(ascii: "-")) else { return nil }
        return String(repeating: " ", count: prefix.count)
    }

    /// Where to insert a whole line in front of the value line holding `valueOffset`, when
    /// only blanks precede it on that line.
    private func lineInsertion(parsed: ParsedShell, map: ScalarSourceMap, valueOffset: Int) -> (sourceLineStart: Int, indent: String)? {
        let bytes = parsed.text
        var start = valueOffset
        while start > 0, bytes[start - 1] != 0x0A { start -= 1 }
        guard bytes[start..<valueOffset].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { return nil }
        let sourceOffset = map.source(valueOffset)
        let lineStart = source.lineStart(ofByte: sourceOffset)
        let indent = String(decoding: source.bytes[lineStart..<sourceOffset], as: UTF8.self)
        guard indent.allSatisfy({ $0 == " " || $0 == "\t" }) else { return nil }
        return (lineStart, indent)
    }

    private func lineMentionsDefinitions(_ offset: Int) -> Bool {
        let line = source.text(source.lineStart(ofByte: offset)..<source.lineEnd(ofByte: offset))
        return BuildspecAnalysis.mentionsDefinitionsFile(line, matcher: analysis.matcher)
    }

    private func restOfLineIsEmpty(_ bytes: [UInt8], from offset: Int) -> Bool {
        var index = offset
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
        return index >= bytes.count || bytes[index] == 0x0A || bytes[index] == UInt8(ascii: "#")
    }

    private static func lineEnd(_ bytes: [UInt8], from offset: Int) -> Int {
        var index = offset
        while index < bytes.count, bytes[index] != 0x0A { index += 1 }
        return index
    }

    private func escaped(_ text: String, for style: YAMLNode.ScalarStyle) -> String {
        switch style {
        case .singleQuoted: text.replacing("'", with: "''")
        case .doubleQuoted: text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"")
        default: text
        }
    }

    private func fail(_ node: YAMLNode, _ rule: Rule, _ message: String, fix: String) -> Failure {
        Failure(diagnostic: Diagnostic(.error, rule: rule, at: node.start, message, fix: fix))
    }
}
