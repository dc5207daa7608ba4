import Foundation
import Testing
@testable import BuildspecRewriting

/// The Terraform samples: `Samples/terraform-*/` with one input (`main.tf`, a
/// `buildspec*.tpl` or a `*.tftpl`) and `expected.<same extension>` or `expected-error.txt`;
/// `template-values.json` gives a template's variables for rendering.
enum TerraformSamples {
    struct Sample: CustomStringConvertible, Sendable {
        var name: String
        var input: String
        var kind: TerraformHost.Kind
        var description: String { name }

        /// `expected.tf` for `main.tf`, `expected.yml.tpl` for `buildspec.yml.tpl`.
        var expectedName: String { "expected." + input.split(separator: ".", maxSplits: 1).last! }
    }

    static var all: [Sample] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: SampleLocations.samples.path)) ?? []
        return names.filter { $0.hasPrefix("terraform-") }.sorted().compactMap { name in
            let files = (try? FileManager.default.contentsOfDirectory(atPath: SampleLocations.samples.appendingPathComponent(name).path)) ?? []
            guard let input = files.sorted().first(where: { !$0.hasPrefix("expected") && TerraformHost.kind(ofFileName: $0) != nil }),
                  let kind = TerraformHost.kind(ofFileName: input) else { return nil }
            return Sample(name: name, input: input, kind: kind)
        }
    }

    /// The samples the rewrite changes.
    static var rewritten: [Sample] {
        all.filter { sample in
            guard let input = SampleLocations.read(sample.name, sample.input), let expected = SampleLocations.read(sample.name, sample.expectedName) else {
                return false
            }
            return input != expected
        }
    }

    /// Every buildspec of a Terraform file rendered as Terraform would, with plausible values:
    /// an ECR repository's `repository_url` is the test registry and its `name`, a variable
    /// its default, a template variable its value in `template-values.json`. Nil for one with a
    /// directive (`%{ if }`), which this renderer does not evaluate and the rewrite never guards.
    static func rendered(_ bytes: [UInt8], kind: TerraformHost.Kind, values: [String: String]) throws -> [[UInt8]?] {
        let text = String(decoding: bytes, as: UTF8.self)
        var bodies: [(Range<Int>, Bool)] = []
        if kind == .configuration {
            for attribute in try TerraformConfiguration(bytes).buildspecs {
                if case .heredoc(let heredoc) = attribute.value { bodies.append((heredoc.body, heredoc.indented)) }
            }
        } else {
            bodies = [(0..<bytes.count, false)]
        }
        return try bodies.map { body, indented in
            var lines = String(decoding: bytes[body], as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if indented {
                let strip = lines.filter { !$0.allSatisfy(\.isWhitespace) }.map { $0.prefix { $0 == " " || $0 == "\t" }.count }.min() ?? 0
                lines = lines.map { String($0.dropFirst(min(strip, $0.prefix { $0 == " " || $0 == "\t" }.count))) }
            }
            let template = Array(lines.joined(separator: "\n").utf8)
            var output: [UInt8] = []
            for part in try HCLTemplate(template, in: 0..<template.count).parts {
                switch part {
                case .literal(let range): output += template[range]
                case .escape(let range): output += [template[range.lowerBound + 1], UInt8(ascii: "{")]
                case .interpolation(_, let expression): output += Array(value(of: expression, in: text, values: values).utf8)
                case .directive: return nil
                }
            }
            return output
        }
    }

    static func value(of expression: String, in file: String, values: [String: String]) -> String {
        if let value = values[expression] { return value }
        let parts = expression.split(separator: ".").map(String.init)
        if parts.count == 3, parts[0] == "aws_ecr_repository" {
            let name = repositoryName(parts[1], in: file) ?? "tpl-\(parts[1])"
            switch parts[2] {
            case "repository_url": return "\(CodeBuildRunner.registry)/\(name)"
            case "registry_id": return "123456789012"
            default: return name
            }
        }
        if parts.count == 2, parts[0] == "var", let value = variableDefault(parts[1], in: file) { return value }
        // The module's own account and region are the build's.
        if parts.count == 4, parts[0] == "data", parts[1] == "aws_caller_identity", parts[3] == "account_id" { return CodeBuildRunner.account }
        if parts.count == 4, parts[0] == "data", parts[1] == "aws_region" { return CodeBuildRunner.region }
        return "tpl-" + expression.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined()
    }

    private static func repositoryName(_ resource: String, in file: String) -> String? {
        firstMatch(#"resource\s+"aws_ecr_repository"\s+"\#(resource)"\s*\{[^}]*?\bname\s*=\s*"([^"]+)""#, in: file)
    }

    private static func variableDefault(_ name: String, in file: String) -> String? {
        firstMatch(#"variable\s+"\#(name)"\s*\{[^}]*?\bdefault\s*=\s*"([^"]+)""#, in: file)
    }

    private static func firstMatch(_ pattern: String, in text: String) -> String? {
        guard let regex = try? NSRegularExpression(pattern: pattern),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(match.range(at: 1), in: text) else { return nil }
        return String(text[range])
    }

    static func values(of sample: Sample) -> [String: String] {
        guard let data = SampleLocations.read(sample.name, "template-values.json"),
              let values = try? JSONSerialization.jsonObject(with: Data(data)) as? [String: String] else { return [:] }
        return values
    }
}

extension EndToEndSample {
    /// A Terraform sample's buildspec that the rewrite guards, before and after, rendered as
    /// Terraform renders it.
    func terraformBuildspecs() throws -> (original: [UInt8], rewritten: [UInt8]) {
        let sample = try #require(TerraformSamples.all.first { $0.name == name })
        let values = TerraformSamples.values(of: sample)
        let originals = try TerraformSamples.rendered(try #require(SampleLocations.read(name, sample.input)), kind: sample.kind, values: values)
        let rewrittens = try TerraformSamples.rendered(try #require(SampleLocations.read(name, sample.expectedName)), kind: sample.kind, values: values)
        let (original, rewritten) = try #require(zip(originals, rewrittens).first { $0 != $1 })
        return (try #require(original), try #require(rewritten))
    }
}
