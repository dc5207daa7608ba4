import Testing
@testable import BuildspecRewriting

@Suite struct CommandReadingsTests {
    /// A tree written out whole: lists, pipelines, commands, words with their segments,
    /// redirections and inner scripts, each with its range.
    private func outline(_ script: ShellScript) -> String {
        script.lists.map { list in
            "list \(list.range) [" + list.pipelines.map { pipeline in
                "pipeline \(pipeline.range) [" + pipeline.commands.map { command in
                    let words = command.words.map { "\($0.segments)@\($0.range)" }
                    let assignments = command.assignments.map { "\($0.name)=\($0.value.segments)" }
                    let redirections = command.redirections.map { "\($0.op)\($0.target.segments) \($0.hereDocument as Any)" }
                    let parts = command.parts.map { "\($0.role) {\(outline($0.script))}" }
                    return "\(command.kind) \(command.range) \(assignments) \(words) \(redirections) \(parts)"
                }.joined(separator: " | ") + "]"
            }.joined(separator: " && ") + "]"
        }.joined(separator: "; ")
    }

    @Test(arguments: [
        "docker push $REPOSITORY_URI:$IMAGE_TAG",
        "IMAGE_TAG=$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)",
        "if [ -n \"$X\" ]; then printf '[{\"name\":\"%s\"}]' app > imagedefinitions.json; fi",
        "cat > imagedefinitions.json <<EOF\n[]\nEOF",
    ])
    func keptReadingIsTheParsers(_ text: String) throws {
        let parsed = try ShellParser.parse(text)
        for _ in 0..<2 {
            let read = try CommandReadings.read(text).shell
            #expect(read.text == parsed.text)
            #expect(outline(read.script) == outline(parsed.script))
            #expect(read.hereDocuments.map(\.body) == parsed.hereDocuments.map(\.body))
        }
    }

    /// A reading's steps written out: pushes, file queries and assignments of each place.
    private func outline(_ reading: CommandReading) -> String {
        reading.steps.map { steps in
            steps.map { step in
                let pushes = step.pushes.map { "push \($0.reference.segments)" }
                let files = step.fileQueries.map { "query > \($0.file ?? "") \($0.argument ?? "")" }
                let assignments = step.assignments.map { "\($0.name)=\($0.value) \($0.query?.argument ?? "-")" }
                return (pushes + files + assignments).joined(separator: ", ")
            }.joined(separator: " | ")
        }.joined(separator: " ; ")
    }

    @Test(arguments: [
        ("docker push $REPOSITORY_URI:$IMAGE_TAG", "push [BuildspecRewriting.ShellWord.Segment.variable(\"REPOSITORY_URI\"), BuildspecRewriting.ShellWord.Segment.text(\":\"), BuildspecRewriting.ShellWord.Segment.variable(\"IMAGE_TAG\")]"),
        ("bash -c 'docker push app/web:1'", "push [BuildspecRewriting.ShellWord.Segment.text(\"app/web:1\")]"),
        ("aws ecr list-images --repository-name web > images.json", "query > images.json web"),
        ("IMAGES=$(aws ecr list-images --repository-name web) && export TAG=v1", "IMAGES=[BuildspecRewriting.ShellWord.Segment.opaque(\"$(aws ecr list-images --repository-name web)\")] web ; TAG=[BuildspecRewriting.ShellWord.Segment.text(\"v1\")] -"),
    ])
    func keptStepsAreTheReadingsSteps(_ text: String, _ expected: String) throws {
        #expect(outline(try CommandReading(text)) == expected)
        for _ in 0..<2 {
            #expect(outline(try CommandReadings.read(text)) == expected)
        }
    }

    @Test func keptFailureIsTheParsers() {
        let text = "echo 'never closed"
        var expected: ShellParser.SyntaxError?
        do { _ = try ShellParser.parse(text) } catch { expected = error }
        #expect(expected != nil)
        for _ in 0..<2 {
            #expect(throws: expected!) { try CommandReadings.read(text) }
        }
    }

    @Test func storeStaysBounded() throws {
        for index in 0..<(CommandReadings.capacity + 100) {
            _ = try CommandReadings.read("echo bounded-\(index)")
            #expect(CommandReadings.count <= CommandReadings.capacity)
        }
    }

    @Test func longTextIsReadAsTheParserReadsIt() throws {
        let text = Array(repeating: "echo step", count: CommandReadings.longestKeptText / 8).joined(separator: " && ")
        #expect(text.utf8.count > CommandReadings.longestKeptText)
        #expect(outline(try CommandReadings.read(text).shell.script) == outline(try ShellParser.parse(text).script))
    }
}
