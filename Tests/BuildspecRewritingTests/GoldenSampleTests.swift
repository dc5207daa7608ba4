import Foundation
import Testing
@testable import BuildspecRewriting

/// Every golden sample (`SampleLocations.goldenCases`: a buildspec, a CloudFormation template or
/// a Terraform file) through `HostRewriter.rewrite`, as the tool reads a file of that name, with
/// the command-line options of its `options.txt` when it has one (`--option value`, one a line),
/// against its expected output or `expected-error.txt` (a refused file). Every finding is pinned
/// by its rule, never by its message text, which may improve: a refused file's in
/// `expected-error.txt`, a handled file's (warnings, notes, the writers `--check` reports, and the
/// refusals of a template's other buildspecs) in `expected-findings.txt`, whose absence means
/// none. A line is `line:column: severity RB001 rule-name`.
@Suite struct GoldenSampleTests {
    @Test func thereAreEnoughSamplesOfEveryKind() {
        let inputs = Set(SampleLocations.goldenCases.map { $0.input.split(separator: ".").last! })
        #expect(SampleLocations.goldenCases.count >= 60)
        #expect(inputs.isSuperset(of: ["yml", "yaml", "json", "tf", "tpl", "tftpl"]), "\(inputs)")
    }

    @Test(arguments: SampleLocations.goldenCases)
    func sample(_ sample: SampleLocations.GoldenCase) throws {
        let name = sample.name
        let input = try #require(SampleLocations.read(name, sample.input))
        let options = try Self.options(of: name)
        let result = HostRewriter.rewrite(input, fileName: sample.input, options: options)
        let findings = Self.findings(result.diagnostics + result.pendingGuards)
        if let expected = SampleLocations.read(name, sample.expected) {
            let pinned = SampleLocations.read(name, "expected-findings.txt").map { String(decoding: $0, as: UTF8.self) } ?? ""
            #expect(findings == pinned, "\(name): findings differ from expected-findings.txt\n\(Self.lineDiff(Array(pinned.utf8), Array(findings.utf8)))")
            #expect(result.outcome != .error, "\(name): \(result.diagnostics.map { $0.formatted(path: sample.input) })")
            if result.output != expected {
                Issue.record("\(name): output differs from \(sample.expected)\n\(Self.lineDiff(expected, result.output))")
            }
            // Idempotent: the expected output needs nothing more.
            let again = HostRewriter.rewrite(expected, fileName: sample.input, options: options)
            #expect(again.output == expected, "\(name): a second rewrite changed the file")
            #expect(again.outcome != .rewritten)
        } else {
            let expected = String(decoding: try #require(SampleLocations.read(name, "expected-error.txt")), as: UTF8.self)
            #expect(result.outcome == .error)
            #expect(result.output == input, "a refused file must come back unchanged")
            #expect(result.diagnostics.contains { $0.severity == .error })
            #expect(findings == expected, "\(name): findings differ\n\(Self.lineDiff(Array(expected.utf8), Array(findings.utf8)))")
        }
    }

    /// The options a sample is rewritten with.
    static func options(of name: String) throws -> RewriteOptions {
        var options = RewriteOptions()
        guard let text = SampleLocations.read(name, "options.txt") else { return options }
        for line in String(decoding: text, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw RunnerError("\(name)/options.txt: `\(line)` is not `--option value`") }
            switch parts[0] {
            case "--repository-name": options.repositoryName = parts[1]
            case "--registry-id": options.registryID = parts[1]
            case "--definitions-file": options.definitionsFiles.append(parts[1])
            default: throw RunnerError("\(name)/options.txt: unknown option \(parts[0])")
            }
        }
        return options
    }

    /// `24:9: error RB160 registry-not-ecr`, one line each; `-` for a finding without a place.
    static func findings(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map { diagnostic in
            let place = diagnostic.position.map { "\($0.line):\($0.column)" } ?? "-"
            return "\(place): \(diagnostic.severity.rawValue) \(diagnostic.rule.id) \(diagnostic.rule.name)\n"
        }.joined()
    }

    /// The lines that differ, `-` expected and `+` actual, with their numbers.
    static func lineDiff(_ expected: [UInt8], _ actual: [UInt8]) -> String {
        let old = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let new = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var lines: [String] = []
        for index in 0..<max(old.count, new.count) {
            let a = index < old.count ? String(old[index]) : nil
            let b = index < new.count ? String(new[index]) : nil
            if a != b {
                if let a { lines.append("\(index + 1) - \(a.debugDescription)") }
                if let b { lines.append("\(index + 1) + \(b.debugDescription)") }
            }
        }
        return lines.prefix(40).joined(separator: "\n")
    }
}
