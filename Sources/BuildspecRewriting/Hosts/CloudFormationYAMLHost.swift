/// CloudFormation and SAM YAML templates: every `AWS::CodeBuild::Project`'s `Source.BuildSpec`
/// and `SecondarySources[*].BuildSpec` written as a literal block (`|`, `|-`, `|+`, with an
/// indentation indicator or not), `!Sub` of one, `!Sub [block, {vars}]` or `Fn::Sub:`.
struct CloudFormationYAMLHost: OffsetMappedHost {
    func read(_ source: SourceText, options: RewriteOptions) -> HostScan<EmbeddedBuildspec>? {
        guard let root = try? YAMLParser.parse(source), root.kind == .mapping,
              let resources = root["Resources"], resources.kind == .mapping, root["phases"] == nil
        else { return nil }
        // A parameter can be a repository's name unless its default says it is something else.
        var repositoryNames = Set((root["Parameters"]?.pairs ?? []).filter { parameter in
            parameter.value["Default"].map { $0.isScalar && ImageRepository.isValidName($0.value) } ?? true
        }.map(\.key.value))
        let repositories = Set(resources.pairs.filter { $0.value["Type"]?.value == "AWS::ECR::Repository" }.map(\.key.value))
        repositoryNames.formUnion(repositories)
        var reading = HostScan<EmbeddedBuildspec>(units: [], notes: [])
        for (key, resource) in resources.pairs where resource["Type"]?.value == "AWS::CodeBuild::Project" {
            guard let properties = resource["Properties"] else { continue }
            var places: [(String, YAMLNode)] = []
            if let value = properties["Source"]?["BuildSpec"] { places.append(("Source.BuildSpec", value)) }
            if let secondaries = properties["SecondarySources"] {
                for (index, secondary) in secondaries.children.enumerated() {
                    if let value = secondary["BuildSpec"] { places.append(("SecondarySources[\(index)].BuildSpec", value)) }
                }
            }
            for (place, value) in places {
                Self.read(value, name: "`\(key.value)`'s \(place)", source: source, repositoryNames: repositoryNames, repositories: repositories,
                     options: options, into: &reading)
            }
        }
        return reading
    }

    private static func read(_ value: YAMLNode, name: String, source: SourceText, repositoryNames: Set<String>, repositories: Set<String>,
                             options: RewriteOptions, into reading: inout HostScan<EmbeddedBuildspec>) {
        // The forms: a block; `!Sub` of a block or of [block, vars]; `Fn::Sub:` of either.
        var node = value
        var isSub = false
        var variables: YAMLNode?
        if node.tag == "!Sub" {
            isSub = true
        } else if node.kind == .mapping, node.children.count == 2, node.children[0].value == "Fn::Sub" {
            isSub = true
            node = node.children[1]
        }
        if isSub, node.kind == .sequence, node.children.count == 2 {
            variables = node.children[1]
            node = node.children[0]
        }
        let rendered = source.text(value.range)
        guard node.kind == .scalar, node.tag == nil || (isSub && node.tag == "!Sub") else {
            reading.refuseOrNote(name, form: "a `\(value.tag ?? value.children.first?.value ?? "YAML collection")` the tool does not evaluate",
                                 text: rendered, at: value.start, options: options,
                                 fix: "write the BuildSpec as one literal block or `!Sub |` block (move `Fn::If` into the shell, or into parameters), then run again")
            return
        }
        switch node.scalarStyle {
        case .literal:
            break
        case .folded:
            reading.notes.append(Diagnostic(.error, rule: .templateBuildspecFolded, at: node.start, "\(name) is a folded block (`>`), whose lines YAML joins; the rewrite does not edit it",
                                                  fix: "write it as a literal block (`BuildSpec: |`), then run again"))
            return
        default:
            if !node.value.utf8.contains(0x0A), !node.value.contains(": ") {
                reading.notes.append(Diagnostic(.note, rule: .buildspecNamesFile, at: node.start, "\(name) names the file `\(node.value)`; that file is handled where the search finds it"))
            } else {
                reading.notes.append(Diagnostic(.error, rule: .templateBuildspecOneLine, at: node.start, "\(name) is a one-line \(node.scalarStyle == .plain ? "plain" : "quoted") string, which the rewrite cannot edit safely",
                                                      fix: "write it as a literal block (`BuildSpec: |` with the buildspec indented below), then run again"))
            }
            return
        }
        guard let block = LiteralBlock(node, source: source) else {
            reading.notes.append(Diagnostic(.error, rule: .templateBlockUnmapped, at: node.start, "cannot follow \(name)'s block back to its bytes",
                                                  fix: "indent the block with spaces only, then run again"))
            return
        }
        var embedded = EmbeddedBuildspec(
            name: name, text: block.text, sources: block.sources, valueRange: block.range,
            escaper: InsertionEscaper(container: .yamlBlock(indent: block.indent, newline: source.lineEnding)), start: node.start
        )
        if isSub {
            var names = repositoryNames
            var ownRegistries = Set<String>()
            for (key, bound) in variables?.pairs ?? [] where bound.isScalar {
                switch bound.tag {
                case nil, "!Ref":
                    if bound.tag == "!Ref" ? repositoryNames.contains(bound.value) : ImageRepository.isValidName(bound.value) {
                        names.insert(key.value)
                    }
                case "!Sub":
                    if SubstitutionPlaceholders.Names.isOwnRegistry(bound.value) { ownRegistries.insert(key.value) }
                case "!GetAtt":
                    if bound.value.hasSuffix(".RepositoryUri"), repositories.contains(String(bound.value.dropLast(".RepositoryUri".count))) {
                        ownRegistries.insert(key.value)
                    }
                default: break
                }
            }
            embedded.substitute(SubstitutionPlaceholders.Names(repositoryNames: names, repositories: repositories, ownRegistries: ownRegistries))
        }
        reading.units.append(embedded)
    }
}

/// The content of a YAML literal block scalar as the buildspec text, with where each byte is.
struct LiteralBlock {
    var text: [UInt8]
    var sources: [Int]
    /// From the first content line to the end of the block.
    var range: Range<Int>
    var indent: String

    init?(_ node: YAMLNode, source: SourceText) {
        let bytes = source.bytes
        let headerEnd = source.lineEnd(ofByte: node.range.lowerBound)
        let contentStart = source.afterLineBreak(headerEnd)
        let end = max(contentStart, min(node.range.upperBound, bytes.count))
        // The lines, each (start, contentEnd).
        var lines: [(start: Int, end: Int)] = []
        var cursor = contentStart
        while cursor < end {
            let lineEnd = source.lineEnd(ofByte: cursor)
            lines.append((cursor, lineEnd))
            cursor = source.afterLineBreak(lineEnd)
        }
        func leadingSpaces(_ line: (start: Int, end: Int)) -> Int {
            var index = line.start
            while index < line.end, bytes[index] == 0x20 { index += 1 }
            return index - line.start
        }
        let expected = Self.trimmedNewlines(Array(node.value.utf8))
        // The indentation libyaml used: the first content line's, unless an indentation
        // indicator said less; the one whose reading gives libyaml's value wins.
        let firstContent = lines.first { leadingSpaces($0) < $0.end - $0.start }
        let detected = firstContent.map(leadingSpaces) ?? 0
        for indent in stride(from: detected, through: 0, by: -1) {
            var text: [UInt8] = []
            var sources: [Int] = []
            text.reserveCapacity(end - contentStart)
            sources.reserveCapacity(end - contentStart + 1)
            var ok = true
            for line in lines {
                let spaces = leadingSpaces(line)
                let blank = spaces == line.end - line.start
                if !blank && spaces < indent { ok = false; break }
                let contentFrom = blank ? min(line.start + indent, line.end) : line.start + indent
                text += bytes[contentFrom..<line.end]
                sources.append(contentsOf: contentFrom..<line.end)
                if line.end < bytes.count {
                    text.append(0x0A); sources.append(line.end)
                }
            }
            sources.append(end)
            guard ok, Self.trimmedNewlines(text) == expected else { continue }
            self.text = text
            self.sources = sources
            range = contentStart..<end
            self.indent = String(repeating: " ", count: indent)
            // Blank lines at the end: their bytes stay as they are.
            return
        }
        return nil
    }

    private static func trimmedNewlines(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var slice = bytes[...]
        while let last = slice.last, last == 0x0A || last == 0x20 { slice.removeLast() }
        return slice
    }
}
