import Foundation
import Testing
@testable import BuildspecRewriting

/// The one-pass validator may only say "nothing to report" where the full pipeline says so too.
@Suite struct BuildspecValidatorTests {
    private static func full(_ bytes: [UInt8]) -> RewriteResult {
        BuildspecRewriter.rewrite(SourceText(bytes), options: RewriteOptions(), override: nil, registryID: nil)
    }

    /// Whether the validator answered, after checking that its answer is the full pipeline's.
    private static func agrees(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let bytes = Array(text.utf8)
        guard BuildspecValidator.isQuietWithoutWriter(SourceText(bytes)) else { return false }
        let result = full(bytes)
        #expect(result.outcome == .noDefinitionsWriter && result.diagnostics.isEmpty,
                "the validator passed a file the pipeline reports on: \(result.diagnostics.map { $0.formatted(path: "buildspec.yml") }) \(text.debugDescription)",
                sourceLocation: sourceLocation)
        return true
    }

    static let clean = """
    version: 0.2
    env:
      variables:
        NAME: web
    phases:
      install:
        runtime-versions:
          nodejs: 20
      build:
        commands:
          - npm ci
          - |
            npm test
            npm run build
        finally:
          - echo done
    artifacts:
      files:
        - '**/*'

    """

    @Test func passesCleanFilesWithoutWriters() {
        #expect(Self.agrees(Self.clean))
        #expect(Self.agrees("version: 0.1\nphases:\n  build:\n    commands:\n      - make\n"))
        #expect(Self.agrees("\u{FEFF}version: 0.2\r\nphases:\r\n  build:\r\n    commands: [make, 'make test']\r\n"))
        #expect(Self.agrees("version: 0.2\nphases:\n  build:\n    commands: make\n    finally:\n      commands:\n        - echo é\n"))
        #expect(Self.agrees("version: 0.2\nx: &a [1]\ny: *a\nphases:\n  build:\n    commands: *a\n"))
    }

    @Test func leavesEveryFindingToThePipeline() {
        let cases = [
            "version: '0.2'\nphases: {}\n",                                   // quoted version: a warning
            "version: 0.3\n",                                                 // unsupported
            "phases: {}\n",                                                   // no version
            "- version: 0.2\n",                                               // not a mapping
            "version: 0.2\nversion: 0.2\n",                                   // duplicate key
            "version: 0.2\nphases:\n  build: {commands: [a], commands: [b]}\n", // nested duplicate
            "version: 0.2\nphases: [build]\n",                                // phases not a mapping
            "version: 0.2\nphases:\n  build:\n    commands:\n      - echo: x\n", // command read as a mapping
            "version: 0.2\nphases:\n  build:\n    commands:\n      - $(aws ecr get-login --no-include-email)\n",
            // `get-login` only in the value: made by an escape, or by one line break escaped.
            "version: 0.2\nphases:\n  build:\n    commands:\n      - \"$(aws ecr \\x67et-login --no-include-email)\"\n",
            "version: 0.2\nphases:\n  build:\n    commands:\n      - \"$(aws ecr get-\\\n        login --no-include-email)\"\n",
            "version: 0.2\nphases:\n  build:\n    commands:\n      - cat imagedefinitions.json\n",
            "version: 0.2\n---\nversion: 0.2\n",                              // two documents
            "version: 0.2\nphases: [\n",                                      // invalid YAML
            "",
            "v: &v 0.2\nversion: *v\n",                                       // alias as version
            "version: 0.2\n? [a]\n: b\n",                                     // a key that is no scalar
            "version: 0.2\ncafé: 1\ncafe\u{301}: 2\n",                        // equal as strings, not as bytes
            "version: 0.2\nphases:\n  build:\n    commands:\n      - \"printf x > image\\\n        definitions.json\"\n",
            // Values that name a definitions file where their source bytes do not: a blank line
            // folded into a line break, an escape, a block's indentation taken away.
            "version: 0.2\nphases:\n  build:\n    commands:\n      - printf x > image\n\n        definitions.json\n",
            "version: 0.2\nphases:\n  build:\n    commands:\n      - \"printf x > image\\x64efinitions.json\"\n",
            "version: 0.2\nphases:\n  build:\n    commands:\n      - |\n        printf x > image\\\n        definitions.json\n",
        ]
        for text in cases {
            #expect(!BuildspecValidator.isQuietWithoutWriter(SourceText(Array(text.utf8))), "\(text.debugDescription)")
        }
    }

    /// RB201 for every command YAML reads `ecr get-login` out of: as written, through an
    /// escape, across an escaped line break; none for `get-login-password`.
    @Test(arguments: [
        ("$(aws ecr get-login --no-include-email)", true),
        ("\"$(aws ecr \\x67et-login --no-include-email)\"", true),
        ("\"$(aws ecr get-\\\n        login --no-include-email)\"", true),
        ("aws ecr get-login-password | docker login --username AWS --password-stdin $REGISTRY", false),
        ("\"aws ecr get-login-\\x70assword | docker login --password-stdin $REGISTRY\"", false),
    ])
    func getLoginIsFoundWhereverYAMLReadsIt(_ command: String, _ warns: Bool) {
        let text = "version: 0.2\nphases:\n  build:\n    commands:\n      - \(command)\n"
        let result = BuildspecRewriter.rewrite(Array(text.utf8))
        #expect(result.diagnostics.map(\.rule) == (warns ? [.ecrGetLogin] : []), "\(text)")
    }

    /// A file that logs in with `get-login-password` and, in another command, `get-login`.
    @Test func getLoginIsFoundBesideGetLoginPassword() {
        let text = "version: 0.2\nphases:\n  build:\n    commands:\n      - aws ecr get-login-password | docker login --password-stdin $R\n"
            + "      - $(aws ecr get-login --no-include-email)\n"
        let result = BuildspecRewriter.rewrite(Array(text.utf8))
        #expect(result.diagnostics.map(\.rule) == [.ecrGetLogin])
        #expect(result.diagnostics.first?.position?.line == 6)
        // The file's last bytes, with nothing after them to tell `-password` by.
        let last = "version: 0.2\nphases:\n  build:\n    commands:\n      - aws ecr get-login-password | docker login --password-stdin $R\n"
            + "      - aws ecr get-login"
        #expect(BuildspecRewriter.rewrite(Array(last.utf8)).diagnostics.map(\.rule) == [.ecrGetLogin])
    }

    /// Every sample, without its writers, and with each of its lines taken out in turn: shapes
    /// of every kind, valid and not, each checked against the full pipeline.
    @Test func agreesWithThePipelineOnEverySampleShape() throws {
        var answered = 0, inputs = 0
        for sample in SampleLocations.cases {
            let data = try Data(contentsOf: SampleLocations.samples.appendingPathComponent("\(sample)/buildspec.yml"))
            let text = String(decoding: data, as: UTF8.self)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let kept = lines.filter { line in
                let lower = line.lowercased()
                return !lower.contains("imagedefinition") && !lower.contains("imagedetail") && !lower.contains("imageuri")
                    && !lower.contains("images.json")
            }
            for variant in [lines, kept] {
                for dropped in -1..<variant.count {
                    var shape = variant
                    if dropped >= 0 { shape.remove(at: dropped) }
                    inputs += 1
                    if Self.agrees(shape.joined(separator: "\n")) { answered += 1 }
                }
            }
        }
        // Most variants without writers are clean files: the validator must answer for many.
        #expect(answered > inputs / 10, "the validator answered for \(answered) of \(inputs) inputs")
    }
}
