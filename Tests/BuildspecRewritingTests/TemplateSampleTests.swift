import Foundation
import Testing
@testable import BuildspecRewriting

/// The CloudFormation samples (`Samples/<case>/template.yaml` or `template.json`, whose outputs
/// `GoldenSampleTests` checks): the rewritten templates through cfn-lint, and each rewritten
/// embedded buildspec, rendered as CloudFormation would, run the way CodeBuild runs it.
@Suite struct TemplateSampleTests {
    static let cases = SampleLocations.templateCases

    @Test func thereAreTemplateSamplesOfEveryKind() {
        #expect(Self.cases.contains { $0.fileExtension == "yaml" } && Self.cases.contains { $0.fileExtension == "json" })
        #expect(Self.cases.count >= 10)
    }

    /// A template that names a buildspec file: said so as a note; the template stays as it is.
    @Test func aBuildSpecThatNamesAFileIsANote() throws {
        let input = try #require(SampleLocations.read("cfn-yaml-two-projects", "template.yaml"))
        let notes = HostRewriter.rewrite(input, fileName: "template.yaml").diagnostics.filter { $0.severity == .note }
        #expect(notes.map { $0.formatted(path: "t") } == [
            "t:52:22: note: `ImageProject`'s SecondarySources[0].BuildSpec names the file `buildspec-tools.yml`; that file is handled where the search finds it [RB501]",
            "t:61:20: note: `ReleaseProject`'s Source.BuildSpec names the file `buildspec-prod.yml`; that file is handled where the search finds it [RB501]",
        ])
    }

    /// In an `Fn::Join` of lines, a writer whose command holds a written `\n` (backslash, n)
    /// moves into the guard with it, inside its own line's string.
    @Test func aJoinLineWithABackslashNStaysOneLine() throws {
        let template = #"{"Resources": {"P": {"Type": "AWS::CodeBuild::Project", "Properties": {"Source": {"BuildSpec": {"Fn::Join": ["\n", ["version: 0.2", "phases:", "  build:", "    commands:", "      - docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1", "      - printf '[{\"name\":\"app\",\"imageUri\":\"%s\"}]\\n' x > imagedefinitions.json"]]}}}}}}"#
        let result = HostRewriter.rewrite(Array(template.utf8), fileName: "t.json")
        #expect(result.outcome == .rewritten, "\(result.diagnostics)")
        let text = String(decoding: result.output, as: UTF8.self)
        #expect(text.contains(#""          printf '[{\"name\":\"app\",\"imageUri\":\"%s\"}]\\n' x > imagedefinitions.json", "#), "\(text)")
    }

    /// A JSON string whose lines end in `\r\n` gets new lines ending in `\r\n` too.
    @Test func aJSONStringWithCRLFKeepsItsLineEndings() throws {
        let template = #"{"Resources": {"P": {"Type": "AWS::CodeBuild::Project", "Properties": {"Source": {"BuildSpec": "version: 0.2\r\nphases:\r\n  build:\r\n    commands:\r\n      - docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1\r\n      - printf x > imagedefinitions.json\r\n"}}}}}"#
        let result = HostRewriter.rewrite(Array(template.utf8), fileName: "t.json")
        #expect(result.outcome == .rewritten, "\(result.diagnostics)")
        let text = String(decoding: result.output, as: UTF8.self)
        #expect(text.contains(#"\r\n      - REPOSITORY_IMAGES=$(aws ecr list-images --repository-name app --registry-id 123456789012 --region us-east-1 --max-items 1)\r\n"#), "\(text)")
        #expect(!text.contains(#"1)\n"#))
    }

    /// A guard that would take a Sub substitution apart (a parameter holding the whole image URI,
    /// whose registry the query must name) is refused, with what to do instead.
    @Test func aGuardThatWouldSplitASubstitutionIsRefused() throws {
        let template = """
        Parameters:
          ImageUri: {Type: String, Default: "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:latest"}
        Resources:
          P:
            Type: AWS::CodeBuild::Project
            Properties:
              Source:
                BuildSpec: !Sub |
                  version: 0.2
                  phases:
                    build:
                      commands:
                        - docker push ${ImageUri}
                        - printf '[{"name":"web","imageUri":"%s"}]' ${ImageUri} > imagedefinitions.json

        """
        let result = HostRewriter.rewrite(Array(template.utf8), fileName: "t.yaml")
        #expect(result.outcome == .error)
        #expect(result.output == Array(template.utf8))
        let errors = result.diagnostics.filter { $0.severity == .error }.map(\.message)
        // The registry's account and region would be read out of the substitution by the shell.
        #expect(errors.contains { $0.contains("`${ImageUri}` takes its registry from `${ImageUri}`, a value of the template, not of the shell") }, "\(errors)")
        #expect(!errors.joined().contains("cfnsub"), "a placeholder leaked into a message: \(errors)")
    }

    /// A Sub variable bound to the stack's own registry (`!Sub` of `${AWS::AccountId}.dkr.ecr.
    /// ${AWS::Region}...`) is the build's own: the query names neither account nor region.
    /// Bound to anything else, the guard is refused.
    @Test(arguments: [("!Sub \"${AWS::AccountId}.dkr.ecr.${AWS::Region}.amazonaws.com\"", true),
                      ("444455556666.dkr.ecr.eu-west-1.amazonaws.com/x", false)])
    func aSubVariableBoundToTheStacksRegistryIsTheBuildsOwn(_ binding: String, _ isOwn: Bool) throws {
        let registry = "${Registry}/${Repo}"
        let template = """
        Resources:
          Repo:
            Type: AWS::ECR::Repository
          P:
            Type: AWS::CodeBuild::Project
            Properties:
              Source:
                BuildSpec: !Sub
                  - |
                    version: 0.2
                    phases:
                      build:
                        commands:
                          - docker push \(registry):v1
                          - printf '[{"name":"web","imageUri":"%s"}]' \(registry):v1 > imagedefinitions.json
                  - Registry: \(binding)

        """
        let result = HostRewriter.rewrite(Array(template.utf8), fileName: "t.yaml")
        if isOwn {
            #expect(result.outcome == .rewritten, "\(result.diagnostics)")
            let text = String(decoding: result.output, as: UTF8.self)
            #expect(text.contains("aws ecr list-images --repository-name ${Repo} --max-items 1"), "\(text)")
        } else {
            #expect(result.outcome == .error)
            #expect(result.diagnostics.contains { $0.message.contains("takes its registry from `${Registry}`") }, "\(result.diagnostics)")
        }
    }


    /// (an unescaped `${VAR#*/}` in a Sub string is E1019).
    @Test(.enabled(if: CfnLint.isAvailable || ProcessInfo.processInfo.environment["CI"] != nil),
          arguments: cases.filter { SampleLocations.read($0.name, $0.expected) != nil })
    func cfnLintFindsNoNewError(_ template: SampleLocations.TemplateCase) throws {
        guard CfnLint.isAvailable else {
            Issue.record("cfn-lint is missing: pip install cfn-lint")
            return
        }
        let before = try CfnLint.errors(try #require(SampleLocations.read(template.name, template.input)), fileExtension: template.fileExtension)
        let after = try CfnLint.errors(try #require(SampleLocations.read(template.name, template.expected)), fileExtension: template.fileExtension)
        #expect(after.subtracting(before).isEmpty, "\(template.name): cfn-lint errors the original did not have: \(after.subtracting(before).sorted())")
    }

    /// The guard catches what cfn-lint catches: an unescaped shell `${...}` in a Sub string.
    @Test(.enabled(if: CfnLint.isAvailable)) func cfnLintRejectsAnUnescapedShellExpansionInSub() throws {
        let input = try #require(SampleLocations.read("cfn-yaml-fn-sub", "expected.yaml"))
        let broken = String(decoding: input, as: UTF8.self).replacing("${!REPOSITORY_URI#*/}", with: "${REPOSITORY_URI#*/}")
        #expect(try CfnLint.errors(Array(broken.utf8), fileExtension: "yaml").contains("E1019"))
    }

    /// Each rewritten buildspec, rendered: the first run (an empty repository) writes no
    /// definitions and pushes the same images; a later run writes the original's bytes.
    @Test(arguments: cases.filter { template in
        SampleLocations.read(template.name, template.expected).map { $0 != SampleLocations.read(template.name, template.input) } ?? false
    })
    func renderedBuildspecsRunLikeTheOriginals(_ template: SampleLocations.TemplateCase) throws {
        let originals = try CloudFormationRendering.buildspecs(try #require(SampleLocations.read(template.name, template.input)))
        let rewrittens = try CloudFormationRendering.buildspecs(try #require(SampleLocations.read(template.name, template.expected)))
        try #require(originals.count == rewrittens.count)
        var changed = 0
        for (original, rewritten) in zip(originals, rewrittens) where original != rewritten {
            changed += 1
            let before = try CodeBuildRunner.run(original, filled: [])
            #expect(!before.definitions.isEmpty && !before.pushed.isEmpty, "\(template.name): the original should push and write definitions")
            let first = try CodeBuildRunner.run(rewritten, filled: [])
            #expect(first.definitions.isEmpty, "\(template.name): the first run still wrote \(first.definitions.keys.sorted())")
            #expect(first.pushed == before.pushed, "\(template.name): the rewrite changed what is pushed")
            let originalLater = try CodeBuildRunner.run(original, filled: before.pushed)
            let rewrittenLater = try CodeBuildRunner.run(rewritten, filled: before.pushed)
            #expect(!rewrittenLater.definitions.isEmpty && rewrittenLater.definitions == originalLater.definitions,
                    "\(template.name): a later run wrote other definitions")
            // A failing query (a repository the role cannot read) fails the build before the push.
            let failing = String(decoding: rewritten, as: UTF8.self).replacing("aws ecr list-images", with: "false && aws ecr list-images")
            #expect(try CodeBuildRunner.run(Array(failing.utf8), filled: []).pushed.isEmpty, "\(template.name): a failing query must stop the build")
        }
        #expect(changed > 0, "\(template.name): no rendered buildspec changed")
    }
}

/// cfn-lint (pip install cfn-lint), run on a copy of a template.
enum CfnLint {
    static let isAvailable: Bool = (try? run(["--version"]).status == 0) ?? false

    /// The error rule ids (`E1019`) cfn-lint reports on `bytes`.
    static func errors(_ bytes: [UInt8], fileExtension: String) throws -> Set<String> {
        let folder = try ToolProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("template.\(fileExtension)")
        try Data(bytes).write(to: file)
        let result = try run(["--format", "parseable", file.path])
        // path:line:column:line:column:RULE:message
        return Set(result.output.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count > 5, fields[5].hasPrefix("E") else { return nil }
            return String(fields[5])
        })
    }

    private static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cfn-lint"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// The buildspecs of a template as CloudFormation renders them, written for the tests apart from
/// the hosts under test: YAML values from libyaml, JSON from Foundation, Sub filled with test values.
enum CloudFormationRendering {
    struct Failure: Error, CustomStringConvertible { var description: String }

    /// The stack's account and region are its CodeBuild project's: the build's own.
    static let values = ["AWS::AccountId": CodeBuildRunner.account, "AWS::Region": CodeBuildRunner.region, "AWS::StackName": "sample-stack", "AWS::Partition": "aws"]

    static func buildspecs(_ bytes: [UInt8]) throws -> [[UInt8]] {
        if let json = try? JSONSerialization.jsonObject(with: Data(bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes)) as? [String: Any] {
            return try jsonBuildspecs(json)
        }
        return try yamlBuildspecs(try YAMLParser.parse(SourceText(bytes)))
    }

    // MARK: YAML

    private static func yamlBuildspecs(_ root: YAMLNode) throws -> [[UInt8]] {
        let resources = try #require(root["Resources"])
        var names = values
        for (key, value) in root["Parameters"]?.pairs ?? [] { names[key.value] = value["Default"]?.value ?? "tpl-\(key.value)" }
        for (key, resource) in resources.pairs where resource["Type"]?.value == "AWS::ECR::Repository" {
            names[key.value] = resource["Properties"]?["RepositoryName"]?.value ?? "sample-\(key.value.lowercased())"
        }
        var result: [[UInt8]] = []
        for (_, resource) in resources.pairs where resource["Type"]?.value == "AWS::CodeBuild::Project" {
            let properties = try #require(resource["Properties"])
            let values = [properties["Source"]?["BuildSpec"]].compactMap { $0 } + (properties["SecondarySources"]?.children.compactMap { $0["BuildSpec"] } ?? [])
            for value in values where value.kind != .scalar || value.value.utf8.contains(0x0A) {
                result.append(Array(try yamlRendered(value, names).utf8))
            }
        }
        return result
    }

    private static func yamlRendered(_ node: YAMLNode, _ names: [String: String]) throws -> String {
        var sub: YAMLNode?
        if node.tag == "!Sub" { sub = node } else if node.kind == .mapping, node.children.first?.value == "Fn::Sub" { sub = node.children[1] }
        guard let sub else {
            guard node.isScalar else { throw Failure(description: "a form these tests do not render") }
            return node.value
        }
        if sub.isScalar { return substituted(sub.value, names) }
        var local = names
        for (key, value) in sub.children[1].pairs {
            local[key.value] = value.tag == "!Ref" ? names[value.value] ?? "tpl-\(value.value)" : try yamlRendered(value, names)
        }
        return substituted(sub.children[0].value, local)
    }

    // MARK: JSON

    private static func jsonBuildspecs(_ root: [String: Any]) throws -> [[UInt8]] {
        let resources = try #require(root["Resources"] as? [String: Any])
        var names = values
        for (key, value) in root["Parameters"] as? [String: [String: Any]] ?? [:] { names[key] = value["Default"] as? String ?? "tpl-\(key)" }
        for (key, resource) in resources {
            if let resource = resource as? [String: Any], resource["Type"] as? String == "AWS::ECR::Repository" {
                names[key] = "sample-\(key.lowercased())"
            }
        }
        var result: [[UInt8]] = []
        // Foundation does not keep the key order: the projects in the order of their names.
        for key in resources.keys.sorted() {
            guard let resource = resources[key] as? [String: Any], resource["Type"] as? String == "AWS::CodeBuild::Project",
                  let properties = resource["Properties"] as? [String: Any] else { continue }
            let values = [(properties["Source"] as? [String: Any])?["BuildSpec"]].compactMap { $0 }
                + (properties["SecondarySources"] as? [[String: Any]] ?? []).compactMap { $0["BuildSpec"] }
            for value in values {
                let text = try jsonRendered(value, names)
                if text.utf8.contains(0x0A) { result.append(Array(text.utf8)) }
            }
        }
        return result
    }

    private static func jsonRendered(_ value: Any, _ names: [String: String]) throws -> String {
        if let text = value as? String { return text }
        guard let object = value as? [String: Any], let (function, argument) = object.first else {
            throw Failure(description: "a form these tests do not render")
        }
        switch function {
        case "Ref": return names[argument as? String ?? ""] ?? "tpl-ref"
        case "Fn::Sub":
            if let text = argument as? String { return substituted(text, names) }
            let list = try #require(argument as? [Any])
            var local = names
            for (key, bound) in list[1] as? [String: Any] ?? [:] { local[key] = try jsonRendered(bound, names) }
            return substituted(try #require(list[0] as? String), local)
        case "Fn::Join":
            let list = try #require(argument as? [Any])
            return try (try #require(list[1] as? [Any])).map { try jsonRendered($0, names) }.joined(separator: try #require(list[0] as? String))
        default: throw Failure(description: "\(function) is not rendered by these tests")
        }
    }

    /// `${Name}` filled in, `${!X}` as the shell's `${X}`.
    static func substituted(_ text: String, _ names: [String: String]) -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.range(of: "${") {
            result += rest[..<open.lowerBound]
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: "}") else { result += "${"; continue }
            let name = rest[..<close]
            if name.hasPrefix("!") {
                result += "${" + name.dropFirst() + "}"
            } else {
                result += names[String(name)] ?? "tpl-\(name)"
            }
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}
