import Testing
@testable import BuildspecRewriting

/// Properties every rewrite must have, over generated buildspecs (fixed seed, bounded count).
@Suite struct GeneratedBuildspecTests {
    static let count = 300

    @Test func rewritesKeepEverythingElseAndAreIdempotent() throws {
        var generator = BuildspecGenerator(seed: 20261129)
        var rewritten = 0
        var executed = 0
        for number in 0..<Self.count {
            let generated = generator.generate()
            let input = Array(generated.text.utf8)
            let result = BuildspecRewriter.rewrite(input)
            let label = "#\(number) (\(generated.description))"
            guard result.outcome == .rewritten else {
                #expect(result.output == input, "\(label): a file that was not rewritten changed")
                #expect(result.outcome != .error, "\(label): \(result.diagnostics.map { $0.formatted(path: "buildspec.yml") })\n\(generated.text)")
                continue
            }
            rewritten += 1
            let output = String(decoding: result.output, as: UTF8.self)
            // Every input line survives (indentation and a leading `- ` aside), but the writer's own.
            let kept = Set(output.split(whereSeparator: \.isNewline).map(Self.normalized))
            for line in generated.text.split(whereSeparator: \.isNewline) where !line.contains("imagedefinitions.json") {
                let normal = Self.normalized(line)
                #expect(normal.isEmpty || kept.contains(normal), "\(label): lost the line \(line)")
            }
            // The file's line ending is the only one used.
            if generated.text.contains("\r\n") {
                #expect(!output.replacing("\r\n", with: "").contains("\n"), "\(label): a bare LF in a CRLF file")
            }
            // A second rewrite changes nothing.
            let again = BuildspecRewriter.rewrite(result.output)
            #expect(again.output == result.output, "\(label): not idempotent\n\(output)")
            // Now and then, run it: first run writes nothing, a later run writes what the original wrote.
            if number % 20 == 0 {
                executed += 1
                let before = try CodeBuildRunner.run(input, filled: [])
                #expect(!before.pushed.isEmpty && !before.definitions.isEmpty, "\(label): the original should push and write definitions")
                let first = try CodeBuildRunner.run(result.output, filled: [], repositories: before.pushed)
                #expect(first.definitions.isEmpty, "\(label): the first run wrote \(first.definitions.keys.sorted())\n\(output)")
                #expect(first.pushed == before.pushed, "\(label): pushes differ")
                let originalLater = try CodeBuildRunner.run(input, filled: before.pushed)
                let rewrittenLater = try CodeBuildRunner.run(result.output, filled: before.pushed, repositories: before.pushed)
                #expect(rewrittenLater.definitions == originalLater.definitions, "\(label): later runs differ\n\(output)")
            }
        }
        #expect(rewritten > Self.count / 2, "the generator should mostly make files that need the guard")
        #expect(executed > 0)
    }

    private static func normalized(_ line: Substring) -> String {
        var text = line.drop { $0 == " " || $0 == "\u{FEFF}" }
        if text.hasPrefix("- ") { text = text.dropFirst(2).drop { $0 == " " } }
        return String(text)
    }
}
