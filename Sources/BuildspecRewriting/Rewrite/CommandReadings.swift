/// What the analysis takes from one command text whatever file it stands in: its shell
/// reading, its pipelines in the order they run, and what their simple commands push, ask the
/// registry and assign. Only what depends on the file (the definitions files, the variables'
/// values, where the command is) is left to `BuildspecAnalysis`. A class: a kept reading is
/// handed out once per file that runs the command, for one retain instead of one per array.
final class CommandReading: Sendable {
    /// What one simple command does, in the order the analysis takes it.
    struct Step: Sendable {
        /// Its pushes, then those of the script it runs (`bash -c '...docker push...'`).
        var pushes: [ImagePush] = []
        /// `aws ecr list-images ... > file`: a query for each file it writes its answer to.
        var fileQueries: [BuildspecAnalysis.Query] = []
        var assignments: [Assignment] = []
    }

    struct Assignment: Sendable {
        var name: String
        var value: [ShellWord.Segment]
        /// `X=$(aws ecr list-images ...)`: the query whose answer the variable holds.
        var query: BuildspecAnalysis.Query?
    }

    let shell: ParsedShell
    let places: [PipelinePlace]
    /// For each place, its simple commands' steps.
    let steps: [[Step]]

    init(_ text: String) throws(ShellParser.SyntaxError) {
        shell = try ShellParser.parse(text)
        places = ShellWalker.places(in: shell)
        var steps: [[Step]] = []
        steps.reserveCapacity(places.count)
        // The queries' points are the analysis's to set: a command's are all at its pipeline.
        let unplaced = BuildspecAnalysis.Point(command: 0, offset: 0)
        for place in places {
            var placeSteps: [Step] = []
            for command in place.pipeline.commands where command.kind == .simple {
                var step = Step()
                step.pushes = ImagePush.pushes(in: command)
                if let inner = Self.innerScript(of: command).flatMap({ try? ShellParser.parse($0) }) {
                    for pushing in ShellWalker.places(in: inner).flatMap(\.pipeline.commands) {
                        step.pushes += ImagePush.pushes(in: pushing)
                    }
                }
                let commandText = command.redirections.contains(where: \.writesFile) ? shell.text(command.range) : nil
                if let commandText, RegistryQuery.isQuery(commandText) {
                    for redirection in command.redirections where redirection.writesFile {
                        step.fileQueries.append(BuildspecAnalysis.Query(
                            point: unplaced, variable: nil, file: shell.text(redirection.target.range), text: commandText
                        ))
                    }
                }
                for assignment in VariableEnvironment.assignments(of: command) {
                    // A query in a value is a command substitution: an opaque segment.
                    let substitutes = assignment.value.segments.contains { if case .opaque = $0 { true } else { false } }
                    let valueText = substitutes ? shell.text(assignment.value.range) : nil
                    let query = valueText.flatMap { RegistryQuery.isQuery($0) ? $0 : nil }.map {
                        BuildspecAnalysis.Query(point: unplaced, variable: assignment.name, file: nil, text: $0)
                    }
                    step.assignments.append(Assignment(name: assignment.name, value: assignment.value.segments, query: query))
                }
                placeSteps.append(step)
            }
            steps.append(placeSteps)
        }
        self.steps = steps
    }

    /// The script of `sh -c '...'` / `bash -cxe '...'`, when it is literal text.
    private static func innerScript(of command: ShellCommand) -> String? {
        // A switch, not an array's `contains`: this runs for every simple command read.
        switch command.words.first?.literal {
        case "sh", "bash", "dash", "/bin/sh", "/bin/bash": break
        default: return nil
        }
        for (index, word) in command.words.enumerated().dropFirst() {
            guard let text = word.literal, text.hasPrefix("-") else { return nil }
            if text.utf8.dropFirst().contains(UInt8(ascii: "c")), index + 1 < command.words.count { return command.words[index + 1].literal }
        }
        return nil
    }
}

/// The readings of the command texts this process has read, kept for the next file that runs
/// the same command: buildspecs are copied from one another and from AWS's examples (in the
/// real corpus, 694 of 1,652 commands repeat an earlier one), and reading a command costs
/// about 10 K instructions and a dozen allocations for its shell alone, finding it here (by the
/// text's bytes, in place) a few hundred and none.
///
/// A reading depends on the text's bytes alone, so a kept one is the one `CommandReading`
/// would give. The store is bounded: short texts only, and emptied when full, so memory stays
/// flat however many files a run reads.
enum CommandReadings {
    /// At most this many readings are kept; the next one empties the store first.
    static let capacity = 2_048
    /// Longer texts (whole scripts in a `- |` block) are read each time and not kept: they
    /// seldom repeat, and their trees would hold the most memory.
    static let longestKeptText = 1_024

    private static let store = ByteKeyedStore<Result<CommandReading, ShellParser.SyntaxError>>(capacity: capacity)

    /// `CommandReading` of the UTF-8 text `bytes`, from the store when the same bytes were
    /// read before: a text is made only for a reading not kept.
    static func reading(of bytes: UnsafeBufferPointer<UInt8>) -> Result<CommandReading, ShellParser.SyntaxError> {
        guard bytes.count <= longestKeptText else { return read(String(decoding: bytes, as: UTF8.self)) }
        if let kept = store[bytes] { return kept }
        let reading = read(String(decoding: bytes, as: UTF8.self))
        store.set(bytes, reading)
        return reading
    }

    private static func read(_ text: String) -> Result<CommandReading, ShellParser.SyntaxError> {
        Result { () throws(ShellParser.SyntaxError) in try CommandReading(text) }
    }

    /// How many readings are kept now.
    static var count: Int { store.count }
}
