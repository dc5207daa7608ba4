/// CloudFormation `Fn::Sub` text in shell terms. `${!X}` is the shell's `${X}`; every
/// substitution `${Name}` is CloudFormation's, which the shell never sees, so it stands in the
/// shell text as a placeholder no shell text can hold (the prefix is absent from the file):
/// - for a name that can hold an ECR repository name (an `AWS::ECR::Repository`'s `Ref`, a
///   parameter, a Sub variable bound to a name), `cfnsub0z`, a literal the repository
///   resolution can use as a repository name;
/// - for `${Repo.RepositoryUri}`, `${cfnsub0z}/cfnsub0r`: an unknown registry and that name;
/// - for anything else (`${AWS::Region}`, `${Repo.Arn}`), `${cfnsub0z}`, a variable nothing sets.
/// Text inserted into the Sub string gets its placeholders back and every other `${` escaped;
/// a placeholder the shell text took apart (`${cfnsub0z#*/}`) cannot be written back, and the
/// insertion is refused.
struct SubstitutionPlaceholders: Sendable {
    /// What the names of a template can hold.
    struct Names: Sendable {
        /// Names that can be an ECR repository's name.
        var repositoryNames: Set<String>
        /// Logical ids of `AWS::ECR::Repository` resources.
        var repositories: Set<String>
        /// Sub variables bound to the stack's own registry host or a URI in it
        /// (`Fn::Sub` of `${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com...`,
        /// `!GetAtt Repo.RepositoryUri`).
        var ownRegistries: Set<String> = []

        /// Whether a Sub text is the stack's own registry host, or a URI in it: the stack's
        /// account and region are the CodeBuild project's.
        static func isOwnRegistry(_ text: String) -> Bool {
            text == ownRegistryHost || text.hasPrefix(ownRegistryHost + "/")
        }

        static let ownRegistryHost = "${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com"
    }

    private(set) var table: [(placeholder: String, original: String)] = []
    /// What the placeholders standing as variables are, for the buildspec pipeline.
    private(set) var hostValues = HostValues()
    private(set) var prefix = "cfnsub"
    /// `table` as bytes, and which bytes a placeholder can start with (`c` or `$`), for
    /// `escapeForSub`, which runs for every inserted text.
    private var byteTable: [(placeholder: [UInt8], original: [UInt8])] = []
    private var startsPlaceholder = [Bool](repeating: false, count: 256)

    /// `bytes` (with `sources`, one more entry than bytes) read as a Sub string.
    static func shellText(of bytes: [UInt8], sources: [Int], names known: Names)
        -> (text: [UInt8], sources: [Int], placeholders: SubstitutionPlaceholders)
    {
        var names = Set<String>()
        scan(bytes) { _, _, name in if let name { names.insert(name) } }
        var prefix = "cfnsub"
        while bytes.containsBytes(Array(prefix.utf8)) { prefix += "x" }
        var placeholders = SubstitutionPlaceholders()
        placeholders.prefix = prefix
        var byName: [String: String] = [:]
        for (number, name) in names.sorted().enumerated() {
            let word = "\(prefix)\(number)z"
            let placeholder: String
            if known.repositoryNames.contains(name) {
                placeholder = word
            } else if name.hasSuffix(".RepositoryUri"), known.repositories.contains(String(name.dropLast(".RepositoryUri".count))) {
                placeholder = "${\(word)}/\(prefix)\(number)r"
                placeholders.table.append(("\(prefix)\(number)r", "${\(name.dropLast(".RepositoryUri".count))}"))
            } else {
                placeholder = "${\(word)}"
            }
            // A stack's account and region are its CodeBuild project's: the build's own.
            if placeholder == word { placeholders.hostValues.literals.insert(word) } else { placeholders.hostValues.substitutions.insert(word) }
            switch name {
            case "AWS::AccountId": placeholders.hostValues.ownAccounts.insert(word)
            case "AWS::Region": placeholders.hostValues.ownRegions.insert(word)
            default:
                if name.hasSuffix(".RepositoryUri") || known.ownRegistries.contains(name) { placeholders.hostValues.ownRegistries.insert(word) }
            }
            byName[name] = placeholder
            placeholders.table.append((placeholder, "${\(name)}"))
        }
        // The longest first: `${cfnsub0z}/cfnsub0r` before `cfnsub0r`.
        placeholders.table.sort { $0.placeholder.count > $1.placeholder.count }
        placeholders.byteTable = placeholders.table.map { (Array($0.placeholder.utf8), Array($0.original.utf8)) }
        for (placeholder, _) in placeholders.byteTable { if let first = placeholder.first { placeholders.startsPlaceholder[Int(first)] = true } }
        var text: [UInt8] = []
        var map: [Int] = []
        text.reserveCapacity(bytes.count)
        map.reserveCapacity(bytes.count + 1)
        var index = 0
        // The text between substitutions a run at a time: a byte at a time cost 69 K
        // instructions a Sub string.
        scan(bytes) { start, end, name in
            text += bytes[index..<start]
            map += sources[index..<start]
            if let name {
                let placeholder = byName[name]!.utf8
                text += placeholder
                map.append(contentsOf: repeatElement(sources[start], count: placeholder.count))
            } else {
                // `${!X}`: the `!` goes.
                text += [UInt8(ascii: "$"), UInt8(ascii: "{")]
                map += [sources[start], sources[start + 1]]
            }
            index = name == nil ? start + 3 : end
        }
        text += bytes[index...]
        map += sources[index..<bytes.count]
        map.append(sources[bytes.count])
        return (text, map, placeholders)
    }

    /// Calls `found` for every `${...}` CloudFormation reads: `(start, end, name)`, name nil
    /// for a `${!` literal (whose end is then meaningless).
    private static func scan(_ bytes: [UInt8], found: (Int, Int, String?) -> Void) {
        var index = 0
        while index + 1 < bytes.count {
            guard bytes[index] == UInt8(ascii: "$"), bytes[index + 1] == UInt8(ascii: "{") else { index += 1; continue }
            var close = index + 2
            while close < bytes.count, bytes[close] != UInt8(ascii: "}"), bytes[close] != 0x0A { close += 1 }
            guard close < bytes.count, bytes[close] == UInt8(ascii: "}") else { index += 2; continue }
            if index + 2 < bytes.count, bytes[index + 2] == UInt8(ascii: "!") {
                found(index, close + 1, nil)
                index += 3
                continue
            }
            let name = String(decoding: bytes[(index + 2)..<close], as: UTF8.self).trimmingSpaces
            found(index, close + 1, name)
            index = close + 1
        }
    }

    /// Shell text as the Sub string must hold it; nil when a placeholder was taken apart.
    func escapeForSub(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + 16)
        var index = 0
        outer: while index < bytes.count {
            // Only where a placeholder's first byte stands can one start.
            if startsPlaceholder[Int(bytes[index])] {
                for (placeholder, original) in byteTable where bytes[index...].starts(with: placeholder) {
                    result += original
                    index += placeholder.count
                    continue outer
                }
            }
            if bytes[index] == UInt8(ascii: "$"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "{") {
                result += Array("${!".utf8)
                index += 2
                continue
            }
            result.append(bytes[index])
            index += 1
        }
        let escaped = String(decoding: result, as: UTF8.self)
        return escaped.containsBytes(prefix) ? nil : escaped
    }

    /// A message about the shell text, with the template's own `${Name}` in place of placeholders.
    func restored(_ message: String) -> String {
        // Every placeholder holds the prefix: most messages hold none, and need no replacing.
        guard message.containsBytes(prefix) else { return message }
        var text = message
        for entry in table {
            text = text.replacingBytes(entry.placeholder, with: entry.original)
        }
        // A placeholder the shell text took apart (`${cfnsub0z#*/}`): its name alone.
        for entry in table where entry.placeholder.hasPrefix("${") && !entry.placeholder.contains("/") {
            text = text.replacingBytes(String(entry.placeholder.dropFirst(2).dropLast()), with: String(entry.original.dropFirst(2).dropLast()))
        }
        return text
    }
}
