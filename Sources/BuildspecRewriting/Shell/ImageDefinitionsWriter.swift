/// Tells which files are image-definitions files, and which pipelines write one.
public struct ImageDefinitionsWriter: Sendable {
    /// The file the pipeline writes, as written in the command (`imagedefinitions.json`,
    /// `"$CODEBUILD_SRC_DIR/imageDetail.json"`).
    public var file: String

    /// Decides which written files hold image definitions.
    public struct FileMatcher: Sendable {
        /// Names given with `--definitions-file`.
        public var extraNames: [String]
        /// `artifacts.files` entries: a `.json` uploaded by them whose writer emits the JSON key
        /// `imageUri` or `ImageURI` is an image-definitions file whatever its name.
        public let artifactFiles: [String]
        /// The entries read once: with `$NAME` written `${NAME}` (they are the same path), and
        /// joined to their group's `base-directory`.
        private let artifactPatterns: [ArtifactPattern]
        /// Values of the buildspec's own variables, expanded in artifact paths as CodeBuild does.
        private let variables: [String: String]

        private struct ArtifactPattern: Sendable {
            var entry: String
            /// Under a `base-directory`: only the whole path from the source folder can match.
            var isUnderBase: Bool
            /// Made when a writer gets as far as the globs, which few do: reading the entry into
            /// characters costs thousands of instructions a file.
            var glob: GlobPattern { GlobPattern(entry) }
        }

        public init(extraNames: [String] = [], artifactFiles: [String] = []) {
            self.init(extraNames: extraNames, artifacts: [Buildspec.ArtifactGroup(baseDirectory: nil, files: artifactFiles)])
        }

        /// `variables`: the buildspec's `env.variables`, whose values CodeBuild expands in
        /// artifact paths.
        public init(extraNames: [String] = [], artifacts: [Buildspec.ArtifactGroup], variables: [String: String] = [:]) {
            self.extraNames = extraNames
            artifactFiles = artifacts.flatMap(\.files)
            // `memchr` for the `$`; most buildspecs have none in a value, and keep theirs as they are.
            func isLiteral(_ value: String) -> Bool { value.firstIndex(ofASCII: UInt8(ascii: "$")) == nil }
            self.variables = variables.values.allSatisfy(isLiteral) ? variables : variables.filter { isLiteral($0.value) }
            var patterns: [ArtifactPattern] = []
            for group in artifacts {
                let base = group.baseDirectory.map { Self.relativePath(Self.expand(Self.bracedVariables($0), variables)) }
                for listed in group.files {
                    if let base {
                        let path = Self.relativePath(Self.expand(Self.bracedVariables(listed), variables))
                        let entry = base.isEmpty || base == "." ? path : base + "/" + path
                        patterns.append(ArtifactPattern(entry: entry, isUnderBase: true))
                    } else {
                        let entry = Self.bracedVariables(listed)
                        patterns.append(ArtifactPattern(entry: entry, isUnderBase: false))
                    }
                }
            }
            artifactPatterns = patterns
        }

        /// `imagedefinitions.json`, `imageDetail.json` and their variants (`web-imagedefinitions.json`,
        /// `imagesdefinitions.json`), any case, any folder.
        public static func hasDefinitionsName(_ path: String) -> Bool {
            // In ASCII case on the bytes: `lowercased()` turns no non-ASCII letter into a letter
            // of these words (`İ` becomes `i` and a combining dot), so the same names match.
            let name = path.lastPathComponent
            guard name.hasSuffixIgnoringASCIICase(".json") else { return false }
            return name.containsIgnoringASCIICase("imagedefinition") || name.containsIgnoringASCIICase("imagesdefinition")
                || name.containsIgnoringASCIICase("imagedetail")
        }

        /// Whether a command's text can hold a definitions writer at all: it names a
        /// definitions file or `imageUri` (any case, once the shell has removed quotes,
        /// backslashes and line continuations), or `--definitions-file` names are in play.
        /// Cheap, and never false for a command `find(in:of:matcher:)` would match, so
        /// commands (and whole files) without any can skip the shell reading.
        public func mayNameDefinitions(_ text: String) -> Bool {
            !extraNames.isEmpty || Self.mayNameDefinitionsFile(text)
        }

        /// `mayNameDefinitions(_:)` of UTF-8 bytes.
        func mayNameDefinitions(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            !extraNames.isEmpty || Self.mayNameDefinitionsFile(bytes)
        }

        /// The part of `mayNameDefinitions(_:)` that needs no matcher: a definitions file's
        /// name or `imageUri` in the text.
        static func mayNameDefinitionsFile(_ text: String) -> Bool {
            var text = text
            return text.withUTF8 { mayNameDefinitionsFile($0) }
        }

        /// `mayNameDefinitionsFile(_:)` of UTF-8 bytes.
        static func mayNameDefinitionsFile(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            // Every word starts with `image`: look for that, then for what may follow it. The
            // words are taken once: a static's every read checks it was made.
            let image = Self.image, endings = Self.endings
            guard let base = bytes.baseAddress else { return false }
            let count = bytes.count
            /// Whether a word starts at the `i` (any case) at `start`.
            func startsWord(at start: Int) -> Bool {
                // Most `i`s start other words (`install`, `pip`): the byte after one tells.
                guard start + 1 < count, base[start + 1] | 0x20 == UInt8(ascii: "m") || isDroppedByShell(base[start + 1]),
                      let rest = skip(image, in: bytes, from: start)
                else { return false }
                return endings.contains { skip($0, in: bytes, from: rest) != nil }
            }
            // From the end back: a buildspec names its definitions file last of all, under
            // `artifacts`, so a file that names one is mostly answered without reading the rest.
            // Eight bytes at a time: every `i` of the eight (any case) gets its high bit, exactly,
            // and each is looked at without leaving the eight.
            var start = count
            while start >= 8 {
                start -= 8
                let word = UInt64(littleEndian: UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self)) | 0x2020_2020_2020_2020
                let difference = word ^ 0x6969_6969_6969_6969
                var found = ~(((difference & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7F7F_7F7F_7F7F_7F7F) | difference | 0x7F7F_7F7F_7F7F_7F7F)
                while found != 0 {
                    if startsWord(at: start + found.trailingZeroBitCount / 8) { return true }
                    found &= found &- 1
                }
            }
            while start > 0 {
                start -= 1
                if base[start] | 0x20 == UInt8(ascii: "i"), startsWord(at: start) { return true }
            }
            return false
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
                guard bytes[index].asciiLowercased == expected else { return nil }
                index += 1
            }
            return index
        }

        /// Quotes, backslashes and the line breaks of continuations.
        private static func isDroppedByShell(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") || byte == 0x0A || byte == 0x0D
        }

        static func bracedVariables(_ path: String) -> String {
            // A plain path (`imagedefinitions.json`, `out/**/*.json`) is one word of literal
            // text, itself: most artifact entries need no shell reading.
            if path.utf8.allSatisfy(isPlainPathByte) { return path }
            return parsedBracedVariables(path)
        }

        static func isPlainPathByte(_ byte: UInt8) -> Bool {
            (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "/")
                || byte == UInt8(ascii: "*")
        }

        /// `bracedVariables(_:)` by the shell parser: the first word, quotes removed.
        static func parsedBracedVariables(_ path: String) -> String {
            guard let word = try? ShellParser.parse(path).script.lists.first?.pipelines.first?.commands.first?.words.first
            else { return path }
            return ImageDefinitionsWriter.unquoted(word)
        }

        func matches(target: String, writerText: @autoclosure () -> String) -> Bool {
            let name = target.lastPathComponent
            if extraNames.contains(where: { $0 == target || $0 == name }) { return true }
            if Self.hasDefinitionsName(target) { return true }
            // A `.json`, or a name the project gives (`${IMAGE_DEFINITIONS_FILE}`) that may be one.
            guard !artifactPatterns.isEmpty, target.lowercased().hasSuffix(".json") || target.containsBytes("${") else { return false }
            guard Self.emitsImageKey(writerText()) else { return false }
            // From the source folder, where CodeBuild starts and resolves artifact paths.
            let path = Self.relativePath(Self.expand(target, variables), dropping: "${CODEBUILD_SRC_DIR}")
            return artifactPatterns.contains { pattern in
                if pattern.isUnderBase { return pattern.entry == path || pattern.glob.matches(path) }
                // No base directory: the writer may have changed folder first, so its file name
                // alone may match too.
                if pattern.entry == target || pattern.entry == name { return true }
                let glob = pattern.glob
                return glob.matches(target) || glob.matches(name)
            }
        }

        /// Whether a writer's text emits the JSON key `imageUri` or `ImageURI` itself: quoted
        /// (`"imageUri"`, `\"imageUri\"`), or bare after `{` or `,` and before `:` as jq writes
        /// object keys; never as part of a longer key (`"DockerImageURI"`, `"imageUriPrefix"`).
        static func emitsImageKey(_ text: String) -> Bool {
            let bytes = Array(text.utf8)
            for key in [Array("imageUri".utf8), Array("ImageURI".utf8)] {
                var from = 0
                while from < bytes.count, let found = bytes[from...].firstIndex(ofBytes: key) {
                    from = found + 1
                    let before = found > 0 ? bytes[found - 1] : 0x20
                    let afterIndex = found + key.count
                    let after = afterIndex < bytes.count ? bytes[afterIndex] : 0x20
                    if before == UInt8(ascii: "\"") {
                        // `"imageUri"`, or `\"imageUri\"` where the closing backslash escapes a quote.
                        if after == UInt8(ascii: "\"") { return true }
                        if after == UInt8(ascii: "\\"), afterIndex + 1 < bytes.count, bytes[afterIndex + 1] == UInt8(ascii: "\"") { return true }
                        continue
                    }
                    var previous = found - 1
                    while previous >= 0, bytes[previous] == 0x20 || bytes[previous] == 0x09 { previous -= 1 }
                    var next = afterIndex
                    while next < bytes.count, bytes[next] == 0x20 || bytes[next] == 0x09 { next += 1 }
                    if previous >= 0, bytes[previous] == UInt8(ascii: "{") || bytes[previous] == UInt8(ascii: ","),
                       next < bytes.count, bytes[next] == UInt8(ascii: ":")
                    {
                        return true
                    }
                }
            }
            return false
        }

        /// `${NAME}` replaced by the values known for it.
        private static func expand(_ path: String, _ variables: [String: String]) -> String {
            guard !variables.isEmpty, path.utf8.contains(UInt8(ascii: "$")) else { return path }
            var result = path
            for (name, value) in variables { result = result.replacing("${\(name)}", with: value) }
            return result
        }

        /// A path as CodeBuild reads it from the source folder: without `./`, a leading `/` or
        /// the source folder's own variable in front.
        private static func relativePath(_ path: String, dropping prefix: String? = nil) -> String {
            var text = Substring(path.trimmingSpaces)
            if let prefix, text.hasPrefix(prefix + "/") { text = text.dropFirst(prefix.count + 1) }
            while text.hasPrefix("./") { text = text.dropFirst(2) }
            while text.hasPrefix("/") { text = text.dropFirst() }
            while text.hasSuffix("/") { text = text.dropLast() }
            return String(text)
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
        ShellWord.text(of: word.segments)
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
