import Foundation
import Testing

/// The command line over CloudFormation templates, as a new user meets it: folders searched for
/// templates, diagnostics at the template's own lines, files that are no template left alone.
@Suite struct TemplateCommandLineTests {
    private func folder(_ files: [String: [UInt8]]) throws -> URL {
        let folder = try ToolProcess.temporaryFolder()
        for (path, bytes) in files {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        return folder
    }

    private func read(_ folder: URL, _ path: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: folder.appendingPathComponent(path).path) ?? Data())
    }

    private func sample(_ name: String, _ file: String) throws -> [UInt8] {
        try #require(SampleLocations.read(name, file))
    }

    /// 1-based line of the first line of `bytes` holding `text`.
    private func line(of text: String, in bytes: [UInt8]) throws -> Int {
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return try #require(lines.firstIndex { $0.contains(text) }) + 1
    }

    static let compose = Array("version: \"3.8\"\nservices:\n  web:\n    image: nginx\n".utf8)
    static let workflow = Array("name: ci\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo AWS::CodeBuild::Project\n".utf8)

    @Test func aFolderOfTemplatesIsCheckedAndRewrittenAndNothingElseIsTouched() throws {
        let yaml = try sample("cfn-yaml-block", "template.yaml")
        let json = try sample("cfn-json-sub", "template.json")
        let root = try folder([
            "infra/pipeline.yaml": yaml, "infra/pipeline.json": json, "docker-compose.yml": Self.compose,
            ".github/workflows/ci.yml": Self.workflow, "package.json": Array("{\"name\": \"x\"}\n".utf8),
            "cdk.out/Stack.template.json": json, ".aws-sam/build/template.yaml": yaml,
        ])
        defer { try? FileManager.default.removeItem(at: root) }

        let check = try ToolProcess.run(["--check", "."], in: root)
        #expect(check.status == 1)
        let writerLine = try line(of: "> images.json", in: yaml)
        #expect(check.standardError.contains("infra/pipeline.yaml:\(writerLine):19: error: `images.json` is written even when"), "\(check.standardError)")
        #expect(check.standardError.contains("infra/pipeline.json:22:"), "\(check.standardError)")
        #expect(check.standardError.contains("infra/pipeline.json:39:"), "\(check.standardError)")
        #expect(!check.standardError.contains("cdk.out") && !check.standardError.contains(".aws-sam"))
        #expect(!check.standardError.contains("docker-compose") && !check.standardError.contains("ci.yml") && !check.standardError.contains("package.json"))
        #expect(check.standardError.contains("2 files: 2 need the guard, 0 without definitions, 0 already guarded, 0 errors"), "\(check.standardError)")

        let diff = try ToolProcess.run(["--diff", "infra"], in: root)
        #expect(diff.status == 0)
        #expect(diff.standardOutput.contains("+++ b/infra/pipeline.yaml") && diff.standardOutput.contains("+++ b/infra/pipeline.json"))

        let rewrite = try ToolProcess.run(["."], in: root)
        #expect(rewrite.status == 0, "\(rewrite.standardError)")
        #expect(read(root, "infra/pipeline.yaml") == (try sample("cfn-yaml-block", "expected.yaml")))
        #expect(read(root, "infra/pipeline.json") == (try sample("cfn-json-sub", "expected.json")))
        #expect(read(root, "docker-compose.yml") == Self.compose)
        #expect(read(root, ".github/workflows/ci.yml") == Self.workflow)
        #expect(read(root, "cdk.out/Stack.template.json") == json)
        #expect(read(root, ".aws-sam/build/template.yaml") == yaml)

        let report = try ToolProcess.run(["--check", "--report", "json", "."], in: root)
        #expect(report.status == 0)
        #expect(report.standardOutput.contains("\"path\" : \"infra/pipeline.yaml\"") || report.standardOutput.contains("\"path\":\"infra/pipeline.yaml\""),
                "\(report.standardOutput)")
    }

    /// Terraform templates are read with their interpolations (the query names `${repo}`, which
    /// renders the repository's name); a `.tf` file that is not HCL is refused, unchanged.
    @Test func terraformFilesAreReadAsTerraform() throws {
        let template = Array("version: 0.2\nphases:\n  build:\n    commands:\n      - docker push ${account}.dkr.ecr.${region}.amazonaws.com/${repo}:latest\n      - printf '[{\"name\":\"web\",\"imageUri\":\"%s\"}]' x > imagedefinitions.json\n".utf8)
        let root = try folder(["buildspec.yml.tpl": template, "main.tf": template, "b.tftpl": template])
        defer { try? FileManager.default.removeItem(at: root) }
        for name in ["buildspec.yml.tpl", "b.tftpl"] {
            let run = try ToolProcess.run([name], in: root)
            #expect(run.status == 0, "\(run.standardError)")
            let text = String(decoding: read(root, name), as: UTF8.self)
            #expect(text.contains("--repository-name \"${repo}\""), "\(text)")
            #expect(text.contains("docker push ${account}.dkr.ecr.${region}.amazonaws.com/${repo}:latest"), "\(text)")
        }
        let run = try ToolProcess.run(["main.tf"], in: root)
        #expect(run.status == 2)
        #expect(run.standardError.contains("main.tf:1:8: error: cannot read this Terraform file"), "\(run.standardError)")
        #expect(read(root, "main.tf") == template)
    }

    /// A folder search finds a module's `.tf` files and templates; `.terraform/` is skipped.
    @Test func aFolderSearchFindsTerraformModules() throws {
        let configuration = try sample("terraform-heredoc", "main.tf")
        let root = try folder(["infra/main.tf": configuration, "infra/.terraform/modules/app/main.tf": configuration,
                               "infra/variables.tf": Array("variable \"region\" {}\n".utf8),
                               "infra/deploy.tftpl": try sample("terraform-tftpl", "buildspec.tftpl")])
        defer { try? FileManager.default.removeItem(at: root) }
        let check = try ToolProcess.run(["--check", "."], in: root)
        #expect(check.status == 1)
        #expect(check.standardError.contains("infra/main.tf:42:9: error: `imagedefinitions.json` is written even when"), "\(check.standardError)")
        #expect(check.standardError.contains("infra/deploy.tftpl:19:9: error:"), "\(check.standardError)")
        #expect(!check.standardError.contains(".terraform"), "\(check.standardError)")
        #expect(!check.standardError.contains("variables.tf"), "\(check.standardError)")
        let run = try ToolProcess.run(["."], in: root)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(read(root, "infra/main.tf") == (try sample("terraform-heredoc", "expected.tf")))
        #expect(read(root, "infra/deploy.tftpl") == (try sample("terraform-tftpl", "expected.tftpl")))
        #expect(read(root, "infra/.terraform/modules/app/main.tf") == configuration)
    }

    /// The hooks hand over every `.tf` and `.tpl`: those without a CodeBuild project pass quietly.
    @Test func hooksSkipTerraformFilesWithoutABuildspec() throws {
        let variables = Array("variable \"region\" {\n  default = \"us-east-1\"\n}\n".utf8)
        let userData = Array("#!/bin/sh\necho ${greeting} > /etc/motd\n".utf8)
        let root = try folder(["variables.tf": variables, "user_data.tpl": userData, "main.tf": try sample("terraform-heredoc", "main.tf")])
        defer { try? FileManager.default.removeItem(at: root) }
        let skipped = try ToolProcess.run(["--ignore-unrelated", "variables.tf", "user_data.tpl"], in: root)
        #expect(skipped.status == 0 && skipped.standardError.isEmpty && skipped.standardOutput.isEmpty, "\(skipped.standardError)")
        let checked = try ToolProcess.run(["--check", "--ignore-unrelated", "variables.tf", "user_data.tpl", "main.tf"], in: root)
        #expect(checked.status == 1)
        #expect(checked.standardError.contains("main.tf:42:9: error:"), "\(checked.standardError)")
        #expect(read(root, "variables.tf") == variables && read(root, "user_data.tpl") == userData)
    }

    @Test func hooksSkipNamedFilesThatAreNeitherTemplatesNorBuildspecs() throws {
        let root = try folder(["docker-compose.yml": Self.compose, "ci.yml": Self.workflow, "pipeline.yaml": try sample("cfn-yaml-block", "template.yaml")])
        defer { try? FileManager.default.removeItem(at: root) }
        let skipped = try ToolProcess.run(["--ignore-unrelated", "docker-compose.yml", "ci.yml"], in: root)
        #expect(skipped.status == 0 && skipped.standardError.isEmpty && skipped.standardOutput.isEmpty, "\(skipped.standardError)")
        // Without the option a named file is a buildspec, handled strictly.
        #expect(try ToolProcess.run(["docker-compose.yml"], in: root).status == 2)
        let check = try ToolProcess.run(["--check", "--ignore-unrelated", "docker-compose.yml", "pipeline.yaml"], in: root)
        #expect(check.status == 1)
        #expect(read(root, "docker-compose.yml") == Self.compose)
    }

    @Test func aBuildSpecNamingAFileIsANoteOnlyWithVerbose() throws {
        let root = try folder(["pipeline.yaml": try sample("cfn-yaml-two-projects", "template.yaml")])
        defer { try? FileManager.default.removeItem(at: root) }
        let quiet = try ToolProcess.run(["--check", "pipeline.yaml"], in: root)
        #expect(quiet.status == 1 && !quiet.standardError.contains("note:"))
        let verbose = try ToolProcess.run(["--check", "--verbose", "pipeline.yaml"], in: root)
        #expect(verbose.standardError.contains("pipeline.yaml:61:20: note: `ReleaseProject`'s Source.BuildSpec names the file `buildspec-prod.yml`"), "\(verbose.standardError)")
    }

    @Test func aRefusedProjectIsAnErrorWhileTheOthersAreGuarded() throws {
        let good = String(decoding: try sample("cfn-yaml-block", "template.yaml"), as: UTF8.self)
        // A second project whose BuildSpec is a one-line quoted string that writes definitions.
        let refused = """
          QuotedProject:
            Type: AWS::CodeBuild::Project
            Properties:
              Source:
                Type: NO_SOURCE
                BuildSpec: "version: 0.2\\nphases:\\n  build:\\n    commands:\\n      - printf x > imagedefinitions.json\\n"

        """
        let text = good.replacing("Outputs:", with: refused + "Outputs:")
        let root = try folder(["pipeline.yaml": Array(text.utf8)])
        defer { try? FileManager.default.removeItem(at: root) }
        let run = try ToolProcess.run(["pipeline.yaml"], in: root)
        #expect(run.status == 2)
        #expect(run.standardError.contains("`QuotedProject`'s Source.BuildSpec is a one-line quoted string"), "\(run.standardError)")
        #expect(String(decoding: read(root, "pipeline.yaml"), as: UTF8.self).contains("aws ecr list-images"))
    }
}
