/// The ECR repository an image reference points at, as a shell word the query can use.
public struct ImageRepository: Sendable, Hashable {
    /// The `--repository-name` argument: `team/app`, `"$IMAGE_REPO_NAME"`, `"${REPOSITORY_URI#*/}"`.
    public var argument: String
    /// Variables that name this repository (in the name itself or in the URI holding it):
    /// a definitions writer that mentions one of them deploys this repository's image.
    var identity: Set<String>
    /// The name when it is literal text.
    var literalName: String?
    /// The `--registry-id` argument (the registry's account), as a shell word; nil when the
    /// reference does not tell it, and the query asks the build's own account.
    var registryID: String?
    /// The `--region` argument, as a shell word; nil when the reference does not tell it, and
    /// the query asks the build's own region. ECR Public is always asked in `us-east-1`.
    var region: String?
    /// ECR Public (`public.ecr.aws/ALIAS/NAME`), asked with `aws ecr-public describe-images`.
    var isPublic = false

    /// Two repositories are the same query when name, registry and region are.
    var queryKey: String { String(concatenating: [isPublic ? "public " : "", argument, " ", registryID ?? "", " ", region ?? ""]) }

    /// A registry account named on the command line: twelve digits, `$VAR` or `${VAR}`; the
    /// shell word the query passes as `--registry-id`.
    public static func registryAccount(_ text: String) -> String? {
        if text.utf8.count == 12, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) { return text }
        guard let variable = named(text), variable.literalName == nil else { return nil }
        return variable.argument
    }

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
        // A host's substitutions change the answer and are seldom shared: only plain
        // buildspecs keep theirs.
        guard environment.host.isEmpty else {
            var reads = VariableReads(environment: environment)
            return resolve(reference, reading: &reads)
        }
        return resolved.answer(ReferenceKey(reference.segments), in: environment) { resolve(reference, reading: &$0) }
    }

    /// A reference's segments as a key of `resolved`, hashed once and cheaply: through
    /// `Hasher`, hashing the segments cost about 900 instructions a lookup.
    struct ReferenceKey: Hashable, Sendable {
        let segments: [ShellWord.Segment]
        let hash: UInt64

        init(_ segments: [ShellWord.Segment]) {
            self.segments = segments
            var hash = UInt64(truncatingIfNeeded: segments.count)
            for segment in segments {
                let tag: UInt64
                var text: String
                switch segment {
                case .text(let part): (tag, text) = (1, part)
                case .variable(let name): (tag, text) = (2, name)
                case .opaque(let source): (tag, text) = (3, source)
                }
                hash = ByteHash.combine(ByteHash.combine(hash, tag), text.withUTF8(ByteHash.of))
            }
            self.hash = hash
        }

        static func == (lhs: ReferenceKey, rhs: ReferenceKey) -> Bool { lhs.hash == rhs.hash && lhs.segments == rhs.segments }
        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    /// The repositories of the references this process has resolved: the same reference
    /// (`$REPOSITORY_URI:$IMAGE_TAG`) under the same values (`REPOSITORY_URI=$AWS_ACCOUNT_ID.dkr.ecr...`)
    /// is the same repository, found again at the cost of a few lookups instead of the
    /// expansion's sixteen thousand instructions.
    private static let resolved = EnvironmentMemo<ReferenceKey, Result<ImageRepository, RepositoryError>>()

    /// `resolve(_:in:)`, with each value of a variable it looks at kept in `reads`: the answer
    /// depends on the reference, those values and the host's values, and nothing else.
    private static func resolve(_ reference: ShellWord, reading reads: inout VariableReads) -> Result<ImageRepository, RepositoryError> {
        let environment = reads.environment
        var segments = reference.segments
        if segments.contains(where: isEmptyText) { segments.removeAll(where: isEmptyText) }
        // Room for the names a reference usually takes in, so that `identity` grows in place.
        var expanded = Set<String>(minimumCapacity: 6)
        for _ in 0..<8 {
            if slashPosition(in: segments) != nil { break }
            // The variable and its value, looked up once.
            var expansion: (index: Int, name: String, value: [ShellWord.Segment])?
            for (index, segment) in segments.enumerated() {
                if case .variable(let name) = segment, let value = reads.value(of: name), isExpandable(value, host: environment.host) {
                    expansion = (index, name, value)
                    break
                }
            }
            guard let (index, name, value) = expansion else { break }
            expanded.insert(name)
            segments.replaceSubrange(index...index, with: value)
        }
        // The registry host may be a variable the file assigned: expand it until the host
        // says which registry it is (its value may hold the ECR Public alias too).
        // The host before the first `/` and its text, kept from the last round.
        var found: (slash: Slash, host: [ShellWord.Segment], text: String)?
        for _ in 0..<8 {
            guard let slash = slashPosition(in: segments) else { found = nil; break }
            let host = host(before: slash, in: segments)
            let hostText = ShellWord.text(of: host)
            found = (slash, host, hostText)
            guard !isRecognized(hostText) else { break }
            var expansion: (index: Int, value: [ShellWord.Segment])?
            for index in 0..<slash.segment {
                if case .variable(let name) = segments[index], let value = reads.value(of: name), !value.contains(where: isOpaque) {
                    expansion = (index, value)
                    break
                }
            }
            guard let (index, value) = expansion else { break }
            segments.replaceSubrange(index...index, with: value)
            if segments.contains(where: isEmptyText) { segments.removeAll(where: isEmptyText) }
            found = nil
        }
        // The reference as written, for messages only.
        var written: String { ImageDefinitionsWriter.unquoted(reference) }
        if found == nil, let slash = slashPosition(in: segments) {
            let host = host(before: slash, in: segments)
            found = (slash, host, ShellWord.text(of: host))
        }
        guard let (slash, host, hostText) = found else {
            // `$REPOSITORY_URI:tag` where the URI comes from the project or from a command.
            if case .variable(let name) = segments.first, segments.count == 1 || startsTag(segments[1]) {
                var repository = ImageRepository(argument: "\"${\(name)#*/}\"", identity: expanded.union([name]), literalName: nil)
                switch derivedRegistry(of: name, host: environment.host, written: written) {
                case .success(let parts): (repository.registryID, repository.region) = parts
                case .failure(let error): return .failure(error)
                }
                return .success(repository)
            }
            return .failure(.notECR("`\(written)` has no registry host, so it goes to Docker Hub; \(Self.askable)"))
        }
        var name = pathWithoutTag(after: slash, in: segments)
        var registryID: String?
        var region: String?
        let isPublic = hostText == "public.ecr.aws"
        if isPublic {
            // `public.ecr.aws/ALIAS/NAME`: the alias names the registry, not the repository.
            guard let aliasEnd = slashPosition(in: name) else {
                return .failure(.unknown("`\(written)` names no repository after the ECR Public alias (`public.ecr.aws/ALIAS/NAME`)"))
            }
            name = after(aliasEnd, in: name)
        } else if let registry = privateRegistry(host, hostValues: environment.host) {
            switch registry {
            case .success(let parts): (registryID, region) = parts
            case .failure:
                return .failure(.notECR("`\(written)` names registry `\(hostText)`, which is not a valid ECR registry (`ACCOUNT.dkr.ecr.REGION.amazonaws.com`, a 12-digit account); \(Self.askable)"))
            }
        } else if environment.host.literals.contains(hostText) {
            // `${Registry}/name` where the substitution reads as a literal word.
            switch derivedRegistry(of: hostText, host: environment.host, written: written) {
            case .success(let parts): (registryID, region) = parts
            case .failure(let error): return .failure(error)
            }
        } else if host.count == 1, case .variable(let variable) = host[0] {
            // `$ECR_REGISTRY/name`, the host from the project or a command.
            switch derivedRegistry(of: variable, host: environment.host, written: written) {
            case .success(let parts): (registryID, region) = parts
            case .failure(let error): return .failure(error)
            }
        } else if !host.contains(where: { if case .text = $0 { false } else { true } }), !hostText.containsBytes("amazonaws.com") {
            let registry = hostText.containsBytes(".") || hostText.containsBytes(":") || hostText == "localhost"
                ? "registry `\(hostText)`, not ECR" : "Docker Hub"
            return .failure(.notECR("`\(written)` goes to \(registry); \(Self.askable)"))
        }
        if name.contains(where: isOpaque) || name.isEmpty {
            return .failure(.unknown("cannot tell the repository name of `\(written)`"))
        }
        // No expansion but variables is left: the name is its text with `${NAME}` for each.
        if !name.contains(where: { if case .variable = $0 { true } else { false } }) {
            let literal = ShellWord.text(of: name)
            guard isValidName(literal) else {
                return .failure(.unknown("`\(literal)` (from `\(written)`) is not a valid ECR repository name"))
            }
            return .success(ImageRepository(argument: literal, identity: expanded, literalName: literal,
                                            registryID: registryID, region: region, isPublic: isPublic))
        }
        var identity = expanded
        for case .variable(let variable) in name { identity.insert(variable) }
        for case .text(let text) in name {
            guard text.utf8.allSatisfy({ ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9"))
                || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "/") }) else {
                return .failure(.unknown("cannot tell the repository name of `\(written)`"))
            }
        }
        let argument = if name.count == 1, case .variable(let variable) = name[0] {
            String(concatenating: ["\"$", variable, "\""])
        } else {
            String(concatenating: ["\"", ShellWord.text(of: name), "\""])
        }
        return .success(ImageRepository(argument: argument, identity: identity, literalName: nil,
                                        registryID: registryID, region: region, isPublic: isPublic))
    }

    /// What the tool can ask, for the messages of the registries it cannot.
    static let askable = "`aws` cannot ask it whether the repository had an image: only ECR (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME`) and ECR Public (`public.ecr.aws/ALIAS/NAME`) can be asked"

    /// The segments before a `/`, in one array sized for them.
    private static func host(before slash: Slash, in segments: [ShellWord.Segment]) -> [ShellWord.Segment] {
        var host: [ShellWord.Segment] = []
        host.reserveCapacity(slash.segment + 1)
        host += segments[..<slash.segment]
        let text = slash.text[..<slash.offset]
        if !text.isEmpty { host.append(.text(String(text))) }
        return host
    }

    /// Whether a host (its text) already says which registry it is: ECR Public or a private
    /// ECR host.
    private static func isRecognized(_ text: String) -> Bool {
        text == "public.ecr.aws" || text.containsBytes(".dkr.ecr.") || text.containsBytes(".dkr.ecr-fips.")
    }

    private static func isEmptyText(_ segment: ShellWord.Segment) -> Bool {
        if case .text(let text) = segment { return text.isEmpty }
        return false
    }

    /// Account and region of `ACCOUNT.dkr.ecr.REGION.amazonaws.com`, each literal or made of
    /// variables (nil when a command substitution makes it); a failure when literal text
    /// cannot be an ECR registry; nil when the host does not have that shape.
    private static func privateRegistry(_ host: [ShellWord.Segment], hostValues: HostValues) -> Result<(String?, String?), RepositoryError>? {
        // The first text segment with a marker, and where in it (`.dkr.ecr.` before the FIPS one).
        var found: (segment: Int, text: String, start: Int, length: Int)?
        for (index, segment) in host.enumerated() {
            guard case .text(let text) = segment else { continue }
            if let start = text.byteOffset(of: ".dkr.ecr.") {
                found = (index, text, start, 9)
            } else if let start = text.byteOffset(of: ".dkr.ecr-fips.") {
                found = (index, text, start, 14)
            }
            if found != nil { break }
        }
        guard let (marker, text, start, length) = found else { return nil }
        let bytes = text.utf8
        // Most hosts hold the marker as a text of its own (`$ACCOUNT.dkr.ecr.$REGION...`):
        // nothing before or after it to cut out then.
        var account = Array(host[..<marker])
        if start > 0 { account.append(.text(String(decoding: bytes.prefix(start), as: UTF8.self))) }
        // After the marker: the region up to the first `.` of a text, then the domain (the
        // parts are taken one by one, not cut out of a copy of the rest).
        var region: [ShellWord.Segment] = []
        region.reserveCapacity(host.count - marker)
        var domain: [ShellWord.Segment]?
        func take(_ part: ShellWord.Segment) {
            if domain != nil {
                domain?.append(part)
            } else if case .text(let text) = part, let dot = text.firstIndex(ofASCII: UInt8(ascii: ".")) {
                if dot > text.startIndex { region.append(.text(String(text[..<dot]))) }
                domain = [.text(String(text[dot...]))]
            } else {
                region.append(part)
            }
        }
        if start + length < bytes.count { take(.text(String(decoding: bytes.dropFirst(start + length), as: UTF8.self))) }
        for part in host[(marker + 1)...] { take(part) }
        let suffix = domain.map { ShellWord.text(of: $0) } ?? ""
        guard suffix == ".amazonaws.com" || suffix == ".amazonaws.com.cn" else { return .failure(.notECR("")) }
        func isDigits(_ text: String) -> Bool { text.utf8.count == 12 && text.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }
        func isRegion(_ text: String) -> Bool {
            !text.isEmpty && text.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
        }
        guard case .valid(let accountWord) = shellWord(account, literalIsValid: isDigits, own: hostValues.ownAccounts, hostValues: hostValues),
              case .valid(let regionWord) = shellWord(region, literalIsValid: isRegion, own: hostValues.ownRegions, hostValues: hostValues)
        else { return .failure(.notECR("")) }
        return .success((accountWord, regionWord))
    }

    private enum RegistryWord {
        /// The shell word to pass; nil when the reference does not tell it.
        case valid(String?)
        /// Literal text that cannot be an account or a region.
        case invalid
    }

    /// Segments as one shell word for the query: literal text as it is, variables in double
    /// quotes; none when a command substitution is part of it (its value is not known, and
    /// running it again could differ), nor when it is a host substitution in `own` (the build's
    /// own account or region). A host substitution stands braced, the form its host writes back.
    private static func shellWord(_ segments: [ShellWord.Segment], literalIsValid: (String) -> Bool,
                                  own: Set<String>, hostValues: HostValues) -> RegistryWord {
        if segments.contains(where: isOpaque) { return .valid(nil) }
        if segments.count == 1, case .variable(let name) = segments[0], hostValues.substitutions.contains(name) {
            return .valid(own.contains(name) ? nil : String(concatenating: ["\"${", name, "}\""]))
        }
        if segments.allSatisfy({ if case .text = $0 { true } else { false } }) {
            let text = ShellWord.text(of: segments)
            return literalIsValid(text) || hostValues.literals.contains(text) ? .valid(text) : .invalid
        }
        if segments.count == 1, case .variable(let name) = segments[0] { return .valid(String(concatenating: ["\"$", name, "\""])) }
        let inner = ShellWord.text(of: segments)
        // In ASCII text every byte is a character: no grapheme walk.
        let quotes = inner.utf8.allSatisfy({ $0 < 0x80 })
            ? inner.utf8.contains { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "`") }
            : inner.contains(where: { "\"\\`".contains($0) })
        guard !quotes else { return .valid(nil) }
        return .valid(String(concatenating: ["\"", inner, "\""]))
    }

    /// Account and region read out of a variable holding a private ECR host or URI, by POSIX
    /// parameter expansion when the query runs. A value that is no such host (an ECR Public
    /// URI) gives words `aws` rejects, so the query fails the build rather than skip the deploy.
    /// A host substitution is never taken apart by the shell: the build's own registry needs
    /// neither option; any other is refused, with what to write instead.
    private static func derivedRegistry(of variable: String, host: HostValues, written: @autoclosure () -> String) -> Result<(String?, String?), RepositoryError> {
        if host.ownRegistries.contains(variable) { return .success((nil, nil)) }
        if host.substitutions.contains(variable) || host.literals.contains(variable) {
            let shown = host.literals.contains(variable) ? variable : "${\(variable)}"
            return .failure(.hostValue(
                "`\(written())` takes its registry from `\(shown)`, a value of the template, not of the shell: the query must name that registry's account and region, and the shell cannot read them out of a template's value",
                fix: "write the reference from the registry's parts (`${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/NAME`, each a template value the guard can repeat), or give the URI to the build in a project environment variable, which the shell can read apart"))
        }
        return .success((String(concatenating: ["\"${", variable, "%%.*}\""]),
                         String(concatenating: ["\"$(r=${", variable, "#*.dkr.ecr.}; echo \"${r%%.*}\")\""])))
    }

    /// A value helps when nothing unknown stands before its first `/` (an unknown tag after
    /// it, such as `:$(date +%s)`, is dropped with the tag anyway).
    /// A value whose registry is a host substitution alone (`URI=${repository_url}`,
    /// `URI=${Registry}/app`), not the build's own, stays the shell variable: the shell can read
    /// the variable apart, never the substitution.
    private static func isExpandable(_ value: [ShellWord.Segment], host: HostValues) -> Bool {
        if case .variable(let first) = value.first, host.substitutions.contains(first), !host.ownRegistries.contains(first) {
            let next = value.dropFirst().first
            if next == nil { return false }
            if case .text(let text) = next, text.hasPrefix("/") || text.hasPrefix(":") || text.hasPrefix("@") { return false }
        }
        for segment in value {
            if isOpaque(segment) { return false }
            guard case .text(let text) = segment else { continue }
            // `memchr` for each byte: the text's bytes in place, not one by one through its view.
            if text.firstIndex(ofASCII: UInt8(ascii: "/")) != nil { return true }
            // `$REPO:$(git rev-parse HEAD)`: what follows the tag's `:` or `@` is dropped with
            // the tag, so an unknown tag does not hide the repository.
            if text.firstIndex(ofASCII: UInt8(ascii: ":")) != nil || text.firstIndex(ofASCII: UInt8(ascii: "@")) != nil { return true }
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

    private struct Slash { var segment: Int; var offset: String.Index; var text: String }

    private static func slashPosition(in segments: [ShellWord.Segment]) -> Slash? {
        for (index, segment) in segments.enumerated() {
            if case .text(let text) = segment, let slash = text.firstIndex(ofASCII: UInt8(ascii: "/")) {
                return Slash(segment: index, offset: slash, text: text)
            }
        }
        return nil
    }

    /// The segments after a `/`, in one array sized for them.
    private static func after(_ slash: Slash, in segments: [ShellWord.Segment]) -> [ShellWord.Segment] {
        var rest: [ShellWord.Segment] = []
        rest.reserveCapacity(segments.count - slash.segment)
        let text = slash.text[slash.text.index(after: slash.offset)...]
        if !text.isEmpty { rest.append(.text(String(text))) }
        rest += segments[(slash.segment + 1)...]
        return rest
    }

    /// The segments after a `/` up to the `:tag` or `@digest` of the last path part, in one
    /// array: `after(_:in:)` cut where the tag starts.
    private static func pathWithoutTag(after slash: Slash, in segments: [ShellWord.Segment]) -> [ShellWord.Segment] {
        var path: [ShellWord.Segment] = []
        path.reserveCapacity(segments.count - slash.segment)
        let first = slash.text[slash.text.index(after: slash.offset)...]
        if !first.isEmpty {
            let text = String(first)
            if let end = tagStart(in: text) {
                if end > text.startIndex { path.append(.text(String(text[..<end]))) }
                return path
            }
            path.append(.text(text))
        }
        for part in segments[(slash.segment + 1)...] {
            if case .text(let text) = part, let end = tagStart(in: text) {
                if end > text.startIndex { path.append(.text(String(text[..<end]))) }
                break
            }
            path.append(part)
        }
        return path
    }

    /// Where a text's `@digest`, or its `:tag` with no `/` after it, starts.
    private static func tagStart(in text: String) -> String.Index? {
        if let at = text.firstIndex(ofASCII: UInt8(ascii: "@")) { return at }
        if let colon = text.firstIndex(ofASCII: UInt8(ascii: ":")), !text[colon...].utf8.contains(UInt8(ascii: "/")) { return colon }
        return nil
    }
}

/// What a host says about the variables that stand for its own substitutions in an embedded
/// buildspec (CloudFormation `${Name}`, Terraform `${expr}`): their values are the host's, so
/// the shell may carry one whole into the query but never take one apart by parameter
/// expansion; and some are the build's own account, region or registry, which the query asks
/// without `--registry-id` / `--region`. Empty for a plain buildspec.
struct HostValues: Sendable {
    /// Every variable that stands for a host substitution.
    var substitutions: Set<String> = []
    /// Literal words that stand for a host substitution a repository's name can be (a
    /// CloudFormation parameter): in a registry host, account or region they are the host's too.
    var literals: Set<String> = []
    /// Those whose value is the build's own account (`${AWS::AccountId}`).
    var ownAccounts: Set<String> = []
    /// Those whose value is the build's own region (`${AWS::Region}`).
    var ownRegions: Set<String> = []
    /// Those whose value is the build's own registry host, or a URI in it
    /// (`${Repo.RepositoryUri}`, `${aws_ecr_repository.app.repository_url}`).
    var ownRegistries: Set<String> = []

    /// A plain buildspec's: no variable is a host's.
    var isEmpty: Bool {
        substitutions.isEmpty && literals.isEmpty && ownAccounts.isEmpty && ownRegions.isEmpty && ownRegistries.isEmpty
    }
}

/// Why no repository could be found for a push.
enum RepositoryError: Error, Sendable {
    case notECR(String)
    case unknown(String)
    /// The registry is a host substitution the shell cannot read apart; `fix` says what to change.
    case hostValue(String, fix: String)

    var message: String {
        switch self {
        case .notECR(let text), .unknown(let text), .hostValue(let text, _): text
        }
    }

    var rule: Rule {
        switch self {
        case .notECR: .registryNotECR
        case .unknown: .repositoryUnknown
        case .hostValue: .hostSubstitutionInGuard
        }
    }

    /// What to change, when the error has its own advice.
    var fix: String? {
        if case .hostValue(_, let fix) = self { return fix }
        return nil
    }
}
