/// Reads POSIX sh the way dash does, as far as buildspec commands need: quotes, escapes,
/// expansions, comments, line continuations, here-documents, operators and compound commands.
public struct ShellParser {
    public struct SyntaxError: Error, Sendable, Equatable {
        public var message: String
        public var offset: Int
    }

    private let bytes: [UInt8]
    private var index = 0
    private var lastTokenEnd = 0
    private var hereDocuments: [ShellHereDocument] = []
    private var pendingHereDocuments: [(index: Int, delimiter: String, stripTabs: Bool)] = []
    private var depth = 0
    /// The buffer a word's literal text is gathered in, kept between words: most words would
    /// otherwise allocate one. A word read inside another (a nested script) takes a new one.
    private var wordText: [UInt8] = []
    /// Inside `$(...)`: its script is read for its syntax and its end only (nothing keeps it),
    /// so its words get no texts, segments or lists.
    private var discards = false

    private static let reservedWordBytes = reservedWords.map { Array($0.utf8) }
    private static let reservedWords: [String] = ["if", "then", "elif", "else", "fi", "for", "in", "do", "done", "while",
                                                     "until", "case", "esac", "{", "}", "function"]

    public static func parse(_ text: String) throws(SyntaxError) -> ParsedShell {
        var parser = ShellParser(bytes: Array(text.utf8))
        let script = try parser.parseList(until: [])
        if parser.index < parser.bytes.count {
            throw SyntaxError(message: "unexpected `\(parser.peekToken())`", offset: parser.index)
        }
        if let pending = parser.pendingHereDocuments.first {
            parser.hereDocuments[pending.index].body = parser.bytes.count..<parser.bytes.count
            parser.hereDocuments[pending.index].end = parser.bytes.count
        }
        return ParsedShell(text: parser.bytes, script: script, hereDocuments: parser.hereDocuments)
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    // MARK: Lists and commands

    private mutating func parseList(until terminators: [String]) throws(SyntaxError) -> ShellScript {
        depth += 1
        defer { depth -= 1 }
        if depth > 200 { throw SyntaxError(message: "commands nested too deeply", offset: index) }
        var lists: [ShellAndOrList] = []
        while true {
            skipLinebreaks()
            guard index < bytes.count else { break }
            if bytes[index] == UInt8(ascii: ")") { break }
            if starts(with: ";;") || starts(with: ";&") { break }
            if !terminators.isEmpty, let word = peekReservedWord(), terminators.contains(word) { break }
            let list = try parseAndOr()
            if !discards { lists.append(list) }
            skipBlanks()
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: ";"), !starts(with: ";;"), !starts(with: ";&") {
                index += 1
            } else if byte == UInt8(ascii: "&"), !starts(with: "&&") {
                index += 1
            } else if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: ")") || starts(with: ";;") || starts(with: ";&") {
                continue
            } else if !terminators.isEmpty, let word = peekReservedWord(), terminators.contains(word) {
                break
            } else {
                throw SyntaxError(message: "unexpected `\(peekToken())`", offset: index)
            }
        }
        return ShellScript(lists: lists)
    }

    private mutating func parseAndOr() throws(SyntaxError) -> ShellAndOrList {
        var pipelines = [try parsePipeline()]
        while true {
            skipBlanks()
            guard starts(with: "&&") || starts(with: "||") else { break }
            index += 2
            skipLinebreaks()
            pipelines.append(try parsePipeline())
        }
        return ShellAndOrList(pipelines: pipelines, range: pipelines[0].range.lowerBound..<pipelines.last!.range.upperBound)
    }

    private mutating func parsePipeline() throws(SyntaxError) -> ShellPipeline {
        skipBlanks()
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "!"), index + 1 < bytes.count, isBlank(bytes[index + 1]) {
            index += 1
            skipBlanks()
        }
        var commands = [try parseCommand()]
        while true {
            skipBlanks()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "|"), !starts(with: "||") else { break }
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "&") { index += 1 }
            skipLinebreaks()
            commands.append(try parseCommand())
        }
        return ShellPipeline(commands: commands, range: start..<lastTokenEnd)
    }

    private mutating func parseCommand() throws(SyntaxError) -> ShellCommand {
        skipBlanks()
        let start = index
        guard index < bytes.count else { throw SyntaxError(message: "a command is missing at the end", offset: index) }
        if bytes[index] == UInt8(ascii: "(") {
            index += 1
            let body = try parseList(until: [])
            try expect(")")
            var command = ShellCommand(kind: .subshell, parts: [(.body, body)], range: start..<lastTokenEnd)
            try parseTrailingRedirections(into: &command)
            return command
        }
        if let word = peekReservedWord() {
            switch word {
            case "if": return try parseIf(start: start)
            case "while", "until": return try parseLoop(word, start: start)
            case "for": return try parseFor(start: start)
            case "case": return try parseCase(start: start)
            case "{":
                index += 1
                lastTokenEnd = index
                let body = try parseList(until: ["}"])
                try expectWord("}")
                var command = ShellCommand(kind: .braceGroup, parts: [(.body, body)], range: start..<lastTokenEnd)
                try parseTrailingRedirections(into: &command)
                return command
            case "function":
                _ = try readWord()
                skipBlanks()
                _ = try readWord()
                skipBlanks()
                if starts(with: "()") { index += 2 }
                return try parseFunctionBody(start: start)
            case "then", "else", "elif", "fi", "do", "done", "esac", "}", "in":
                throw SyntaxError(message: "unexpected `\(word)`", offset: index)
            default: break
            }
        }
        return try parseSimpleCommand(start: start)
    }

    private mutating func parseFunctionBody(start: Int) throws(SyntaxError) -> ShellCommand {
        skipLinebreaks()
        let body = try parseCommand()
        let script = ShellScript(lists: [
            ShellAndOrList(pipelines: [ShellPipeline(commands: [body], range: body.range)], range: body.range),
        ])
        return ShellCommand(kind: .functionDefinition, parts: [(.body, script)], range: start..<lastTokenEnd)
    }

    private mutating func parseSimpleCommand(start: Int) throws(SyntaxError) -> ShellCommand {
        var command = ShellCommand(kind: .simple, range: start..<start)
        // A simple command has a few words: room for them at once, not grown one by one.
        if !discards { command.words.reserveCapacity(6) }
        while true {
            skipBlanks()
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: ")") { break }
            if byte == UInt8(ascii: "|") || (byte == UInt8(ascii: "&") && !starts(with: "&>")) { break }
            if try parseRedirection(into: &command) { continue }
            if byte == UInt8(ascii: "(") {
                // `name()`: a function definition.
                if command.words.count == 1, command.assignments.isEmpty, starts(with: "()") || startsAfterBlanks("()") {
                    skipBlanks()
                    index += 2
                    return try parseFunctionBody(start: start)
                }
                throw SyntaxError(message: "unexpected `(`", offset: index)
            }
            let word = try readWord()
            if command.words.isEmpty, let equals = assignmentEquals(in: word) {
                command.assignments.append(assignment(from: word, equals: equals))
            } else {
                command.words.append(word)
            }
        }
        if command.words.isEmpty, command.assignments.isEmpty, command.redirections.isEmpty {
            throw SyntaxError(message: "unexpected `\(peekToken())`", offset: index)
        }
        command.range = start..<lastTokenEnd
        return command
    }

    private mutating func parseIf(start: Int) throws(SyntaxError) -> ShellCommand {
        try expectWord("if")
        var parts: [(role: ShellCommand.PartRole, script: ShellScript)] = []
        parts.append((.condition, try parseList(until: ["then"])))
        try expectWord("then")
        parts.append((.body, try parseList(until: ["elif", "else", "fi"])))
        while true {
            if consumeWord("elif") {
                parts.append((.condition, try parseList(until: ["then"])))
                try expectWord("then")
                parts.append((.body, try parseList(until: ["elif", "else", "fi"])))
            } else if consumeWord("else") {
                parts.append((.body, try parseList(until: ["fi"])))
            } else {
                break
            }
        }
        try expectWord("fi")
        var command = ShellCommand(kind: .ifClause, parts: parts, range: start..<lastTokenEnd)
        try parseTrailingRedirections(into: &command)
        return command
    }

    private mutating func parseLoop(_ keyword: String, start: Int) throws(SyntaxError) -> ShellCommand {
        try expectWord(keyword)
        let condition = try parseList(until: ["do"])
        try expectWord("do")
        let body = try parseList(until: ["done"])
        try expectWord("done")
        var command = ShellCommand(
            kind: keyword == "while" ? .whileLoop : .untilLoop, parts: [(.condition, condition), (.body, body)],
            range: start..<lastTokenEnd
        )
        try parseTrailingRedirections(into: &command)
        return command
    }

    private mutating func parseFor(start: Int) throws(SyntaxError) -> ShellCommand {
        try expectWord("for")
        skipBlanks()
        var words = [try readWord()]
        skipLinebreaks()
        if consumeWord("in") {
            while true {
                skipBlanks()
                guard index < bytes.count, bytes[index] != UInt8(ascii: ";"), bytes[index] != UInt8(ascii: "\n") else { break }
                words.append(try readWord())
            }
        }
        skipBlanks()
        if index < bytes.count, bytes[index] == UInt8(ascii: ";") { index += 1 }
        skipLinebreaks()
        try expectWord("do")
        let body = try parseList(until: ["done"])
        try expectWord("done")
        var command = ShellCommand(kind: .forLoop, words: words, parts: [(.body, body)], range: start..<lastTokenEnd)
        try parseTrailingRedirections(into: &command)
        return command
    }

    private mutating func parseCase(start: Int) throws(SyntaxError) -> ShellCommand {
        try expectWord("case")
        skipBlanks()
        let subject = try readWord()
        skipLinebreaks()
        try expectWord("in")
        var parts: [(role: ShellCommand.PartRole, script: ShellScript)] = []
        while true {
            skipLinebreaks()
            if peekReservedWord() == "esac" { break }
            guard index < bytes.count else { throw SyntaxError(message: "`case` is missing its `esac`", offset: start) }
            if bytes[index] == UInt8(ascii: "(") { index += 1 }
            // Patterns up to `)`.
            while true {
                skipBlanks()
                _ = try readWord()
                skipBlanks()
                guard index < bytes.count else { throw SyntaxError(message: "a `case` pattern is not closed", offset: index) }
                if bytes[index] == UInt8(ascii: "|") { index += 1; continue }
                if bytes[index] == UInt8(ascii: ")") { index += 1; break }
                throw SyntaxError(message: "unexpected `\(peekToken())` in a `case` pattern", offset: index)
            }
            parts.append((.body, try parseList(until: ["esac"])))
            skipLinebreaks()
            if starts(with: ";;") || starts(with: ";&") { index += 2 }
        }
        try expectWord("esac")
        var command = ShellCommand(kind: .caseClause, words: [subject], parts: parts, range: start..<lastTokenEnd)
        try parseTrailingRedirections(into: &command)
        return command
    }

    private mutating func parseTrailingRedirections(into command: inout ShellCommand) throws(SyntaxError) {
        while true {
            skipBlanks()
            guard try parseRedirection(into: &command) else { break }
        }
        command.range = command.range.lowerBound..<lastTokenEnd
    }

    // MARK: Redirections and here-documents

    private static let redirectionOperators: [StaticString] = ["<<-", "<<<", "&>>", "<<", ">>", ">|", ">&", "<&", "<>", "&>", ">", "<"]

    private mutating func parseRedirection(into command: inout ShellCommand) throws(SyntaxError) -> Bool {
        var cursor = index
        while cursor < bytes.count, bytes[cursor] >= UInt8(ascii: "0"), bytes[cursor] <= UInt8(ascii: "9") { cursor += 1 }
        guard cursor < bytes.count else { return false }
        let first = bytes[cursor]
        guard first == UInt8(ascii: "<") || first == UInt8(ascii: ">") || first == UInt8(ascii: "&") else { return false }
        guard let spelled = Self.redirectionOperators.first(where: { starts(with: $0, at: cursor) }) else { return false }
        let op = spelled.description
        let fileDescriptor = cursor > index ? Int(String(decoding: bytes[index..<cursor], as: UTF8.self)) : nil
        index = cursor + spelled.utf8CodeUnitCount
        lastTokenEnd = index
        skipBlanks()
        guard index < bytes.count, !isOperatorStart(bytes[index]) else {
            throw SyntaxError(message: "`\(op)` is missing its file name", offset: index)
        }
        let target = try readWord()
        var redirection = ShellRedirection(op: op, fileDescriptor: fileDescriptor, target: target, hereDocument: nil)
        if op == "<<" || op == "<<-" {
            let raw = String(decoding: bytes[target.range], as: UTF8.self)
            let delimiter = raw.filter { $0 != "'" && $0 != "\"" && $0 != "\\" }
            hereDocuments.append(ShellHereDocument(delimiter: delimiter, body: index..<index, end: index))
            pendingHereDocuments.append((hereDocuments.count - 1, delimiter, op == "<<-"))
            redirection.hereDocument = hereDocuments.count - 1
        }
        command.redirections.append(redirection)
        return true
    }

    /// Reads the bodies of the here-documents opened on the line that just ended.
    private mutating func readPendingHereDocuments() {
        for pending in pendingHereDocuments {
            let bodyStart = index
            var lineStart = index
            var found = false
            while lineStart < bytes.count {
                var lineEnd = lineStart
                while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
                var contentStart = lineStart
                if pending.stripTabs {
                    while contentStart < lineEnd, bytes[contentStart] == UInt8(ascii: "\t") { contentStart += 1 }
                }
                if String(decoding: bytes[contentStart..<lineEnd], as: UTF8.self) == pending.delimiter {
                    hereDocuments[pending.index].body = bodyStart..<lineStart
                    index = min(lineEnd + 1, bytes.count)
                    hereDocuments[pending.index].end = lineEnd
                    hereDocuments[pending.index].isTerminated = true
                    found = true
                    break
                }
                lineStart = lineEnd + 1
            }
            if !found {
                hereDocuments[pending.index].body = bodyStart..<bytes.count
                hereDocuments[pending.index].end = bytes.count
                index = bytes.count
            }
        }
        pendingHereDocuments.removeAll()
    }

    // MARK: Words

    private mutating func readWord() throws(SyntaxError) -> ShellWord {
        let start = index
        // Most words are one run of plain text (`docker`, `-t`, `.`): that text is the word's
        // one segment, with no buffer in between.
        var plainEnd = index
        while plainEnd < bytes.count, !Self.endsPlainRun(bytes[plainEnd]) { plainEnd += 1 }
        if plainEnd > start, plainEnd == bytes.count || isWordBreak(bytes[plainEnd]) && !isBashArrayOpen(at: plainEnd, wordStart: start) {
            index = plainEnd
            lastTokenEnd = index
            return ShellWord(segments: discards ? [] : [.text(String(decoding: bytes[start..<index], as: UTF8.self))], range: start..<index)
        }
        // `$REPOSITORY_URI:$IMAGE_TAG` is three segments: room for them at once.
        var segments: [ShellWord.Segment] = []
        if !discards { segments.reserveCapacity(4) }
        // The literal text so far, as bytes: one String per segment, not one per character.
        var text = wordText
        wordText = []
        defer {
            text.removeAll(keepingCapacity: true)
            wordText = text
        }
        // The plain run read above starts the text (most such words start with a `$` instead:
        // an empty append still costs a call).
        if plainEnd > start { text += bytes[start..<plainEnd] }
        index = plainEnd
        while index < bytes.count {
            let byte = bytes[index]
            if isWordBreak(byte) {
                if isBashArrayOpen(at: index, wordStart: start) {
                    // `name=(a b)`: a bash array; keep it whole.
                    let open = index
                    try skipBalanced(open: UInt8(ascii: "("), close: UInt8(ascii: ")"))
                    flush(&text, into: &segments)
                    append(.opaque(segmentText(open..<index)), to: &segments)
                    continue
                }
                break
            }
            switch byte {
            case UInt8(ascii: "\\"):
                if index + 1 < bytes.count {
                    if bytes[index + 1] != UInt8(ascii: "\n") { text.append(bytes[index + 1]) }
                    index += 2
                } else {
                    index += 1
                }
            case UInt8(ascii: "'"):
                let close = try find(UInt8(ascii: "'"), from: index + 1, what: "a single quote")
                text += bytes[(index + 1)..<close]
                index = close + 1
            case UInt8(ascii: "\""):
                index += 1
                try readDoubleQuoted(into: &segments, text: &text)
            case UInt8(ascii: "$"):
                flush(&text, into: &segments)
                let expansion = try readDollar()
                append(expansion, to: &segments)
            case UInt8(ascii: "`"):
                flush(&text, into: &segments)
                let open = index
                try skipBackquoted()
                append(.opaque(segmentText(open..<index)), to: &segments)
            default:
                let run = index
                index += 1
                while index < bytes.count, !Self.endsPlainRun(bytes[index]) { index += 1 }
                text += bytes[run..<index]
            }
        }
        flush(&text, into: &segments)
        if index == start { throw SyntaxError(message: "unexpected `\(peekToken())`", offset: index) }
        lastTokenEnd = index
        return ShellWord(segments: segments, range: start..<index)
    }

    /// A blank, a line break or an operator: where a word stops, but for the `(` of a bash
    /// array (`name=(a b)`), which `readWord` keeps.
    private func isWordBreak(_ byte: UInt8) -> Bool {
        isBlank(byte) || byte == UInt8(ascii: "\n") || isOperatorStart(byte)
    }

    private func isBashArrayOpen(at position: Int, wordStart: Int) -> Bool {
        bytes[position] == UInt8(ascii: "(") && position > wordStart && bytes[position - 1] == UInt8(ascii: "=")
    }

    /// Bytes that end a run of plain word text: blanks, operators, quotes, escapes, expansions.
    private static func endsPlainRun(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "|"),
             UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"), UInt8(ascii: "'"),
             UInt8(ascii: "\""), UInt8(ascii: "$"), UInt8(ascii: "`"):
            true
        default:
            false
        }
    }

    private func flush(_ text: inout [UInt8], into segments: inout [ShellWord.Segment]) {
        guard !text.isEmpty else { return }
        if !discards { segments.append(.text(String(decoding: text, as: UTF8.self))) }
        text.removeAll(keepingCapacity: true)
    }

    /// An expansion's segment, unless its script is discarded. Callers read the expansion
    /// first: `append(try readDollar(), ...)` copies the whole parser to keep `self` apart.
    private func append(_ segment: ShellWord.Segment, to segments: inout [ShellWord.Segment]) {
        if !discards { segments.append(segment) }
    }

    /// The text of a segment; none inside a discarded script, where nothing reads it.
    private func segmentText(_ range: Range<Int>) -> String {
        discards ? "" : String(decoding: bytes[range], as: UTF8.self)
    }

    private mutating func readDoubleQuoted(into segments: inout [ShellWord.Segment], text: inout [UInt8]) throws(SyntaxError) {
        let open = index - 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                if index + 1 < bytes.count {
                    let next = bytes[index + 1]
                    if next == UInt8(ascii: "$") || next == UInt8(ascii: "`") || next == UInt8(ascii: "\"") || next == UInt8(ascii: "\\") {
                        text.append(next)
                    } else if next != UInt8(ascii: "\n") {
                        text += [UInt8(ascii: "\\"), next]
                    }
                    index += 2
                } else {
                    index += 1
                }
            case UInt8(ascii: "$"):
                flush(&text, into: &segments)
                let expansion = try readDollar()
                append(expansion, to: &segments)
            case UInt8(ascii: "`"):
                flush(&text, into: &segments)
                let start = index
                try skipBackquoted()
                append(.opaque(segmentText(start..<index)), to: &segments)
            default:
                let run = index
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"),
                      bytes[index] != UInt8(ascii: "$"), bytes[index] != UInt8(ascii: "`")
                {
                    index += 1
                }
                text += bytes[run..<index]
            }
        }
        throw SyntaxError(message: "a double quote is not closed", offset: open)
    }

    private mutating func readDollar() throws(SyntaxError) -> ShellWord.Segment {
        let start = index
        index += 1
        guard index < bytes.count else { return .text("$") }
        let byte = bytes[index]
        if byte == UInt8(ascii: "(") {
            if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "(") {
                try skipBalanced(open: UInt8(ascii: "("), close: UInt8(ascii: ")"))
            } else {
                index += 1
                let pending = pendingHereDocuments
                pendingHereDocuments = []
                let discarded = discards
                discards = true
                _ = try parseList(until: [])
                discards = discarded
                pendingHereDocuments = pending + pendingHereDocuments
                try expect(")")
            }
            return .opaque(segmentText(start..<index))
        }
        if byte == UInt8(ascii: "{") {
            try skipBalanced(open: UInt8(ascii: "{"), close: UInt8(ascii: "}"))
            let inner = (start + 2)..<(index - 1)
            if isName(inner) { return .variable(segmentText(inner)) }
            return .opaque(segmentText(start..<index))
        }
        if byte == UInt8(ascii: "'") {
            // bash's $'...'
            let close = try find(UInt8(ascii: "'"), from: index + 1, what: "a $' quote")
            index = close + 1
            return .opaque(segmentText(start..<index))
        }
        if isNameStart(byte) {
            while index < bytes.count, isNameCharacter(bytes[index]) { index += 1 }
            return .variable(segmentText((start + 1)..<index))
        }
        if (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || "@*#?-$!".utf8.contains(byte) {
            index += 1
            return .opaque(segmentText(start..<index))
        }
        return .text("$")
    }

    /// Skips from an opening bracket at `index` past its match, minding quotes and escapes.
    private mutating func skipBalanced(open: UInt8, close: UInt8) throws(SyntaxError) {
        let start = index
        var level = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if byte == UInt8(ascii: "'"), open != UInt8(ascii: "{") || level > 0 {
                index = try find(UInt8(ascii: "'"), from: index + 1, what: "a single quote") + 1
                continue
            }
            if byte == UInt8(ascii: "\"") {
                var segments: [ShellWord.Segment] = []
                var text: [UInt8] = []
                index += 1
                try readDoubleQuoted(into: &segments, text: &text)
                continue
            }
            if byte == open { level += 1 }
            if byte == close {
                level -= 1
                if level == 0 {
                    index += 1
                    return
                }
            }
            index += 1
        }
        throw SyntaxError(message: "`\(String(decoding: [open], as: UTF8.self))` is not closed", offset: start)
    }

    private mutating func skipBackquoted() throws(SyntaxError) {
        let start = index
        index += 1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if bytes[index] == UInt8(ascii: "`") {
                index += 1
                return
            }
            index += 1
        }
        throw SyntaxError(message: "a backquote is not closed", offset: start)
    }

    // MARK: Tokens

    /// Where the `=` of a `NAME=value` word is, when the word is one.
    private func assignmentEquals(in word: ShellWord) -> Int? {
        guard let equals = bytes[word.range].firstIndex(of: UInt8(ascii: "=")) else { return nil }
        return isName(word.range.lowerBound..<equals) ? equals : nil
    }

    private func assignment(from word: consuming ShellWord, equals: Int) -> ShellAssignment {
        if discards { return ShellAssignment(name: "", value: word) }
        let name = String(decoding: bytes[word.range.lowerBound..<equals], as: UTF8.self)
        // The value is the word with `NAME=` taken off its first text segment. The word is
        // the caller's no more: its segments change in place, not in a copy.
        word.range = (equals + 1)..<word.range.upperBound
        if case .text(let first) = word.segments.first {
            // `NAME=` is ASCII, a byte per character, unless a combining mark joins the `=`.
            let dropped = name.utf8.count + 1
            let next = first.utf8.dropFirst(dropped).first
            let rest = next.map { $0 >= 0x80 } ?? false ? String(first.dropFirst(name.count + 1))
                : String(decoding: first.utf8.dropFirst(dropped), as: UTF8.self)
            if rest.isEmpty { word.segments.removeFirst() } else { word.segments[0] = .text(rest) }
        }
        return ShellAssignment(name: name, value: word)
    }

    private mutating func skipBlanks() {
        while index < bytes.count {
            let byte = bytes[index]
            if isBlank(byte) || byte == UInt8(ascii: "\r") {
                index += 1
            } else if byte == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\n") {
                index += 2
            } else if byte == UInt8(ascii: "#") {
                while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
            } else {
                break
            }
        }
    }

    private mutating func skipLinebreaks() {
        while true {
            skipBlanks()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\n") else { return }
            index += 1
            if !pendingHereDocuments.isEmpty { readPendingHereDocuments() }
        }
    }

    private func peekReservedWord() -> String? {
        // Reserved words are short and start with a lowercase letter, `{` or `}`.
        guard index < bytes.count else { return nil }
        let head = bytes[index]
        guard (head >= UInt8(ascii: "a") && head <= UInt8(ascii: "z")) || head == UInt8(ascii: "{") || head == UInt8(ascii: "}") else {
            return nil
        }
        var end = index
        while end < bytes.count, !isBlank(bytes[end]), !isOperatorStart(bytes[end]), bytes[end] != UInt8(ascii: "\n") {
            end += 1
        }
        guard end > index, end - index <= 8 else { return nil }
        // Compared as bytes: this runs at the start of every command.
        let length = end - index
        for (word, spelled) in zip(Self.reservedWords, Self.reservedWordBytes) where spelled.count == length {
            var matched = 0
            while matched < length, bytes[index + matched] == spelled[matched] { matched += 1 }
            if matched == length { return word }
        }
        return nil
    }

    private mutating func consumeWord(_ word: String) -> Bool {
        skipLinebreaks()
        guard peekReservedWord() == word else { return false }
        index += word.utf8.count
        lastTokenEnd = index
        return true
    }

    private mutating func expectWord(_ word: String) throws(SyntaxError) {
        guard consumeWord(word) else {
            throw SyntaxError(message: "expected `\(word)`, found `\(peekToken())`", offset: index)
        }
    }

    private mutating func expect(_ token: StaticString) throws(SyntaxError) {
        skipLinebreaks()
        guard starts(with: token) else {
            throw SyntaxError(message: "expected `\(token)`, found `\(peekToken())`", offset: index)
        }
        index += token.utf8CodeUnitCount
        lastTokenEnd = index
    }

    private func peekToken() -> String {
        guard index < bytes.count else { return "end of command" }
        var end = index + 1
        while end < bytes.count, end - index < 12, !isBlank(bytes[end]), bytes[end] != UInt8(ascii: "\n") { end += 1 }
        return String(decoding: bytes[index..<end], as: UTF8.self)
    }

    private func find(_ byte: UInt8, from start: Int, what: String) throws(SyntaxError) -> Int {
        guard let found = bytes[start...].firstIndex(of: byte) else {
            throw SyntaxError(message: "\(what) is not closed", offset: start - 1)
        }
        return found
    }

    /// A static token's bytes are at hand without a String's checks: this runs several times
    /// per word (`;;`, `&&`, `||`, ...).
    private func starts(with token: StaticString, at position: Int? = nil) -> Bool {
        let cursor = position ?? index
        let count = token.utf8CodeUnitCount
        guard cursor + count <= bytes.count else { return false }
        let spelled = token.utf8Start
        for offset in 0..<count where bytes[cursor + offset] != spelled[offset] { return false }
        return true
    }

    private func startsAfterBlanks(_ token: StaticString) -> Bool {
        var cursor = index
        while cursor < bytes.count, isBlank(bytes[cursor]) { cursor += 1 }
        return starts(with: token, at: cursor)
    }

    private func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    private func isOperatorStart(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ";"), UInt8(ascii: "&"), UInt8(ascii: "|"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "("),
             UInt8(ascii: ")"):
            true
        default:
            false
        }
    }

    private func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_")
    }

    private func isNameCharacter(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// Whether these bytes of the script are a shell name; read in place, before any String.
    private func isName(_ range: Range<Int>) -> Bool {
        guard !range.isEmpty, isNameStart(bytes[range.lowerBound]) else { return false }
        for index in range where !isNameCharacter(bytes[index]) { return false }
        return true
    }
}
