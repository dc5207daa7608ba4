/// Where a pipeline stands in a script: what encloses it and what runs before it decides
/// whether it runs at all.
public struct PipelinePlace: Sendable {
    public var pipeline: ShellPipeline
    /// The complete command at the script's top level that holds the pipeline.
    public var topLevelList: ShellAndOrList
    /// Compound commands around the pipeline, outermost first.
    public var enclosing: [ShellCommand.Kind]
    /// Byte ranges of everything that decides whether the pipeline runs: the conditions of
    /// enclosing `if`s and the pipelines before it in `&&`/`||` lists.
    public var deciders: [Range<Int>]
}

/// Visits every pipeline of a script in source order (command substitutions are not entered:
/// what runs inside them writes no file the build keeps).
public enum ShellWalker {
    public static func places(in parsed: ParsedShell) -> [PipelinePlace] {
        var places: [PipelinePlace] = []
        for list in parsed.script.lists {
            visit(list, topLevel: list, enclosing: [], deciders: [], into: &places)
        }
        return places
    }

    private static func visit(
        _ list: ShellAndOrList, topLevel: ShellAndOrList, enclosing: [ShellCommand.Kind], deciders: [Range<Int>],
        into places: inout [PipelinePlace]
    ) {
        for (position, pipeline) in list.pipelines.enumerated() {
            let before = list.pipelines[..<position].map(\.range)
            let pipelineDeciders = deciders + before
            places.append(
                PipelinePlace(pipeline: pipeline, topLevelList: topLevel, enclosing: enclosing, deciders: pipelineDeciders)
            )
            for command in pipeline.commands where command.kind != .simple {
                var innerDeciders = pipelineDeciders
                if command.kind == .ifClause {
                    innerDeciders += command.parts.filter { $0.role == .condition }.flatMap { part in
                        part.script.lists.map(\.range)
                    }
                }
                for part in command.parts {
                    for inner in part.script.lists {
                        visit(inner, topLevel: topLevel, enclosing: enclosing + [command.kind], deciders: innerDeciders, into: &places)
                    }
                }
            }
        }
    }
}
