import Testing
@testable import BuildspecRewriting

@Suite struct ShellParserTests {
    @Test func readsPipelinesAndRedirections() throws {
        let parsed = try ShellParser.parse("mkdir -p out && cd out && printf '%s' \"$X\" > imagedefinitions.json")
        #expect(parsed.script.lists.count == 1)
        #expect(parsed.script.lists[0].pipelines.count == 3)
        let last = parsed.script.lists[0].pipelines[2].commands[0]
        #expect(last.redirections.first?.op == ">")
        #expect(last.redirections.first?.target.literal == "imagedefinitions.json")
    }
}
