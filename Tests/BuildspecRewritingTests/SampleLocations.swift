import Foundation
import Testing
@testable import BuildspecRewriting

/// The repository's `Samples/` folder, found from this source file.
enum SampleLocations {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let samples = root.appendingPathComponent("Samples")

    /// Every `Samples/<case>/` holding a `buildspec.yml`.
    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: samples.path)) ?? []
        return names.filter {
            FileManager.default.fileExists(atPath: samples.appendingPathComponent("\($0)/buildspec.yml").path)
        }.sorted()
    }

    /// A `Samples/<case>/` holding a CloudFormation `template.yaml` or `template.json`.
    struct TemplateCase: Sendable, CustomTestStringConvertible {
        var name: String
        var fileExtension: String
        var input: String { "template.\(fileExtension)" }
        var expected: String { "expected.\(fileExtension)" }
        var testDescription: String { name }
    }

    static var templateCases: [TemplateCase] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: samples.path)) ?? []
        return names.sorted().compactMap { name in
            ["yaml", "json"].first { FileManager.default.fileExists(atPath: samples.appendingPathComponent("\(name)/template.\($0)").path) }
                .map { TemplateCase(name: name, fileExtension: $0) }
        }
    }

    /// A golden sample: `Samples/<case>/` with one input (`buildspec.yml`, `template.yaml`,
    /// `template.json`, `main.tf`, `buildspec*.tpl`, `*.tftpl`) and its expected output, named
    /// `expected.` and the input's extensions (`expected.yml.tpl`), or `expected-error.txt`.
    struct GoldenCase: Sendable, CustomTestStringConvertible {
        var name: String
        var input: String
        var expected: String { "expected." + input.split(separator: ".", maxSplits: 1).last! }
        var testDescription: String { name }
    }

    static var goldenCases: [GoldenCase] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: samples.path)) ?? []
        return names.sorted().compactMap { name in
            let files = (try? FileManager.default.contentsOfDirectory(atPath: samples.appendingPathComponent(name).path)) ?? []
            let inputs = files.filter { file in
                !file.hasPrefix("expected") && (["buildspec.yml", "template.yaml", "template.json"].contains(file)
                    || TerraformHost.kind(ofFileName: file) != nil)
            }
            return inputs.count == 1 ? GoldenCase(name: name, input: inputs[0]) : nil
        }
    }

    static func read(_ sample: String, _ file: String) -> [UInt8]? {
        FileManager.default.contents(atPath: samples.appendingPathComponent("\(sample)/\(file)").path).map(Array.init)
    }
}
