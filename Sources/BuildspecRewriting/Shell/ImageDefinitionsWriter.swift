/// Tells which files are image-definitions files, and which pipelines write one.
public struct ImageDefinitionsWriter: Sendable {
    /// The file the pipeline writes, as written in the command (`imagedefinitions.json`,
    /// `"$CODEBUILD_SRC_DIR/imageDetail.json"`).
    public var file: String

    /// Decides which written files hold image definitions.
    public struct FileMatcher: Sendable {
        /// Names given with `--definitions-file`.
        public var extraNames: [String]
        /// `artifacts.files` entries: a `.json` listed there whose writer names `imageUri` or
        /// `ImageURI` is an image-definitions file whatever its name.
        public let artifactFiles: [String]
        /// The entries with `$NAME` written `${NAME}` (they are the same path), read once.
        private let artifactPatterns: [(entry: String, glob: GlobPattern)]

        public init(extraNames: [String] = [], artifactFiles: [String] = []) {
            self.extraNames = extraNames
            self.artifactFiles = artifactFiles
            artifactPatterns = artifactFiles.map { listed in
                let entry = Self.bracedVariables(listed)
                return (entry, GlobPattern(entry))
            }
        }

        /// `imagedefinitions.json`, `imageDetail.json` and their variants (`web-imagedefinitions.json`,
        /// `imagesdefinitions.json`), any case, any folder.
        public static func hasDefinitionsName(_ path: String) -> Bool {
            let name = path.lastPathComponent.lowercased()
            guard name.hasSuffix(".json") else { return false }
            return name.containsBytes("imagedefinition") || name.containsBytes("imagesdefinition") || name.containsBytes("imagedetail")
        }

        /// Whether a command's text can hold a definitions writer at all: it names a
        /// definitions file or `imageUri` (any case, once the shell has removed quotes,
        /// backslashes and line continuations), or `--definitions-file` names are in play.
        /// Cheap, and never false for a command `find(in:of:matcher:)` would match, so
        /// commands (and whole files) without any can skip the shell reading.
        public func mayNameDefinitions(_ text: String) -> Bool {
            if !extraNames.isEmpty { return true }
            var text = text
            return text.withUTF8 { bytes in
                // Every word starts with `image`: look for that, then for what may follow it.
                var start = 0
                while start < bytes.count {
                    // Eight bytes at a time to the next `i` (any case); the lowest flagged byte
                    // of the zero-byte test is always a true one (the low byte is the first).
                    if start + 8 <= bytes.count {
                        let loaded = UnsafeRawPointer(bytes.baseAddress! + start).loadUnaligned(as: UInt64.self)
                        let word = UInt64(littleEndian: loaded) | 0x2020_2020_2020_2020
                        let difference = word ^ 0x6969_6969_6969_6969
                        let found = (difference &- 0x0101_0101_0101_0101) & ~difference & 0x8080_8080_8080_8080
                        if found == 0 {
                            start += 8
                            continue
                        }
                        start += found.trailingZeroBitCount / 8
                    }
                    if bytes[start] | 0x20 == UInt8(ascii: "i"), let rest = Self.skip(Self.image, in: bytes, from: start),
                       Self.endings.contains(where: { Self.skip($0, in: bytes, from: rest) != nil })
                    {
                        return true
                    }
                    start += 1
                }
                return false
            }
        }

        private static let image = Array("image".utf8)
        private static let endings = ["definition", "sdefinition", "detail", "uri"].map { Array($0.utf8) }

        /// Where `word` (lowercase) ends when it starts at `start`, in any case and with what
        /// the shell drops in between; nil when it does not stand there.
        private static func skip(_ word: [UInt8], in bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
            var index = start
            for expected in word {
                while index < bytes.count, isDroppedByShell(bytes[index]) { index += 1 }
                guard index < bytes.count else { return nil }
                let byte = bytes[index]
                guard (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte) == expected else { return nil }
                index += 1
            }
            return index
        }

        /// Quotes, backslashes and the line breaks of continuations.
        private static func isDroppedByShell(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") || byte == 0x0A || byte == 0x0D
        }

        static func bracedVariables(_ path: String) -> String {
            guard let word = try? ShellParser.parse(path).script.lists.first?.pipelines.first?.commands.first?.words.first
            else { return path }
            return ImageDefinitionsWriter.unquoted(word)
        }

        func matches(target: String, writerText: @autoclosure () -> String) -> Bool {
            let name = target.lastPathComponent
            if extraNames.contains(where: { $0 == target || $0 == name }) { return true }
            if Self.hasDefinitionsName(target) { return true }
            guard !artifactPatterns.isEmpty else { return false }
            let writerText = writerText()
            guard writerText.containsBytes("imageUri") || writerText.containsBytes("ImageURI") else { return false }
            return artifactPatterns.contains { pattern in
                pattern.entry == target || pattern.entry == name || pattern.glob.matches(target) || pattern.glob.matches(name)
            }
        }
    }

    /// The definitions file a pipeline writes, if any: through a redirection of any of its
    /// commands (`>`, `>>`, `>|`, here-documents included) or as a `tee` argument.
    public static func find(in pipeline: ShellPipeline, of parsed: ParsedShell, matcher: FileMatcher) -> ImageDefinitionsWriter? {
        var writerText: String { parsed.text(pipeline.range.lowerBound..<parsed.extendedEnd(of: pipeline)) }
        for command in pipeline.commands {
            for redirection in command.redirections where redirection.writesFile {
                let target = parsed.text(redirection.target.range)
                if matcher.matches(target: unquoted(redirection.target), writerText: writerText) {
                    return ImageDefinitionsWriter(file: target)
                }
            }
            guard command.kind == .simple, let program = command.words.first?.literal,
                  program == "tee" || program.hasSuffix("/tee")
            else { continue }
            for word in command.words.dropFirst() where !(word.literal?.hasPrefix("-") ?? false) {
                if matcher.matches(target: unquoted(word), writerText: writerText) {
                    return ImageDefinitionsWriter(file: parsed.text(word.range))
                }
            }
        }
        return nil
    }

    /// The word as text, with `${NAME}` for each variable.
    static func unquoted(_ word: ShellWord) -> String {
        word.segments.map { segment in
            switch segment {
            case .text(let text): text
            case .variable(let name): "${\(name)}"
            case .opaque(let raw): raw
            }
        }.joined()
    }
}

/// A shell glob (`*`, `**`, `?`) as CodeBuild reads artifact paths.
struct GlobPattern: Sendable {
    private let pattern: [Character]

    init(_ pattern: String) {
        self.pattern = Array(pattern)
    }

    func matches(_ text: String) -> Bool {
        Self.match(pattern[...], Array(text)[...])
    }

    private static func match(_ pattern: ArraySlice<Character>, _ text: ArraySlice<Character>) -> Bool {
        guard let first = pattern.first else { return text.isEmpty }
        if first == "*" {
            let isDouble = pattern.dropFirst().first == "*"
            let rest = isDouble ? pattern.dropFirst(2) : pattern.dropFirst()
            // `**/` also matches no folder at all
            if isDouble, rest.first == "/", match(rest.dropFirst(), text) { return true }
            var candidate = text
            while true {
                if match(rest, candidate) { return true }
                guard let next = candidate.first, isDouble || next != "/" else { return false }
                candidate = candidate.dropFirst()
            }
        }
        guard let head = text.first else { return false }
        if first == "?" || first == head { return match(pattern.dropFirst(), text.dropFirst()) }
        return false
    }
}
