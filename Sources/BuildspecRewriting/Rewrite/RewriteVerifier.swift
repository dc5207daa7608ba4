/// Checks a rewritten buildspec before anything is written: it must parse, mean the same
/// outside the edited commands, and keep every other command.
enum RewriteVerifier {
    static func verify(original: Buildspec, rewritten bytes: [UInt8], plan: RewritePlanner.Plan) -> String? {
        let source = SourceText(bytes)
        let root: YAMLNode
        do {
            root = try YAMLParser.parse(source)
        } catch {
            return "the result is not valid YAML (\(error.message))"
        }
        let (parsedSpec, _) = BuildspecReader.read(root, source: source)
        guard let spec = parsedSpec else { return "the result is no longer a buildspec" }
        if withoutCommands(original.root) != withoutCommands(spec.root) {
            return "the result changed data outside the phases' commands"
        }
        // Every command list keeps its unedited entries, in order, and gains only the new ones.
        let oldLists = commandLists(original)
        let newLists = commandLists(spec)
        guard oldLists.count == newLists.count else { return "the result has other command lists" }
        for (old, new) in zip(oldLists, newLists) {
            let added = plan.insertedItems[old.range.lowerBound] ?? 0
            guard new.children.count == old.children.count + added || (old.kind != .sequence && added == 0) else {
                return "a command list has \(new.children.count) entries instead of \(old.children.count + added)"
            }
            var remaining = new.children.map(\.data)[...]
            for item in old.children where !plan.editedCommands.contains(item.range.lowerBound) {
                guard let found = remaining.firstIndex(of: item.data) else {
                    return "the command at line \(item.start.line) did not survive unchanged"
                }
                remaining = remaining[(found + 1)...]
            }
        }
        // Idempotence (a second rewrite changes nothing) is proven by the golden, property and
        // fuzz tests rather than re-analysed here on every file.
        return nil
    }

    private static func commandLists(_ spec: Buildspec) -> [YAMLNode] {
        var seen = Set<Int>()
        return spec.commands.map(\.list).filter { seen.insert($0.range.lowerBound).inserted }
    }

    /// The document's data with every phase's `commands` and `finally` lists blanked out.
    static func withoutCommands(_ root: YAMLNode) -> YAMLData {
        var root = root
        guard let phasesIndex = root.children.indices.first(where: { $0 % 2 == 0 && root.children[$0].value == "phases" }),
              phasesIndex + 1 < root.children.count
        else { return root.data }
        var phases = root.children[phasesIndex + 1]
        for index in phases.children.indices where index % 2 == 1 {
            var phase = phases.children[index]
            for key in phase.children.indices where key % 2 == 0 && key + 1 < phase.children.count {
                let name = phase.children[key].value
                if name == "commands" || name == "finally" {
                    phase.children[key + 1] = YAMLNode(
                        kind: .scalar, scalarStyle: .plain, isFlow: false, value: "(commands)", anchor: nil, tag: nil,
                        children: [], range: 0..<0, start: SourcePosition(offset: 0, line: 1, column: 1)
                    )
                }
            }
            phases.children[index] = phase
        }
        root.children[phasesIndex + 1] = phases
        return root.data
    }
}
