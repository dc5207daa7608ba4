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
        if !sameDataOutsideCommands(original.root, spec.root) {
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
            var next = 0
            for item in old.children where !plan.editedCommands.contains(item.range.lowerBound) {
                guard let found = new.children[next...].firstIndex(where: { $0.hasSameData(as: item) }) else {
                    return "the command at line \(item.start.line) did not survive unchanged"
                }
                next = found + 1
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

    /// Whether two documents hold the same data once every phase's `commands` and `finally`
    /// values are set aside.
    static func sameDataOutsideCommands(_ old: YAMLNode, _ new: YAMLNode) -> Bool {
        guard old.kind == .mapping, new.kind == .mapping, old.children.count == new.children.count,
              let phases = old.children.indices.first(where: { $0 % 2 == 0 && old.children[$0].hasValue("phases") }),
              phases + 1 < old.children.count
        else { return old.hasSameData(as: new) }
        return old.children.indices.allSatisfy { index in
            index == phases + 1
                ? sameDataOutsideCommands(phases: old.children[index], new.children[index])
                : old.children[index].hasSameData(as: new.children[index])
        }
    }

    private static func sameDataOutsideCommands(phases old: YAMLNode, _ new: YAMLNode) -> Bool {
        guard old.kind == new.kind, old.children.count == new.children.count else { return false }
        guard old.kind == .mapping || old.kind == .sequence else { return old.hasSameData(as: new) }
        return old.children.indices.allSatisfy { index in
            guard index % 2 == 1 else { return old.children[index].hasSameData(as: new.children[index]) }
            let (phase, newPhase) = (old.children[index], new.children[index])
            guard phase.kind == newPhase.kind, phase.children.count == newPhase.children.count else { return false }
            guard phase.kind == .mapping || phase.kind == .sequence else { return phase.hasSameData(as: newPhase) }
            return phase.children.indices.allSatisfy { entry in
                // A value under `commands` or `finally` (its key compared just before) may differ.
                if entry % 2 == 1, phase.children[entry - 1].hasValue("commands") || phase.children[entry - 1].hasValue("finally") { return true }
                return phase.children[entry].hasSameData(as: newPhase.children[entry])
            }
        }
    }
}
