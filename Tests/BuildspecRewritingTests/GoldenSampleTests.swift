import Foundation
import Testing
@testable import BuildspecRewriting

/// Every `Samples/<case>/buildspec.yml` against its `expected.yml` (the rewritten bytes) or
/// `expected-error.txt` (the errors, one per line, for a file named `buildspec.yml`), with the
/// command-line options of its `options.txt` when it has one (`--option value`, one a line).
@Suite struct GoldenSampleTests {
    @Test func thereAreEnoughSamples() {
        #expect(SampleLocations.cases.count >= 20)
    }

    @Test(arguments: SampleLocations.cases)
    func sample(_ name: String) throws {
        let input = try #require(SampleLocations.read(name, "buildspec.yml"))
        let options = try Self.options(of: name)
        let result = BuildspecRewriter.rewrite(input, options: options)
        if let expected = SampleLocations.read(name, "expected.yml") {
            #expect(result.outcome != .error, "\(name): \(result.diagnostics.map { $0.formatted(path: "buildspec.yml") })")
            if result.output != expected {
                Issue.record("\(name): output differs from expected.yml\n\(Self.lineDiff(expected, result.output))")
            }
            // Idempotent: the expected output needs nothing more.
            let again = BuildspecRewriter.rewrite(expected, options: options)
            #expect(again.output == expected, "\(name): a second rewrite changed the file")
            #expect(again.outcome != .rewritten)
        } else {
            let expected = String(decoding: try #require(SampleLocations.read(name, "expected-error.txt")), as: UTF8.self)
            #expect(result.outcome == .error)
            #expect(result.output == input, "a refused file must come back unchanged")
            let errors = result.diagnostics.filter { $0.severity == .error }.map { $0.formatted(path: "buildspec.yml") }
            let actual = errors.joined(separator: "\n") + "\n"
            #expect(actual == expected, "\(name): errors differ\n\(Self.lineDiff(Array(expected.utf8), Array(actual.utf8)))")
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
