import Testing
@testable import BuildspecRewriting

@Suite struct ShellReadingsTests {
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
            let read = try ShellReadings.parse(text)
            #expect(read.text == parsed.text)
            #expect(outline(read.script) == outline(parsed.script))
            #expect(read.hereDocuments.map(\.body) == parsed.hereDocuments.map(\.body))
        }
    }

    @Test func keptFailureIsTheParsers() {
        let text = "echo 'never closed"
        var expected: ShellParser.SyntaxError?
        do { _ = try ShellParser.parse(text) } catch { expected = error }
        #expect(expected != nil)
        for _ in 0..<2 {
            #expect(throws: expected!) { try ShellReadings.parse(text) }
        }
    }

    @Test func storeStaysBounded() throws {
        for index in 0..<(ShellReadings.capacity + 100) {
            _ = try ShellReadings.parse("echo bounded-\(index)")
            #expect(ShellReadings.count <= ShellReadings.capacity)
        }
    }

    @Test func longTextIsReadAsTheParserReadsIt() throws {
        let text = Array(repeating: "echo step", count: ShellReadings.longestKeptText / 8).joined(separator: " && ")
        #expect(text.utf8.count > ShellReadings.longestKeptText)
        #expect(outline(try ShellReadings.parse(text).script) == outline(try ShellParser.parse(text).script))
    }
}
