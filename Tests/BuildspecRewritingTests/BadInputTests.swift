import Testing
@testable import BuildspecRewriting

/// Whatever the tool is fed, it either rewrites correctly or refuses with a located error and
/// gives the bytes back unchanged.
@Suite struct BadInputTests {
    private func refuses(_ bytes: [UInt8], line: Int? = nil, containing phrase: String) {
        let result = BuildspecRewriter.rewrite(bytes)
        #expect(result.outcome == .error)
        #expect(result.output == bytes, "a refused file must come back byte for byte")
        let errors = result.diagnostics.filter { $0.severity == .error }
        #expect(errors.count >= 1)
        let message = errors.map { $0.formatted(path: "buildspec.yml") }.joined(separator: "\n")
        #expect(message.contains(phrase), "\(message)")
        if let line { #expect(errors.first?.position?.line == line, "\(message)") }
    }

    private func refuses(_ text: String, line: Int? = nil, containing phrase: String) {
        refuses(Array(text.utf8), line: line, containing: phrase)
    }

    static let writer = """
    version: 0.2
    phases:
      post_build:
        commands:
          - docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1
          - printf '[{"name":"web","imageUri":"x"}]' > imagedefinitions.json

    """

    @Test func emptyCommentOnlyAndEmptyDocuments() {
        refuses("", containing: "no YAML document")
        refuses("# just a comment\n# and another\n", containing: "no YAML document")
        refuses("---\n", containing: "a buildspec is a mapping")
        refuses("version: 0.2\n---\nversion: 0.2\n", line: 2, containing: "more than one YAML document")
    }

    @Test func documentsThatAreNoMapping() {
        refuses("- version: 0.2\n", line: 1, containing: "the top level is a list")
        refuses("just text\n", line: 1, containing: "the top level is a scalar")
        refuses("phases: {}\n", containing: "has no `version`")
        refuses("version: 0.3\nphases: {}\n", line: 1, containing: "unsupported buildspec version `0.3`")
    }

    @Test func invalidYAMLOfManyKinds() {
        refuses("version: 0.2\nphases:\n\tbuild:\n", line: 3, containing: "invalid YAML")
        refuses("version: 0.2\nphases:\n  build:\n    commands:\n      - a\n     - b\n", line: 6, containing: "invalid YAML")
        refuses("version: 0.2\nphases:\n  build:\n    commands:\n      - \"unclosed\n", containing: "invalid YAML")
        refuses("version: 0.2\nphases:\n  build:\n    commands: [a, b\n", containing: "invalid YAML")
        let conflict = """
        version: 0.2
        phases:
          build:
            commands:
        <<<<<<< HEAD
              - echo ours
        =======
              - echo theirs
        >>>>>>> branch

        """
        refuses(conflict, containing: "invalid YAML")
    }

    @Test func duplicateKeysAreRefused() {
        // libyaml keeps both, PyYAML the last, CodeBuild rejects the file: refuse, naming both.
        refuses("version: 0.2\nphases:\n  build: {}\n  build: {}\n", line: 4, containing: "duplicate key `build` (first at line 3)")
    }

    @Test func bytesThatAreNoUTF8Text() {
        refuses([0xFF, 0xFE] + Array("v\0e\0r\0".utf8), containing: "UTF-16")
        refuses(Array("version: 0.2\n# caf".utf8) + [0xE9] + Array("\n".utf8), line: 2, containing: "not valid UTF-8")
        refuses(Array("version: 0.2\n".utf8) + [0, 1, 2], line: 2, containing: "NUL byte")
        var binary: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0]
        for value in 0..<2048 { binary.append(UInt8(truncatingIfNeeded: value &* 2_654_435_761 >> 13)) }
        refuses(binary, containing: "error")
    }

    @Test func deepNestingEndsInAnErrorNotACrash() {
        refuses(String(repeating: "[", count: 100_000), containing: "deeper than")
        refuses(String(repeating: "- ", count: 100_000) + "x\n", containing: "deeper than")
        refuses("version: 0.2\nphases:\n  build:\n    commands:\n      - echo " + String(repeating: "$(", count: 5_000)
                + " > imagedefinitions.json\n", line: 5, containing: "cannot read this command as POSIX shell")
    }

    @Test func aLargeFileIsHandled() {
        var text = "version: 0.2\nphases:\n  build:\n    commands:\n"
        for number in 0..<20_000 { text += "      - echo step \(number) of a long build\n" }
        text += "      - docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1\n"
        text += "      - printf x > imagedefinitions.json\n"
        let result = BuildspecRewriter.rewrite(Array(text.utf8))
        #expect(result.outcome == .rewritten)
        #expect(result.editedLines == [20_005, 20_006])
    }

    @Test func anchorsAliasesAndMergeKeysAroundTheCommandsAreRefused() {
        let aliased = """
        version: 0.2
        x-push: &push docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1
        phases:
          post_build:
            commands:
              - *push
              - printf x > imagedefinitions.json

        """
        refuses(aliased, line: 7, containing: "anchors or aliases")
        let merged = """
        version: 0.2
        phases:
          build: &common
            commands:
              - docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1
              - printf x > imagedefinitions.json
          post_build:
            <<: *common

        """
        refuses(merged, containing: "anchors or aliases")
        // A tagged merge key starts at its tag: its range is longer than its `<<`.
        refuses(Self.writer + "  build:\n    commands:\n      - !!str <<\n", containing: "anchors or aliases")
        // Anchors elsewhere, away from the commands, do not matter.
        let elsewhere = Self.writer + "cache:\n  paths: &paths\n    - /root/.m2/**/*\nreports:\n  x:\n    files: *paths\n"
        #expect(BuildspecRewriter.rewrite(Array(elsewhere.utf8)).outcome == .rewritten)
    }

    @Test(arguments: [
        ("case \"$ENV\" in prod) printf x > imagedefinitions.json;; esac", "inside a `case`"),
        ("for f in a b; do printf x > imagedefinitions.json; done", "inside a `for` loop"),
        ("while false; do printf x > imagedefinitions.json; done", "inside a `while` loop"),
        ("write() { printf x > imagedefinitions.json; }", "inside a function"),
    ])
    func writersWhereNoGuardFitsAreRefused(_ command: String, _ reason: String) {
        let text = Self.writer.replacing("- printf '[{\"name\":\"web\",\"imageUri\":\"x\"}]' > imagedefinitions.json", with: "- '\(command)'")
        refuses(text, line: 6, containing: reason)
    }

    @Test func aHereDocumentWithoutItsEndIsRefused() {
        let text = """
        version: 0.2
        phases:
          post_build:
            commands:
              - docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1
              - |
                cat > imagedefinitions.json <<JSON
                [{"name":"web","imageUri":"x"}]
                EOF

        """
        refuses(text, line: 6, containing: "never ends: no line holds just `JSON`")
    }

    @Test func aWriterYAMLReadsAsAMappingIsRefused() {
        let text = Self.writer.replacing("- printf '[{\"name\":\"web\",\"imageUri\":\"x\"}]' > imagedefinitions.json",
                                         with: "- echo name: web > imagedefinitions.json")
        refuses(text, line: 6, containing: "YAML reads it as a mapping")
    }

    @Test func repositoryNamesThatCouldInjectShellAreRefused() {
        for name in ["web; rm -rf /", "web`id`", "$(id)", "web\nid", "\"web\"", "WEB", "${A:-x}"] {
            let result = BuildspecRewriter.rewrite(Array(Self.writer.utf8), options: RewriteOptions(repositoryName: name))
            #expect(result.outcome == .error, "\(name)")
            #expect(result.output == Array(Self.writer.utf8))
        }
    }
}
