/// Reads the buildspec model out of a YAML tree, with errors for what CodeBuild would reject
/// and warnings for what is known to break builds. A new finding here needs its case in
/// `BuildspecValidator`, which answers for most files without this reader.
public enum BuildspecReader {
    public static func read(_ root: YAMLNode, source: SourceText) -> (Buildspec?, [Diagnostic]) {
        var diagnostics: [Diagnostic] = []
        guard root.kind == .mapping else {
            diagnostics.append(
                Diagnostic(
                    .error, rule: .topLevelNotMapping, at: root.start, "the top level is a \(describe(root)), but a buildspec is a mapping",
                    fix: "start the file with `version: 0.2` and `phases:`"
                )
            )
            return (nil, diagnostics)
        }
        if let duplicate = root.firstRepeatedKey {
            // libyaml keeps both; CodeBuild's parser rejects the file, and PyYAML keeps the
            // last: refuse rather than guess which one CodeBuild would have run.
            diagnostics.append(
                Diagnostic(
                    .error, rule: .duplicateKey, at: duplicate.second.start,
                    "duplicate key `\(duplicate.second.value)` (first at line \(duplicate.first.start.line)); CodeBuild rejects the file",
                    fix: "remove or merge one of them, then run again"
                )
            )
            return (nil, diagnostics)
        }
        guard let versionNode = root["version"], versionNode.isScalar else {
            diagnostics.append(
                Diagnostic(.error, rule: .missingVersion, at: root.start, "the buildspec has no `version`", fix: "add `version: 0.2` at the top")
            )
            return (nil, diagnostics)
        }
        guard let version = Buildspec.Version(rawValue: versionNode.value) else {
            diagnostics.append(
                Diagnostic(
                    .error, rule: .unsupportedVersion, at: versionNode.start, "unsupported buildspec version `\(versionNode.value)`",
                    fix: "CodeBuild knows 0.1 and 0.2"
                )
            )
            return (nil, diagnostics)
        }
        if versionNode.scalarStyle != .plain {
            diagnostics.append(
                Diagnostic(
                    .warning, rule: .quotedVersion, at: versionNode.start, "`version` is quoted, so it is a string; batch builds fail with \"cannot unmarshal !!str\"",
                    fix: "write `version: \(version.rawValue)` without quotes"
                )
            )
        }

        var variables: [String: String] = [:]
        var external: Set<String> = []
        var shell: String?
        if let env = root["env"], env.kind == .mapping {
            shell = env["shell"].flatMap { $0.isScalar ? $0.value : nil }
            if let mapping = env["variables"], mapping.kind == .mapping {
                variables.reserveCapacity(mapping.children.count / 2)
                addVariables(of: mapping, to: &variables)
            }
            for section in ["parameter-store", "secrets-manager"] {
                guard let mapping = env[section], mapping.kind == .mapping else { continue }
                let children = mapping.children
                for key in stride(from: 0, to: children.count - 1, by: 2) { external.insert(children[key].value) }
            }
        }
        if let mapping = root["environment_variables"]?["plaintext"], mapping.kind == .mapping {
            addVariables(of: mapping, to: &variables)
        }

        var commands: [Buildspec.Command] = []
        commands.reserveCapacity(64)
        if let phases = root["phases"] {
            if phases.kind != .mapping {
                diagnostics.append(
                    Diagnostic(.error, rule: .phasesNotMapping, at: phases.start, "`phases` is a \(describe(phases)), but it must be a mapping of phase names")
                )
                return (nil, diagnostics)
            }
            for name in Buildspec.phaseNames {
                guard let phase = phases[name], phase.kind == .mapping else { continue }
                appendEntries(of: phase["commands"], phase: name, section: .commands, to: &commands, diagnostics: &diagnostics)
                let finally = phase["finally"]
                let finallyList = finally?.kind == .mapping ? finally?["commands"] : finally
                appendEntries(of: finallyList, phase: name, section: .finally, to: &commands, diagnostics: &diagnostics)
            }
        }

        var artifacts = [artifactGroup(root["artifacts"])]
        if let secondaries = root["artifacts"]?["secondary-artifacts"], secondaries.kind == .mapping {
            let children = secondaries.children
            for value in stride(from: 1, to: children.count, by: 2) { artifacts.append(artifactGroup(children[value])) }
        }

        let spec = Buildspec(
            root: root, version: version, shell: shell, variables: variables, externalVariables: external,
            commands: commands, artifacts: artifacts.filter { !$0.files.isEmpty }
        )
        return (spec, diagnostics)
    }

    /// `env.variables` or `environment_variables.plaintext`: each key with a scalar value.
    private static func addVariables(of mapping: YAMLNode, to variables: inout [String: String]) {
        let children = mapping.children
        for key in stride(from: 0, to: children.count - 1, by: 2) where children[key + 1].isScalar {
            variables[children[key].value] = children[key + 1].value
        }
    }

    private static func appendEntries(
        of list: YAMLNode?, phase: String, section: Buildspec.Section, to commands: inout [Buildspec.Command],
        diagnostics: inout [Diagnostic]
    ) {
        guard let list else { return }
        switch list.kind {
        case .scalar:
            if list.scalarStyle == .plain, list.hasEmptyValue || list.hasValue("~") || list.hasValue("null") { return }
            commands.append(Buildspec.Command(phase: phase, section: section, list: list, node: list))
        case .sequence:
            for item in list.children {
                if item.kind == .mapping {
                    diagnostics.append(
                        Diagnostic(
                            .warning, rule: .commandReadAsMapping, at: item.start,
                            "YAML reads this command as a mapping because of `: ` inside it; CodeBuild rejects the file",
                            fix: "quote the whole command, or put it in a `- |` block"
                        )
                    )
                }
                commands.append(Buildspec.Command(phase: phase, section: section, list: list, node: item))
            }
        default:
            return
        }
    }

    private static func artifactGroup(_ artifacts: YAMLNode?) -> Buildspec.ArtifactGroup {
        let base = artifacts?["base-directory"].flatMap { $0.isScalar && !$0.hasEmptyValue ? $0.value : nil }
        return Buildspec.ArtifactGroup(baseDirectory: base, files: files(of: artifacts))
    }

    private static func files(of artifacts: YAMLNode?) -> [String] {
        guard let files = artifacts?["files"] else { return [] }
        if files.isScalar {
            return files.value.split(whereSeparator: \.isNewline).map { String($0).trimmingSpaces }
        }
        return files.children.filter(\.isScalar).map(\.value)
    }

    static func describe(_ node: YAMLNode) -> String {
        switch node.kind {
        case .mapping: "mapping"
        case .sequence: "list"
        case .alias: "alias"
        case .scalar: node.hasEmptyValue ? "empty value" : "scalar"
        }
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}
