import Foundation
import Testing
@testable import BuildspecRewriting

/// `# rewrite-buildspec: ignore RB001`: the writer on that line, or the line below, is left
/// alone by the rewrite and by `--check`, and reported as ignored.
@Suite struct IgnoreCommentTests {
    @Test func theCommentNamesRuleIds() {
        #expect(IgnoreComment.ids(inLine: "      # rewrite-buildspec: ignore RB001") == ["RB001"])
        #expect(IgnoreComment.ids(inLine: "- printf x > imagedefinitions.json  # rewrite-buildspec: ignore RB201, RB001") == ["RB201", "RB001"])
        #expect(IgnoreComment.ids(inLine: "#rewrite-buildspec: ignore RB001 because the deploy stage waits") == ["RB001"])
        #expect(IgnoreComment.ids(inLine: "# a note # rewrite-buildspec: ignore RB001") == ["RB001"])
        // Not a comment: `#` inside a word or a quoted string.
        #expect(IgnoreComment.ids(inLine: "- echo \"#rewrite-buildspec: ignore RB001\" > imagedefinitions.json").isEmpty)
        #expect(IgnoreComment.ids(inLine: "- echo x#rewrite-buildspec: ignore RB001").isEmpty)
        // Another verb, or no id.
        #expect(IgnoreComment.ids(inLine: "# rewrite-buildspec: check RB001").isEmpty)
        #expect(IgnoreComment.ids(inLine: "# rewrite-buildspec: ignore").isEmpty)
        #expect(IgnoreComment.ids(inLine: "# rewrite-buildspec: ignore unguarded-definitions-writer").isEmpty)
    }

    static func buildspec(_ commands: [String], newline: String = "\n") -> [UInt8] {
        let lines = ["version: 0.2", "phases:", "  build:", "    commands:",
                     "      - docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:latest"] + commands
        return Array((lines.joined(separator: newline) + newline).utf8)
    }

    static let writer = "printf '[{\"name\":\"web\",\"imageUri\":\"x\"}]' > imagedefinitions.json"

    @Test(arguments: ["\n", "\r\n"])
    func aCommentOnTheLineOrTheLineAboveSilencesTheWriter(_ newline: String) {
        for commands in [["      - \(Self.writer) # rewrite-buildspec: ignore RB001"],
                         ["      # rewrite-buildspec: ignore RB001", "      - \(Self.writer)"],
                         ["      - |", "        echo one", "        # rewrite-buildspec: ignore RB001", "        \(Self.writer)"]] {
            let input = Self.buildspec(commands, newline: newline)
            let result = BuildspecRewriter.rewrite(input)
            #expect(result.outcome == .ignored, "\(commands)")
            #expect(result.output == input)
            #expect(result.pendingGuards.isEmpty)
            #expect(result.diagnostics.map(\.rule) == [.ignoredDefinitionsWriter])
            #expect(result.diagnostics.first?.severity == .note)
            #expect(result.diagnostics.first?.position?.line == 6 + commands.count - (commands.count == 4 ? 4 : 1), "\(commands)")
        }
    }

    @Test func aCommentTwoLinesAboveOrForAnotherRuleDoesNot() {
        for commands in [["      # rewrite-buildspec: ignore RB001", "      - echo between", "      - \(Self.writer)"],
                         ["      - \(Self.writer) # rewrite-buildspec: ignore RB201"],
                         ["      - |", "        # rewrite-buildspec: ignore RB001", "        echo one", "        \(Self.writer)"]] {
            let result = BuildspecRewriter.rewrite(Self.buildspec(commands))
            #expect(result.outcome == .rewritten, "\(commands)")
            #expect(result.pendingGuards.map(\.rule) == [.unguardedDefinitionsWriter])
            #expect(!result.diagnostics.contains { $0.rule == .ignoredDefinitionsWriter })
        }
    }

    /// Only the silenced writer is left alone: the other one is guarded, and the silenced
    /// writer's lines come out byte for byte.
    @Test func theOtherWritersAreStillGuarded() throws {
        let ignored = "      - \(Self.writer.replacing("imagedefinitions.json", with: "green-imagedefinitions.json")) # rewrite-buildspec: ignore RB001"
        let input = Self.buildspec([ignored, "      - echo the next writer is not below the comment", "      - \(Self.writer)"])
        let result = BuildspecRewriter.rewrite(input)
        #expect(result.outcome == .rewritten)
        #expect(result.pendingGuards.count == 1)
        let output = String(decoding: result.output, as: UTF8.self)
        #expect(output.contains(ignored + "\n"))
        #expect(output.contains("if echo \"$REPOSITORY_IMAGES\" | grep -q \"imageDigest\"; then\n          \(Self.writer)"))
        #expect(result.diagnostics.map(\.rule) == [.ignoredDefinitionsWriter])
    }
}
