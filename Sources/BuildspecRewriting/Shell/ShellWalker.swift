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
        // The pipelines before one in the list decide it: grown as the list goes, and only
        // when a pipeline follows (most lists are one pipeline, and so they copy nothing).
        var pipelineDeciders = deciders
        for (position, pipeline) in list.pipelines.enumerated() {
            places.append(
                PipelinePlace(pipeline: pipeline, topLevelList: topLevel, enclosing: enclosing, deciders: pipelineDeciders)
            )
            for command in pipeline.commands where command.kind != .simple {
                var innerDeciders = pipelineDeciders
                if command.kind == .ifClause {
                    for part in command.parts where part.role == .condition {
                        for inner in part.script.lists { innerDeciders.append(inner.range) }
                    }
                }
                let innerEnclosing = enclosing + [command.kind]
                for part in command.parts {
                    for inner in part.script.lists {
                        visit(inner, topLevel: topLevel, enclosing: innerEnclosing, deciders: innerDeciders, into: &places)
                    }
                }
            }
            if position + 1 < list.pipelines.count { pipelineDeciders.append(pipeline.range) }
        }
    }
}
