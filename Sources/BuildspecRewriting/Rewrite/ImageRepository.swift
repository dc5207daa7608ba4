/// The ECR repository an image reference points at, as a shell word the query can use.
public struct ImageRepository: Sendable, Hashable {
    /// The `--repository-name` argument: `team/app`, `"$IMAGE_REPO_NAME"`, `"${REPOSITORY_URI#*/}"`.
    public var argument: String
    /// Variables that name this repository (in the name itself or in the URI holding it):
    /// a definitions writer that mentions one of them deploys this repository's image.
    var identity: Set<String>
    /// The name when it is literal text.
    var literalName: String?

    /// A repository named on the command line: a valid ECR name, `$VAR` or `${VAR}`.
    public static func named(_ text: String) -> ImageRepository? {
        if isValidName(text) { return ImageRepository(argument: text, identity: [], literalName: text) }
        var name = Substring(text)
        guard name.first == "$" else { return nil }
        name = name.dropFirst()
        if name.first == "{" {
            guard name.last == "}" else { return nil }
            name = name.dropFirst().dropLast()
        }
        guard !name.isEmpty, name.utf8.enumerated().allSatisfy({ VariableEnvironment.isNameByte($1, first: $0 == 0) }) else {
            return nil
        }
        return ImageRepository(argument: "\"$\(name)\"", identity: [String(name)], literalName: nil)
    }

    /// ECR's rule for repository names: lowercase letters and digits, with `.`, `_`, `-`
    /// between them and `/` between parts; 2 to 256 characters.
    public static func isValidName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (2...256).contains(bytes.count) else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
        // Every part between slashes starts and ends alphanumeric; `.`, `_`, `-` only inside.
        guard isAlphanumeric(bytes[0]), isAlphanumeric(bytes[bytes.count - 1]) else { return false }
        for index in bytes.indices {
            switch bytes[index] {
            case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"): continue
            case UInt8(ascii: "/"): guard isAlphanumeric(bytes[index - 1]), isAlphanumeric(bytes[index + 1]) else { return false }
            case let byte: guard isAlphanumeric(byte) else { return false }
            }
        }
        return true
    }

    /// Finds the repository of a pushed reference, expanding the variables the file assigned
    /// until the registry host and the repository name can be told apart.
    static func resolve(_ reference: ShellWord, in environment: VariableEnvironment) -> Result<ImageRepository, RepositoryError> {
        var segments = reference.segments.filter { $0 != .text("") }
        var expanded: Set<String> = []
        for _ in 0..<8 {
            if slashPosition(in: segments) != nil { break }
            guard let index = segments.firstIndex(where: { segment in
                if case .variable(let name) = segment, let value = environment.values[name], isExpandable(value) {
                    return true
                }
                return false
            }), case .variable(let name) = segments[index] else { break }
            expanded.insert(name)
            segments.replaceSubrange(index...index, with: environment.values[name] ?? [])
        }
        // The reference as written, for messages only.
        var written: String { ImageDefinitionsWriter.unquoted(reference) }
        guard let slash = slashPosition(in: segments) else {
            // `$REPOSITORY_URI:tag` where the URI comes from the project or from a command.
            if case .variable(let name) = segments.first, segments.count == 1 || startsTag(segments[1]) {
                return .success(ImageRepository(argument: "\"${\(name)#*/}\"", identity: expanded.union([name]), literalName: nil))
            }
            return .failure(.notECR("`\(written)` has no registry host, so it goes to Docker Hub, which `aws ecr list-images` cannot ask"))
        }
        let host = Array(segments[..<slash.segment]) + textBefore(slash)
        var name = textAfter(slash) + Array(segments[(slash.segment + 1)...])
        name = stripTag(name)
        let hostText = host.map(describe).joined()
        if hostText.containsBytes("public.ecr.aws") {
            return .failure(.notECR("`\(written)` is in ECR Public, which `aws ecr list-images` cannot ask"))
        }
        let hostIsVariable = host.contains { if case .text = $0 { return false } else { return true } }
        if !hostIsVariable, !hostText.containsBytes(".dkr.ecr."), !hostText.containsBytes("amazonaws.com") {
            let registry = hostText.containsBytes(".") || hostText.containsBytes(":") || hostText == "localhost"
                ? "registry `\(hostText)`, not ECR" : "Docker Hub"
            return .failure(.notECR("`\(written)` goes to \(registry); `aws ecr list-images` cannot ask it"))
        }
        if name.contains(where: isOpaque) || name.isEmpty {
            return .failure(.unknown("cannot tell the repository name of `\(written)`"))
        }
        var identity = expanded
        var literal = ""
        var argument = ""
        var onlyText = true
        for segment in name {
            switch segment {
            case .text(let text): literal += text; argument += text
            case .variable(let variable): identity.insert(variable); argument += "${\(variable)}"; onlyText = false
            case .opaque: break
            }
        }
        if onlyText {
            guard isValidName(literal) else {
                return .failure(.unknown("`\(literal)` (from `\(written)`) is not a valid ECR repository name"))
            }
            return .success(ImageRepository(argument: literal, identity: identity, literalName: literal))
        }
        guard literal.utf8.allSatisfy({ ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
            || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "/") }) else {
            return .failure(.unknown("cannot tell the repository name of `\(written)`"))
        }
        if name.count == 1, case .variable(let variable) = name[0] { argument = "$\(variable)" }
        return .success(ImageRepository(argument: "\"\(argument)\"", identity: identity, literalName: nil))
    }

    /// A value helps when nothing unknown stands before its first `/` (an unknown tag after
    /// it, such as `:$(date +%s)`, is dropped with the tag anyway).
    private static func isExpandable(_ value: [ShellWord.Segment]) -> Bool {
        for segment in value {
            if isOpaque(segment) { return false }
            if case .text(let text) = segment, text.utf8.contains(UInt8(ascii: "/")) { return true }
        }
        return true
    }

    private static func isOpaque(_ segment: ShellWord.Segment) -> Bool {
        if case .opaque = segment { return true }
        return false
    }

    private static func startsTag(_ segment: ShellWord.Segment) -> Bool {
        if case .text(let text) = segment { return text.hasPrefix(":") || text.hasPrefix("@") }
        return false
    }

    private static func describe(_ segment: ShellWord.Segment) -> String {
        switch segment {
        case .text(let text): text
        case .variable(let name): "${\(name)}"
        case .opaque(let raw): raw
        }
    }

    private struct Slash { var segment: Int; var offset: String.Index; var text: String }

    private static func slashPosition(in segments: [ShellWord.Segment]) -> Slash? {
        for (index, segment) in segments.enumerated() {
            if case .text(let text) = segment, let slash = text.firstIndex(ofASCII: UInt8(ascii: "/")) {
                return Slash(segment: index, offset: slash, text: text)
            }
        }
        return nil
    }

    private static func textBefore(_ slash: Slash) -> [ShellWord.Segment] {
        let text = String(slash.text[..<slash.offset])
        return text.isEmpty ? [] : [.text(text)]
    }

    private static func textAfter(_ slash: Slash) -> [ShellWord.Segment] {
        let text = String(slash.text[slash.text.index(after: slash.offset)...])
        return text.isEmpty ? [] : [.text(text)]
    }

    /// Drops `:tag` and `@digest` from the last path part.
    private static func stripTag(_ name: [ShellWord.Segment]) -> [ShellWord.Segment] {
        var result: [ShellWord.Segment] = []
        for segment in name {
            if case .text(let text) = segment {
                if let at = text.firstIndex(ofASCII: UInt8(ascii: "@")) {
                    let kept = String(text[..<at])
                    if !kept.isEmpty { result.append(.text(kept)) }
                    return result
                }
                if let colon = text.firstIndex(ofASCII: UInt8(ascii: ":")), !text[colon...].utf8.contains(UInt8(ascii: "/")) {
                    let kept = String(text[..<colon])
                    if !kept.isEmpty { result.append(.text(kept)) }
                    return result
                }
            }
            result.append(segment)
        }
        return result
    }
}

/// Why no repository could be found for a push.
enum RepositoryError: Error, Sendable {
    case notECR(String)
    case unknown(String)

    var message: String {
        switch self {
        case .notECR(let text), .unknown(let text): text
        }
    }

    var rule: Rule {
        switch self {
        case .notECR: .registryNotECR
        case .unknown: .repositoryUnknown
        }
    }
}
