import Foundation
import Testing
@testable import BuildspecRewriting

/// The Terraform host: its scanners, its view of a template, and whole files.
@Suite struct TerraformHostTests {
    // MARK: Golden samples

    @Test func thereAreTerraformSamples() {
        #expect(TerraformSamples.all.count >= 8)
    }

    /// Outside the lines the guard changes, the file is the same, byte for byte.
    @Test(arguments: TerraformSamples.rewritten)
    func onlyTheEditedLinesChange(_ sample: TerraformSamples.Sample) throws {
        let input = try #require(SampleLocations.read(sample.name, sample.input))
        let result = TerraformHost.rewrite(input, as: sample.kind)
        // Split on the bytes: Swift reads CRLF as one character.
        func lines(_ bytes: [UInt8]) -> [Substring] {
            bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { Substring(decoding: $0, as: UTF8.self) }
        }
        let old = lines(input)
        let new = lines(result.output)
        // Every original line is still there, in order, except the writers the guard wraps.
        var cursor = new.startIndex
        for line in old {
            guard let found = new[cursor...].firstIndex(where: { $0 == line || $0.trimmingPrefix(while: \.isWhitespace) == line.trimmingPrefix(while: \.isWhitespace).drop(while: { $0 == "-" || $0 == " " }) }) else {
                Issue.record("\(sample.name): line lost: \(line)")
                return
            }
            cursor = new.index(after: found)
        }
        #expect(!result.editedLines.isEmpty)
    }

    // MARK: What `--check` says

    @Test func theCheckNamesTheWriterWithItsLineInTheTerraformFile() throws {
        let input = try #require(SampleLocations.read("terraform-heredoc", "main.tf"))
        let result = TerraformHost.rewrite(input, as: .configuration, options: RewriteOptions(verifiesOutput: false))
        #expect(result.outcome == .rewritten)
        let text = String(decoding: input, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let writerLine = try #require(text.firstIndex { $0.contains("> imagedefinitions.json") }) + 1
        #expect(result.pendingGuards.map { $0.position?.line } == [writerLine])
        #expect(result.pendingGuards.first?.position?.column == 9)
    }

    @Test func diagnosticsNameTheInterpolationAsWritten() throws {
        let file = """
        resource "aws_codebuild_project" "p" {
          source {
            buildspec = <<EOF
        version: 0.2
        phases:
          build:
            commands:
              - docker push ${var.image}
              - printf '[{"name":"a","imageUri":"%s"}]' ${var.image} > imagedefinitions.json
        EOF
          }
        }
        """
        let result = TerraformHost.rewrite(Array(file.utf8), as: .configuration)
        #expect(result.outcome == .error)
        #expect(result.output == Array(file.utf8))
        let messages = result.diagnostics.filter { $0.severity == .error }.map(\.message).joined()
        #expect(messages.contains("${var.image}"), "\(messages)")
        #expect(!messages.contains("_tf"), "\(messages)")
        // The writer's line: its registry is the interpolation, which the shell cannot read apart.
        #expect(result.diagnostics.first { $0.severity == .error }?.position?.line == 9, "\(result.diagnostics)")
    }

    // MARK: The template scanner

    @Test func templatePartsAndEscapes() throws {
        let text = Array(#"a ${x} $${y} %{ if c ~}b%{~ endif } %%{z} ${lookup(m, "}")} $$ 100%"#.utf8)
        let parts = try HCLTemplate(text, in: 0..<text.count).parts
        let kinds = parts.map { part -> String in
            switch part {
            case .literal(let range): "lit:" + String(decoding: text[range], as: UTF8.self)
            case .escape(let range): "esc:" + String(decoding: text[range], as: UTF8.self)
            case .interpolation(_, let expression): "int:" + expression
            case .directive(_, let keyword): "dir:" + keyword
            }
        }
        #expect(kinds == ["lit:a ", "int:x", "lit: ", "esc:$${", "lit:y} ", "dir:if", "lit:b", "dir:endif", "lit: ", "esc:%%{",
                          "lit:z} ", #"int:lookup(m, "}")"#, "lit: $$ 100%"])
        let template = try HCLTemplate(text, in: 0..<text.count)
        #expect(template.conditionalRanges.count == 1)
    }

    /// Only a file with `${` or `%{` can render other than it reads: the search for a `.tf`
    /// file that renders it starts from this answer.
    @Test func templateSequencesAreFoundAnywhereInTheFile() {
        func holds(_ text: String) -> Bool { TerraformHost.holdsTemplateSequence(Array(text.utf8)) }
        #expect(holds("${x}"))
        #expect(holds("echo %{ if a }"))
        #expect(holds(String(repeating: "{ $ % $HOME {}\n", count: 40) + "tag=${v}"))
        #expect(!holds(""))
        #expect(!holds("{"))
        #expect(!holds("echo $HOME { %} $ {x} % {y}"))
        #expect(!holds("{$"))
    }

    @Test func anUnclosedInterpolationIsAnError() {
        let text = Array("echo ${var.x".utf8)
        #expect(throws: HCLTemplate.ScanError.self) { try HCLTemplate(text, in: 0..<text.count) }
    }

    @Test func insertedTextIsEscaped() {
        #expect(HCLTemplate.escape(#"X="${REPOSITORY_URI#*/}" %{a} $B 100%"#) == #"X="$${REPOSITORY_URI#*/}" %%{a} $B 100%"#)
    }

    // MARK: The configuration scanner

    @Test func findsBuildspecHeredocsOfCodeBuildProjectsOnly() throws {
        let file = #"""
        # resource "aws_codebuild_project" "commented" { source { buildspec = <<EOF
        // buildspec = <<EOF
        /* resource "aws_codebuild_project" "x" {
           source { buildspec = <<EOF } } */
        resource "aws_iam_role_policy" "p" {
          policy = <<EOF
        { "buildspec": "}" }
        EOF
        }
        resource "aws_codebuild_project" "app" {
          description = "a { brace and ${join("}", ["x"])}"
          source {
            buildspec = <<-BUILDSPEC
              version: 0.2
            BUILDSPEC
          }
          secondary_sources {
            source_identifier = "two"
            buildspec = <<EOT
        version: 0.2
        EOT
          }
          secondary_sources {
            buildspec = templatefile("${path.module}/buildspec.yml.tpl", { repo = aws_ecr_repository.app.name })
          }
        }
        data "template_file" "spec" {
          template = file("${path.module}/spec.yml")
        }
        data "template_file" "user_data" {
          template = file("${path.module}/user_data.sh")
        }
        resource "aws_codebuild_project" "other" {
          source {
            buildspec = data.template_file.spec.rendered
          }
        }
        resource "aws_instance" "bastion" {
          user_data = templatefile("${path.module}/bastion.sh.tpl", {})
        }
        """#
        let configuration = try TerraformConfiguration(Array(file.utf8))
        #expect(configuration.buildspecs.map(\.resource) == Array(repeating: "aws_codebuild_project.app", count: 3) + ["aws_codebuild_project.other"])
        #expect(configuration.buildspecs.map(\.block) == ["source", "secondary_sources", "secondary_sources", "source"])
        guard case .heredoc(let first) = configuration.buildspecs[0].value, case .heredoc(let second) = configuration.buildspecs[1].value else {
            Issue.record("the first two are heredocs")
            return
        }
        #expect(first.marker == "BUILDSPEC" && first.indented)
        #expect(second.marker == "EOT" && !second.indented)
        #expect(String(decoding: Array(file.utf8)[second.body], as: UTF8.self) == "version: 0.2\n")
        guard case .expression(_, let function) = configuration.buildspecs[2].value else {
            Issue.record("the third is an expression")
            return
        }
        #expect(function == "templatefile")
        #expect(configuration.heredocs.count == 3)
        #expect(configuration.templateFiles == ["buildspec.yml.tpl", "spec.yml"])
    }

    @Test func anUnclosedHeredocIsAnError() {
        let file = "resource \"aws_codebuild_project\" \"a\" {\n  source {\n    buildspec = <<EOF\nversion: 0.2\n  }\n}\n"
        let result = TerraformHost.rewrite(Array(file.utf8), as: .configuration)
        #expect(result.outcome == .error)
        #expect(result.diagnostics.first?.message.contains("never closes") == true)
        #expect(result.diagnostics.first?.position?.line == 3)
    }

    // MARK: The view

    @Test func theViewStripsIndentationAndMapsBack() throws {
        let raw = Array("    a: ${var.x}\n      b: $${Y} %%{z}\n\n    c\n".utf8)
        let view = try TemplateShellView(raw: raw, body: 0..<raw.count, stripsIndentation: true)
        let text = String(decoding: view.text, as: UTF8.self)
        #expect(text.hasPrefix("a: ${_tf0}\n  b: ${Y} %{z}\n\nc\n"))
        #expect(view.rawOffset(0) == 4)
        // The view's own lines, written back, are the original bytes.
        #expect(try view.rawText(of: view.text[...]) == raw)
        #expect(try view.rawLineStart(ofViewLineAt: 11, in: raw) == 16)
    }

    @Test func theRepositoryOfAnECRURLIsItsName() {
        #expect(TemplateShellView.repositoryName(ofURL: "aws_ecr_repository.app.repository_url") == "aws_ecr_repository.app.name")
        #expect(TemplateShellView.repositoryName(ofURL: "data.aws_ecr_repository.base.repository_url") == "data.aws_ecr_repository.base.name")
        #expect(TemplateShellView.repositoryName(ofURL: "var.repository_url") == nil)
        #expect(TemplateShellView.repositoryName(ofURL: "aws_ecr_repository.app.arn") == nil)
    }

    @Test func fileNamesOfTemplates() {
        #expect(TerraformHost.isTemplateName("buildspec.yml.tpl"))
        #expect(TerraformHost.isTemplateName("Buildspec-deploy.tpl"))
        #expect(TerraformHost.isTemplateName("ci.tftpl"))
        #expect(!TerraformHost.isTemplateName("user_data.tpl"))
        #expect(TerraformConfiguration.fileName("${path.module}/templates/buildspec.yml") == "templates/buildspec.yml")
    }

    // MARK: Execution

    /// The rendered buildspecs, run as CodeBuild runs them: the first run pushes the same
    /// images and deploys nothing; a later run writes what the original writes.
    @Test(arguments: TerraformSamples.rewritten)
    func renderedBuildspecsRunAsCodeBuildRunsThem(_ sample: TerraformSamples.Sample) throws {
        let input = try #require(SampleLocations.read(sample.name, sample.input))
        let expected = try #require(SampleLocations.read(sample.name, sample.expectedName))
        let values = TerraformSamples.values(of: sample)
        let originals = try TerraformSamples.rendered(input, kind: sample.kind, values: values)
        let rewrittens = try TerraformSamples.rendered(expected, kind: sample.kind, values: values)
        #expect(originals.count == rewrittens.count)
        var guarded = 0
        for (original, rewritten) in zip(originals, rewrittens) where original != rewritten {
            let original = try #require(original), rewritten = try #require(rewritten)
            guarded += 1
            let before = try CodeBuildRunner.run(original, filled: [])
            #expect(!before.definitions.isEmpty, "\(sample.name): the original should write image definitions on the first run")
            let first = try CodeBuildRunner.run(rewritten, filled: [])
            #expect(first.definitions.isEmpty, "\(sample.name): the first run still wrote \(first.definitions.keys.sorted())")
            #expect(first.pushed == before.pushed && !first.pushed.isEmpty, "\(sample.name): the rewrite changed what is pushed")
            let originalLater = try CodeBuildRunner.run(original, filled: before.pushed)
            let rewrittenLater = try CodeBuildRunner.run(rewritten, filled: before.pushed)
            #expect(!rewrittenLater.definitions.isEmpty, "\(sample.name): a later run wrote no image definitions")
            #expect(rewrittenLater.definitions == originalLater.definitions, "\(sample.name): a later run wrote other definitions")
        }
        #expect(guarded > 0)
    }
}

/// The rewritten samples against a real HCL parser: `Tests/hcl/check_terraform.py` with
/// python-hcl2 (and `terraform fmt -` where a terraform binary is installed).
@Suite struct TerraformValidationTests {
    static let script = SampleLocations.root.appendingPathComponent("Tests/hcl/check_terraform.py").path

    /// Runs the checker; nil when python-hcl2 is missing outside CI (the test then says so).
    static func check(_ paths: [String]) throws -> (status: Int32, output: String)? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + paths
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let output = String(decoding: data, as: UTF8.self)
        if process.terminationStatus == 3 {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                Issue.record("python-hcl2 is missing on CI: \(output)")
            } else {
                print("TerraformValidationTests: skipped, \(output)")
            }
            return nil
        }
        if output.contains("skipping") { print("TerraformValidationTests: \(output.split(separator: "\n").first ?? "")") }
        return (process.terminationStatus, output)
    }

    @Test func everyRewrittenSampleParsesAndRendersAsTheOriginalPlusTheGuard() throws {
        let pairs = TerraformSamples.rewritten.flatMap { sample in
            [SampleLocations.samples.appendingPathComponent("\(sample.name)/\(sample.input)").path,
             SampleLocations.samples.appendingPathComponent("\(sample.name)/\(sample.expectedName)").path]
        }
        #expect(pairs.count >= 10)
        guard let (status, output) = try Self.check(pairs) else { return }
        #expect(status == 0, "\(output)")
    }

    /// The checker is not blind: an unescaped shell `${...}` and an edit outside the heredocs are caught.
    @Test func theCheckerCatchesBrokenRewrites() throws {
        let sample = try #require(TerraformSamples.rewritten.first { $0.name == "terraform-two-projects" })
        let original = SampleLocations.samples.appendingPathComponent("\(sample.name)/\(sample.input)").path
        let expected = String(decoding: try #require(SampleLocations.read(sample.name, sample.expectedName)), as: UTF8.self)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tf-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let unescaped = folder.appendingPathComponent("unescaped.tf")
        try Data(expected.replacing("$${REPOSITORY_URI#*/}", with: "${REPOSITORY_URI#*/}").utf8).write(to: unescaped)
        let outside = folder.appendingPathComponent("outside.tf")
        try Data(expected.replacing("\"catalog-tests\"", with: "\"catalog-test\"").utf8).write(to: outside)
        guard let (status, output) = try Self.check([original, unescaped.path, original, outside.path]) else { return }
        #expect(status == 1)
        #expect(output.contains("new interpolation ${REPOSITORY_URI#*/}"), "\(output)")
        #expect(output.contains("changed outside its buildspec heredocs"), "\(output)")
    }
}
