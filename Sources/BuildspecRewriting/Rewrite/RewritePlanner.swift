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
    /// `--registry-id`: the account every query asks, whatever the references say.
    let registryID: String?
    let text: GuardText
    let newline: String
    private var spec: Buildspec { analysis.spec }

    init(source: SourceText, analysis: BuildspecAnalysis, override: ImageRepository?, registryID: String? = nil) {
        self.source = source
        self.analysis = analysis
        self.override = override
        self.registryID = registryID
        text = GuardText(version: analysis.spec.version)
        newline = source.lineEnding
    }

    func plan() throws(Failure) -> Plan {
        var plan = Plan()
        let writers = analysis.writers.filter { $0.needsGuard }
        guard !writers.isEmpty else { return plan }

        // Each push's query key, built once (`nil` for a push whose repository is unknown):
        // keys are compared many times, and building one costs a string per part.
        let pushKeys = override != nil ? [] : analysis.pushes.map { Self.queryKey(of: $0, registryID: nil) }

        // Which repositories each writer deploys, as indexes into `all`: the distinct queries
        // in the order the writers name them, each with its key.
        var all: [(repository: ImageRepository, key: String)] = []
        var needs: [(writer: BuildspecAnalysis.Writer, repositories: [Int])] = []
        // The phases are searched for anchors once, when the first writer gets that far.
        var phasesUseAnchors: Bool?
        for writer in writers {
            try checkEditable(writer, phasesUseAnchors: &phasesUseAnchors)
            var indexes: [Int] = []
            for repository in try repositories(for: writer, pushKeys: pushKeys) {
                if let known = all.firstIndex(where: { $0.key == repository.key }) {
                    indexes.append(known)
                } else {
                    indexes.append(all.count)
                    all.append(repository)
                }
            }
            needs.append((writer, indexes))
        }

        // One answer per repository, asked before its first push and before its first writer.
        let firstPushKeys = registryID == nil || override != nil ? pushKeys : analysis.pushes.map { Self.queryKey(of: $0, registryID: registryID) }
        var answers: [GuardText.Answer] = []
        var added: [String] = []
        for (number, (repository, key)) in all.enumerated() {
            var firstWriter: BuildspecAnalysis.Point?
            for need in needs where need.repositories.contains(number) {
                firstWriter = min(firstWriter ?? need.writer.point, need.writer.point)
            }
            var point = firstWriter!
            // With `--repository-name`, every push pushes the one repository.
            for (index, push) in analysis.pushes.enumerated() where override != nil || firstPushKeys[index] == key {
                point = min(point, push.point)
            }
            if let existing = existingAnswer(for: repository, before: point) {
                answers.append(existing)
                continue
            }
            let suffix = all.count == 1 ? "" : "_" + Self.suffix(for: repository, number: number)
            // Most files ask one repository: its names are the constants, with no string built.
            var variable = suffix.isEmpty ? "REPOSITORY_IMAGES" : "REPOSITORY_IMAGES" + suffix
            while added.contains(variable) || analysis.assignments.contains(where: { $0.name == variable }) { variable += "_" }
            added.append(variable)
            let file = suffix.isEmpty ? "\"${CODEBUILD_SRC_DIR:-.}/.repository-images\""
                : String(concatenating: ["\"${CODEBUILD_SRC_DIR:-.}/.repository-images", suffix.lowercased().replacing("_", with: "-"), "\""])
            let answer = GuardText.Answer(repository: repository, variable: variable, file: file)
            answers.append(answer)
            try insertQuery(answer, at: point, into: &plan)
        }

        // A file written in parts (`>` then `>>`) says once that it is not written.
        var announced: Set<String> = []
        for (writer, repositories) in needs {
            let condition = text.condition(repositories.map { answers[$0] })
            // A lone writer is the first of its file: no key to remember.
            let isFirst = needs.count == 1 || announced.insert(writer.writer.file + "\u{0}" + condition).inserted
            try guardWriter(writer, condition: condition, announces: isFirst, into: &plan)
        }
        return plan
    }

    // MARK: Repositories

    /// The key of the query a push's repository needs (`--registry-id` applied); `nil` when
    /// the repository is unknown.
    private static func queryKey(of push: BuildspecAnalysis.Push, registryID: String?) -> String? {
        guard case .success(let repository) = push.repository else { return nil }
        // A copy of the repository only when `--registry-id` changes it.
        guard let registryID else { return repository.queryKey }
        var asked = repository
        asked.registryID = registryID
        return asked.queryKey
    }

    private func repositories(for writer: BuildspecAnalysis.Writer, pushKeys: [String?]) throws(Failure) -> [(repository: ImageRepository, key: String)] {
        let inferred = try inferredRepositories(for: writer, pushKeys: pushKeys)
        guard let registryID else { return inferred }
        return inferred.map { repository, _ in
            var repository = repository
            repository.registryID = registryID
            return (repository, repository.queryKey)
        }
    }

    /// `pushKeys`: the query key of each push, without `--registry-id`.
    private func inferredRepositories(for writer: BuildspecAnalysis.Writer, pushKeys: [String?]) throws(Failure) -> [(repository: ImageRepository, key: String)] {
        if let override { return [(override, override.queryKey)] }
        let pushes = analysis.pushes
        guard !pushes.isEmpty else {
            throw fail(spec.commands[writer.command].node, .noPush, "`\(writer.writer.file)` is written, but no command pushes an image, so the ECR repository to ask is unknown",
                       fix: "pass --repository-name NAME (the ECR repository the service deploys)")
        }
        // When every push is of one repository (`:latest` and `:$TAG`), there is nothing to
        // choose: the writer's mentions are not needed.
        let isOneRepository = if case .success(let first) = pushes[0].repository {
            pushes.allSatisfy { if case .success(let repository) = $0.repository { repository == first } else { false } }
        } else {
            false
        }
        let mentions = isOneRepository ? [] : writer.mentions
        let matched = isOneRepository ? [] : pushes.indices.filter { index in
            guard case .success(let repository) = pushes[index].repository else { return false }
            if mentions.contains(where: repository.identity.contains) { return true }
            if let name = repository.literalName, writer.text.containsBytes(name) { return true }
            return false
        }
        var result: [(repository: ImageRepository, key: String)] = []
        for index in matched.isEmpty ? Array(pushes.indices) : matched {
            switch pushes[index].repository {
            case .success(let repository):
                let key = pushKeys[index]!
                if !result.contains(where: { $0.key == key }) { result.append((repository, key)) }
            case .failure(let error):
                throw fail(spec.commands[writer.command].node, error.rule, "cannot guard `\(writer.writer.file)`: \(error.message)",
                           fix: error.fix ?? "push the service's image to ECR or ECR Public, or pass --repository-name NAME (and --registry-id ACCOUNT when another account owns it) if it is also in an ECR repository")
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
        func unquoted(_ word: String?) -> String? { word?.filter { $0 != "\"" } }
        // Most writers have no query before them: nothing to read back then.
        guard analysis.queries.contains(where: { $0.point < point }) else { return nil }
        // Read back from the query the rewrite would add, so both sides are read alike.
        let wanted = BuildspecAnalysis.Query(point: point, variable: nil, file: nil, text: GuardText.ask(repository))
        for query in analysis.queries where query.point < point {
            // The file's own query serves only when it asks the same registry.
            guard unquoted(query.argument) == unquoted(wanted.argument), query.isPublic == wanted.isPublic,
                  unquoted(query.registryID) == unquoted(wanted.registryID), unquoted(query.region) == unquoted(wanted.region)
            else { continue }
            switch spec.version {
            case .v02: if let variable = query.variable { return GuardText.Answer(repository: repository, variable: variable, file: "") }
            case .v01: if let file = query.file { return GuardText.Answer(repository: repository, variable: "", file: file) }
            }
        }
        return nil
    }

    // MARK: Edits

    /// `phasesUseAnchors`: whether the phases hold anchors, once a writer has asked.
    private func checkEditable(_ writer: BuildspecAnalysis.Writer, phasesUseAnchors: inout Bool?) throws(Failure) {
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
        if phasesUseAnchors == nil { phasesUseAnchors = spec.root["phases"]?.subtreeUsesAnchors ?? false }
        if command.node.hasAnchor || command.list.hasAnchor || phasesUseAnchors == true {
            throw fail(command.node, .anchoredCommands, "the phases use YAML anchors or aliases, so editing `\(writer.writer.file)`'s command could change other places that reuse the same text",
                       fix: "write the commands out where they run instead of through anchors and aliases, then run again")
        }
    }

    private func insertQuery(_ answer: GuardText.Answer, at point: BuildspecAnalysis.Point, into plan: inout Plan) throws(Failure) {
        let command = spec.commands[point.command]
        let ask = GuardText.ask(answer.repository)
        let query = text.query(answer, asking: ask)
        // Only what the query itself reads must be set before it. Most pushes follow no
        // assignment in their own command: then what the query reads does not matter.
        func isHereBefore(_ assignment: (name: String, point: BuildspecAnalysis.Point)) -> Bool {
            assignment.point.command == point.command && assignment.point.offset < point.offset
        }
        var assignedHereBefore = false
        if analysis.assignments.contains(where: isHereBefore) {
            let variables = VariableEnvironment.variableNames(in: ask)
            assignedHereBefore = analysis.assignments.contains { isHereBefore($0) && variables.contains($0.name) }
        }
        if !assignedHereBefore, let edit = listItem(before: command, text: query) {
            plan.edits.append(edit)
            plan.insertedItems[command.list.range.lowerBound, default: 0] += 1
            plan.lines.append(command.node.start.line)
            return
        }
        guard let parsed = analysis.readings[point.command]?.shell, let map = ScalarSourceMap(node: command.node, source: source),
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

    /// `condition`: the test of the registry's answers. `announces`: the guard says, in its
    /// `else`, that the file is not written; only the first guard of a file does.
    private func guardWriter(_ writer: BuildspecAnalysis.Writer, condition: String, announces: Bool, into plan: inout Plan) throws(Failure) {
        let command = spec.commands[writer.command]
        let node = command.node
        guard let parsed = analysis.readings[writer.command]?.shell, let value = command.text else { return }
        let closing = announces ? GuardText.announcingClosing : GuardText.quietClosing
        let pipeline = writer.place.pipeline
        // A query or another writer's guard already edits this command's text.
        let editedBefore = plan.editedCommands.contains(node.range.lowerBound)
        plan.editedCommands.insert(node.range.lowerBound)
        plan.lines.append(node.start.line)
        let valueBytes = parsed.text
        let trimmedStart = valueBytes.firstIndex { $0 != 0x20 && $0 != 0x09 } ?? 0
        let trimmedEnd = (valueBytes.lastIndex { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A }).map { $0 + 1 } ?? 0
        let singleLineSource = !source.bytes[node.range].contains(0x0A) && !source.bytes[node.range].contains(0x0D)

        // A one-line item that is only the writer becomes a literal block.
        if node.scalarStyle != .literal, node.scalarStyle != .folded, singleLineSource,
           pipeline.range == trimmedStart..<trimmedEnd, !valueBytes.contains(0x0A),
           let indent = blockIndent(of: node)
        {
            let lineEnd = source.lineEnd(ofByte: node.range.upperBound)
            var body = [newline, indent, "if ", condition, "; then", newline, indent, "  ", value]
            for line in closing.lines { body += [newline, indent, line] }
            plan.edits.append(TextEdit(range: node.range, replacement: "|"))
            plan.edits.append(TextEdit(range: at(lineEnd), replacement: String(concatenating: body)))
            return
        }

        // A folded block (`>`, `>-`): YAML's folding is written out.
        if node.scalarStyle == .folded {
            try unfold(writer, condition: condition, closing: closing, parsed: parsed, editedBefore: editedBefore, into: &plan)
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
            let tail = closing.lines.map { line.indent + $0 }
            plan.edits.append(TextEdit(range: at(contentEnd), replacement: newline + tail.joined(separator: newline)))
            return
        }

        // Anywhere else: `if ...; then <writer>; else ...; fi` in place of the pipeline.
        let prefix = "if \(condition); then "
        let suffix = closing.inline
        let end = map.source(pipeline.range.upperBound)
        let suffixOnItsOwnLine = map.style == .plain && !singleLineSource && pipeline.range.upperBound >= trimmedEnd
        if !singleLineSource, map.style != .literal {
            // A folded command: the guard may only change the lines that name the file.
            let start = map.source(pipeline.range.lowerBound)
            guard lineMentionsDefinitions(start), suffixOnItsOwnLine || lineMentionsDefinitions(end) else {
                // A plain command YAML folds into one line: written out as a literal block.
                if map.style == .plain {
                    try unfold(writer, condition: condition, closing: closing, parsed: parsed, editedBefore: editedBefore, into: &plan)
                    return
                }
                throw fail(node, .foldedWriterLines, "the command that writes `\(writer.writer.file)` is folded over several lines, so the guard cannot open and close without changing lines that do not name the file",
                           fix: "put the command in a `- |` block, then run again")
            }
        }
        plan.edits.append(TextEdit(range: at(map.source(pipeline.range.lowerBound)), replacement: escaped(prefix, for: map.style)))
        if suffixOnItsOwnLine {
            // Keep the last source line as it was: the rest goes on a continuation line.
            let lineStart = source.lineStart(ofByte: end)
            let indent = String(decoding: source.bytes[lineStart...].prefix { $0 == 0x20 }, as: UTF8.self)
            plan.edits.append(TextEdit(range: at(end), replacement: newline + indent + escaped(suffix, for: .plain)))
        } else {
            plan.edits.append(TextEdit(range: at(end), replacement: escaped(suffix, for: map.style)))
        }
    }

    /// Writes a folded command's text out line by line, with the guard around the writer: a
    /// multi-line plain scalar becomes a literal block (`|`) holding exactly the text YAML reads
    /// from it; a `>` or `>-` block keeps its header, and the guard's inner lines are indented
    /// deeper, where folding keeps line breaks, so YAML reads the same text as from the literal
    /// block. What runs is unchanged; only YAML's folding is written out.
    private func unfold(_ writer: BuildspecAnalysis.Writer, condition: String, closing: (lines: [String], inline: String), parsed: ParsedShell,
                        editedBefore: Bool, into plan: inout Plan) throws(Failure) {
        let node = spec.commands[writer.command].node
        let pipeline = writer.place.pipeline
        let value = parsed.text
        let refusal = fail(node, .foldedWriterNotWritable, "the command that writes `\(writer.writer.file)` is folded over several lines in a way the rewrite cannot write out line by line",
                           fix: "put the command in a `- |` block, then run again")
        // The item starts its line after `- `, its content is printable text, and nothing
        // (a comment) follows it; neither the query nor another guard edits its text already.
        guard let indent = blockIndent(of: node), !editedBefore,
              parsed.extendedEnd(of: pipeline) == pipeline.range.upperBound,
              value.allSatisfy({ $0 >= 0x20 || $0 == 0x0A || $0 == 0x09 }), value.last != 0x20, value.last != 0x09
        else { throw refusal }
        var end = node.range.upperBound
        while end > node.range.lowerBound, [0x20, 0x09, 0x0A, 0x0D].contains(source.bytes[end - 1]) { end -= 1 }
        let lineEnd = source.lineEnd(ofByte: end)
        guard source.bytes[end..<lineEnd].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { throw refusal }

        let trimmedStart = value.firstIndex { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A } ?? 0
        let trimmedEnd = (value.lastIndex { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A }).map { $0 + 1 } ?? 0
        let command = String(decoding: value[pipeline.range], as: UTF8.self)
        let alone = pipeline.range == trimmedStart..<trimmedEnd && !value[pipeline.range].contains(0x0A)
        // A writer after other commands must start a source line, and one followed by more
        // must end one or end on a line naming the file: a guard opening or closing inside
        // a line would split a line that has nothing to do with the writer.
        if !alone {
            guard let lines = Self.foldedLines(node, source: source, value: value) else { throw refusal }
            let start = pipeline.range.lowerBound, end = pipeline.range.upperBound
            guard start == trimmedStart || lines.contains(where: { $0.valueStart == start }),
                  end >= trimmedEnd || lines.contains(where: { $0.valueEnd == end })
                    || lines.contains(where: { $0.valueStart < end && end <= $0.valueEnd && lineMentionsDefinitions($0.sourceStart) })
            else { throw refusal }
        }
        let lines: [String]
        if alone {
            lines = ["if \(condition); then", "  \(command)"] + closing.lines
        } else {
            let before = String(decoding: value[..<pipeline.range.lowerBound], as: UTF8.self)
            let after = String(decoding: value[pipeline.range.upperBound...], as: UTF8.self)
            var split = (before + "if \(condition); then \(command)" + closing.inline + after)
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            // The value's own final line break is the block's (its chomping keeps one).
            if value.last == 0x0A { split.removeLast() }
            lines = split
        }
        // The first line sets the block's indentation: it must not start with blanks.
        guard let first = lines.first(where: { !$0.isEmpty }), first.first != " ", first.first != "\t" else { throw refusal }
        let body = lines.map { $0.isEmpty ? "" : indent + $0 }

        if node.scalarStyle == .folded {
            // The header (`>`, `>-`) stays. Folding joins lines at the block's indentation,
            // so only the guard's own shape (lines taking turns with deeper ones) or one line
            // reads back unchanged; an indentation indicator or a comment would not survive.
            let headerEnd = source.lineEnd(ofByte: node.range.lowerBound)
            let header = source.bytes[node.range.lowerBound..<headerEnd]
            guard alone || lines.count == 1, header.allSatisfy({ $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "-") || $0 == 0x20 }),
                  !header.contains(UInt8(ascii: "#"))
            else { throw refusal }
            plan.edits.append(TextEdit(range: headerEnd..<lineEnd, replacement: newline + body.joined(separator: newline)))
        } else {
            plan.edits.append(TextEdit(range: node.range.lowerBound..<lineEnd, replacement: "|" + newline + body.joined(separator: newline)))
        }
    }

    // MARK: Helpers

    /// A folded scalar's source lines with where each one's text lies in the value, when the
    /// value is exactly those lines (blanks around them dropped) joined as folding joins lines
    /// of one indentation: by a space, or by `n` line breaks over `n` empty lines. `nil` when
    /// it is not (more-indented lines, escapes, trailing blanks that folding keeps).
    static func foldedLines(_ node: YAMLNode, source: SourceText, value: [UInt8]) -> [(sourceStart: Int, valueStart: Int, valueEnd: Int)]? {
        let isBlank = { (byte: UInt8) in byte == 0x20 || byte == 0x09 }
        var lines: [(sourceStart: Int, valueStart: Int, valueEnd: Int)] = []
        var joined: [UInt8] = []
        var emptyLines = 0
        var lineStart = node.range.lowerBound
        if node.scalarStyle == .folded { lineStart = source.afterLineBreak(source.lineEnd(ofByte: lineStart)) }
        while lineStart < node.range.upperBound {
            let lineEnd = min(source.lineEnd(ofByte: lineStart), node.range.upperBound)
            var contentStart = lineStart, contentEnd = lineEnd
            while contentStart < contentEnd, isBlank(source.bytes[contentStart]) { contentStart += 1 }
            while contentEnd > contentStart, isBlank(source.bytes[contentEnd - 1]) { contentEnd -= 1 }
            if contentStart == contentEnd {
                emptyLines += 1
            } else {
                if !lines.isEmpty || node.scalarStyle == .folded {
                    joined += emptyLines == 0 ? (lines.isEmpty ? [] : [0x20]) : Array(repeating: 0x0A, count: emptyLines)
                }
                emptyLines = 0
                lines.append((contentStart, joined.count, joined.count + contentEnd - contentStart))
                joined += source.bytes[contentStart..<contentEnd]
            }
            lineStart = source.afterLineBreak(lineEnd)
        }
        let withoutBreaks = value.reversed().drop { $0 == 0x0A }.reversed()
        return joined.elementsEqual(withoutBreaks) ? lines : nil
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
        return TextEdit(range: at(lineStart), replacement: String(concatenating: [String(spaces: dash - lineStart), "- ", text, newline]))
    }

    /// The indentation of a one-line scalar's content, for a literal block in its place.
    private func blockIndent(of node: YAMLNode) -> String? {
        let lineStart = source.lineStart(ofByte: node.range.lowerBound)
        let prefix = source.bytes[lineStart..<node.range.lowerBound]
        guard prefix.allSatisfy({ $0 == 0x20 || $0 == UInt8(ascii: "-") }), prefix.contains(UInt8(ascii: "-")) else { return nil }
        return String(spaces: prefix.count)
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
        case .singleQuoted: text.replacingBytes("'", with: "''")
        case .doubleQuoted: text.replacingBytes("\\", with: "\\\\").replacingBytes("\"", with: "\\\"")
        default: text
        }
    }

    private func fail(_ node: YAMLNode, _ rule: Rule, _ message: String, fix: String) -> Failure {
        Failure(diagnostic: Diagnostic(.error, rule: rule, at: node.start, message, fix: fix))
    }
}
