/// CloudFormation JSON templates: every `AWS::CodeBuild::Project`'s `Source.BuildSpec` and
/// `SecondarySources[*].BuildSpec` as a JSON string, `{"Fn::Sub": string}`,
/// `{"Fn::Sub": [string, {vars}]}` or `{"Fn::Join": ["\n", [strings...]]}`.
struct CloudFormationJSONHost: OffsetMappedHost {
    func read(_ source: SourceText, options: RewriteOptions) -> HostScan<EmbeddedBuildspec>? {
        let first = source.bytes[source.bomLength...].first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        guard first == UInt8(ascii: "{"), let root = try? JSONDocument.parse(source),
              let resources = root["Resources"], resources.kind == .object
        else { return nil }
        // A parameter can be a repository's name unless its default says it is something else.
        var repositoryNames = Set((root["Parameters"]?.pairs ?? []).filter { parameter in
            parameter.value["Default"].map { $0.kind == .string && ImageRepository.isValidName($0.text) } ?? true
        }.map(\.key.text))
        let repositories = Set(resources.pairs.filter { $0.value["Type"]?.text == "AWS::ECR::Repository" }.map(\.key.text))
        repositoryNames.formUnion(repositories)
        var reading = HostScan<EmbeddedBuildspec>(units: [], notes: [])
        for (key, resource) in resources.pairs where resource["Type"]?.text == "AWS::CodeBuild::Project" {
            guard let properties = resource["Properties"] else { continue }
            var places: [(String, JSONValue)] = []
            if let value = properties["Source"]?["BuildSpec"] { places.append(("Source.BuildSpec", value)) }
            for (index, secondary) in (properties["SecondarySources"]?.children ?? []).enumerated() {
                if let value = secondary["BuildSpec"] { places.append(("SecondarySources[\(index)].BuildSpec", value)) }
            }
            for (place, value) in places {
                Self.read(value, name: "`\(key.text)`'s \(place)", source: source, repositoryNames: repositoryNames, repositories: repositories,
                     options: options, into: &reading)
            }
        }
        return reading
    }

    private static func read(_ value: JSONValue, name: String, source: SourceText, repositoryNames: Set<String>, repositories: Set<String>,
                             options: RewriteOptions, into reading: inout HostScan<EmbeddedBuildspec>) {
        let start = source.position(ofByte: value.range.lowerBound)
        let function = value.kind == .object && value.children.count == 2 ? value.children[0].text : nil
        var node = value
        var variables: JSONValue?
        if function == "Fn::Sub" {
            node = value.children[1]
            if node.kind == .array, node.children.count == 2, node.children[0].kind == .string {
                variables = node.children[1]
                node = node.children[0]
            }
        }
        if node.kind == .string {
            guard node.text.utf8.contains(0x0A) else {
                if !node.text.contains(": ") {
                    reading.notes.append(Diagnostic(.note, rule: .buildspecNamesFile, at: start, "\(name) names the file `\(node.text)`; that file is handled where the search finds it"))
                } else {
                    reading.notes.append(Diagnostic(.error, rule: .templateBuildspecOneLine, at: start, "\(name) is one line with no line break, which cannot be a buildspec CodeBuild reads",
                                                          fix: "write the buildspec's lines separated by `\\n`, then run again"))
                }
                return
            }
            guard let decoded = JSONDocument.decodedString(source.bytes, node.range) else { return }
            var embedded = EmbeddedBuildspec(name: name, text: decoded.bytes, sources: decoded.sources, valueRange: node.range,
                                             escaper: InsertionEscaper(container: .jsonString), start: start)
            if function == "Fn::Sub" { substitute(&embedded, variables: variables, repositoryNames: repositoryNames, repositories: repositories) }
            reading.units.append(embedded)
            return
        }
        if function == "Fn::Join", let join = joinedLines(value.children[1], source: source) {
            reading.units.append(EmbeddedBuildspec(name: name, text: join.text, sources: join.sources, valueRange: join.range,
                                                        escaper: InsertionEscaper(container: .jsonJoin(between: join.between)), start: start))
            return
        }
        let text = source.text(value.range)
        let form = function == "Fn::Join" ? "an `Fn::Join` whose delimiter is not \"\\n\" or whose parts are not all strings"
            : "`\(function ?? "a JSON \(value.kind)")`, which the tool does not evaluate"
        reading.refuseOrNote(name, form: form, text: text, at: start, options: options,
                             fix: "write the BuildSpec as one JSON string, an `Fn::Sub` string, or an `Fn::Join` of \"\\n\" and string lines, then run again")
    }

    private static func substitute(_ embedded: inout EmbeddedBuildspec, variables: JSONValue?, repositoryNames: Set<String>, repositories: Set<String>) {
        var names = repositoryNames
        var ownRegistries = Set<String>()
        for (key, bound) in variables?.pairs ?? [] {
            if bound.kind == .string ? ImageRepository.isValidName(bound.text) : bound["Ref"].map({ repositoryNames.contains($0.text) }) ?? false {
                names.insert(key.text)
            }
            if let sub = bound["Fn::Sub"], sub.kind == .string, SubstitutionPlaceholders.Names.isOwnRegistry(sub.text) { ownRegistries.insert(key.text) }
            if let attribute = bound["Fn::GetAtt"], attribute.kind == .array, attribute.children.count == 2,
               repositories.contains(attribute.children[0].text), attribute.children[1].text == "RepositoryUri" {
                ownRegistries.insert(key.text)
            }
        }
        embedded.substitute(SubstitutionPlaceholders.Names(repositoryNames: names, repositories: repositories, ownRegistries: ownRegistries))
    }

    /// `["\n", ["line", ...]]`: the lines joined, each line break standing at the closing quote
    /// of the line before it.
    private static func joinedLines(_ arguments: JSONValue, source: SourceText)
        -> (text: [UInt8], sources: [Int], range: Range<Int>, between: String)?
    {
        guard arguments.kind == .array, arguments.children.count == 2, arguments.children[0].kind == .string,
              arguments.children[0].text == "\n", arguments.children[1].kind == .array
        else { return nil }
        let parts = arguments.children[1].children
        guard !parts.isEmpty, parts.allSatisfy({ $0.kind == .string }) else { return nil }
        var text: [UInt8] = []
        var sources: [Int] = []
        for (index, part) in parts.enumerated() {
            guard let decoded = JSONDocument.decodedString(source.bytes, part.range) else { return nil }
            text += decoded.bytes
            sources += decoded.sources.dropLast()
            if index + 1 < parts.count {
                text.append(0x0A)
                sources.append(part.range.upperBound - 1)
            } else {
                sources.append(part.range.upperBound - 1)
            }
        }
        var between = ", "
        if parts.count > 1 {
            between = String(decoding: source.bytes[parts[0].range.upperBound..<parts[1].range.lowerBound], as: UTF8.self)
        }
        return (text, sources, arguments.children[1].range, between)
    }
}
