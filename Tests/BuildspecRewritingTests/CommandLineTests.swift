import Foundation
import Testing
@testable import rewrite_buildspec

/// The command line as users and scripts meet it: exit codes, modes, discovery, safe writes.
@Suite struct CommandLineTests {
    static let unguarded = """
    version: 0.2
    phases:
      post_build:
        commands:
          - docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:$TAG
          - printf '[{"name":"web","imageUri":"%s"}]' 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:$TAG > imagedefinitions.json
    artifacts:
      files: imagedefinitions.json

    """

    private func folder(_ files: [String: String]) throws -> URL {
        let folder = try ToolProcess.temporaryFolder()
        for (path, text) in files {
            let url = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return folder
    }

    private func read(_ folder: URL, _ path: String) -> String {
        String(decoding: FileManager.default.contents(atPath: folder.appendingPathComponent(path).path) ?? Data(), as: UTF8.self)
    }

    @Test func exitCodes() throws {
        let root = try folder(["buildspec.yml": Self.unguarded, "bad/buildspec.yml": "version: 0.2\nphases:\n\tbuild: {}\n"])
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(try ToolProcess.run(["--check", "buildspec.yml"], in: root).status == 1)
        #expect(try ToolProcess.run(["buildspec.yml"], in: root).status == 0)
        #expect(try ToolProcess.run(["--check", "buildspec.yml"], in: root).status == 0)
        #expect(try ToolProcess.run(["buildspec.yml"], in: root).status == 0)
        let invalid = try ToolProcess.run(["bad/buildspec.yml"], in: root)
        #expect(invalid.status == 2)
        #expect(invalid.standardError.contains("bad/buildspec.yml:3:1: error: invalid YAML"))
        #expect(try ToolProcess.run(["--no-such-option"], in: root).status == 64)
        #expect(try ToolProcess.run(["--check", "--diff"], in: root).status == 64)
        #expect(try ToolProcess.run(["missing.yml"], in: root).status == 2)
    }

    @Test(arguments: ["a;b", "a b", "web\nrm -rf /", "'web'", "Web", "$(id)", "`id`", "web\"", "", "a//b"])
    func unsafeRepositoryNamesAreRefusedBeforeAnyFileIsRead(_ name: String) throws {
        let root = try folder(["buildspec.yml": Self.unguarded])
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try ToolProcess.run(["--repository-name", name, "buildspec.yml", "does-not-exist.yml"], in: root)
        #expect(result.status == 64)
        #expect(result.standardError.contains("--repository-name"))
        #expect(!result.standardError.contains("does-not-exist"))
        #expect(read(root, "buildspec.yml") == Self.unguarded)
    }

    @Test func repositoryNameOverridesTheReference() throws {
        let root = try folder(["buildspec.yml": Self.unguarded])
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(try ToolProcess.run(["--repository-name", "$IMAGE_REPO_NAME", "buildspec.yml"], in: root).status == 0)
        #expect(read(root, "buildspec.yml").contains("--repository-name \"$IMAGE_REPO_NAME\" --max-items 1"))
    }

    @Test func registryIdOverridesTheAccountOfTheReference() throws {
        let root = try folder(["buildspec.yml": Self.unguarded])
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(try ToolProcess.run(["--registry-id", "$ECR_ACCOUNT_ID", "buildspec.yml"], in: root).status == 0)
        #expect(read(root, "buildspec.yml").contains("--repository-name web --registry-id \"$ECR_ACCOUNT_ID\" --region us-east-1 --max-items 1"))
        let named = try folder(["buildspec.yml": Self.unguarded])
        defer { try? FileManager.default.removeItem(at: named) }
        #expect(try ToolProcess.run(["--repository-name", "shop/web", "--registry-id", "111122223333", "buildspec.yml"], in: named).status == 0)
        #expect(read(named, "buildspec.yml").contains("--repository-name shop/web --registry-id 111122223333 --max-items 1"))
    }

    @Test(arguments: ["1234", "a;b", "$(id)", "12345678901x", ""])
    func unsafeRegistryIdsAreRefusedBeforeAnyFileIsRead(_ account: String) throws {
        let root = try folder(["buildspec.yml": Self.unguarded])
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try ToolProcess.run(["--registry-id", account, "buildspec.yml"], in: root)
        #expect(result.status == 64)
        #expect(result.standardError.contains("--registry-id"))
        #expect(read(root, "buildspec.yml") == Self.unguarded)
    }

    @Test func aLookAlikeJSONIsNeitherRewrittenNorReported() throws {
        let root = try ToolProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let input = try #require(SampleLocations.read("docker-image-uri-look-alike", "buildspec.yml"))
        try Data(input).write(to: root.appendingPathComponent("buildspec.yml"))
        let check = try ToolProcess.run(["--check", "buildspec.yml"], in: root)
        #expect(check.status == 0, "\(check.standardError)")
        #expect(!check.standardError.contains("error"))
        #expect(try ToolProcess.run(["buildspec.yml"], in: root).status == 0)
        #expect(FileManager.default.contents(atPath: root.appendingPathComponent("buildspec.yml").path).map(Array.init) == input)
    }

    @Test func checkNamesTheFileLineAndReason() throws {
        let root = try folder(["buildspec.yml": Self.unguarded])
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try ToolProcess.run(["--check", "."], in: root)
        #expect(result.status == 1)
        #expect(result.standardError.contains("buildspec.yml:6:9: error: `imagedefinitions.json` is written even when"))
        #expect(read(root, "buildspec.yml") == Self.unguarded)
    }

    @Test(arguments: ["aws-tutorial", "crlf", "no-final-newline", "bom", "comments-everywhere"])
    func diffAppliesWithGitApply(_ sample: String) throws {
        let input = try #require(SampleLocations.read(sample, "buildspec.yml"))
        let expected = try #require(SampleLocations.read(sample, "expected.yml"))
        let root = try ToolProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        try Data(input).write(to: root.appendingPathComponent("buildspec.yml"))
        let diff = try ToolProcess.run(["--diff", "buildspec.yml"], in: root)
        #expect(diff.status == 0)
        #expect(FileManager.default.contents(atPath: root.appendingPathComponent("buildspec.yml").path).map(Array.init) == input)
        try Data(diff.standardOutput.utf8).write(to: root.appendingPathComponent("change.diff"))
        let git = Process()
        git.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        git.arguments = ["apply", "--whitespace=nowarn", "change.diff"]
        git.currentDirectoryURL = root
        try git.run()
        git.waitUntilExit()
        #expect(git.terminationStatus == 0)
        #expect(FileManager.default.contents(atPath: root.appendingPathComponent("buildspec.yml").path).map(Array.init) == expected)
    }

    @Test func standardInputToStandardOutput() throws {
        let result = try ToolProcess.run(["-"], input: Array(Self.unguarded.utf8))
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("REPOSITORY_IMAGES=$(aws ecr list-images --repository-name web --registry-id 123456789012 --region us-east-1 --max-items 1)"))
        let check = try ToolProcess.run(["--check", "-"], input: Array(Self.unguarded.utf8))
        #expect(check.status == 1)
        #expect(check.standardOutput.isEmpty)
    }

    @Test func foldersAreSearchedForBuildspecsOnly() throws {
        let root = try folder([
            "buildspec.yml": Self.unguarded,
            "services/api/buildspec-prod.yaml": Self.unguarded,
            "services/api/BuildSpec_ecs.yml": Self.unguarded,
            "config/app.yml": Self.unguarded,
            ".git/buildspec.yml": Self.unguarded,
            "node_modules/x/buildspec.yml": Self.unguarded,
            "renamed.yml": Self.unguarded,
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try ToolProcess.run(["."], in: root)
        #expect(result.status == 0)
        #expect(result.standardOutput.split(separator: "\n").sorted() == [
            "buildspec.yml", "services/api/BuildSpec_ecs.yml", "services/api/buildspec-prod.yaml",
        ])
        for untouched in ["config/app.yml", ".git/buildspec.yml", "node_modules/x/buildspec.yml", "renamed.yml"] {
            #expect(read(root, untouched) == Self.unguarded, "\(untouched)")
        }
        // A file named explicitly is read whatever its name.
        #expect(try ToolProcess.run(["renamed.yml"], in: root).standardOutput == "renamed.yml\n")
    }

    @Test func pathsFromAList() throws {
        let root = try folder([
            "a/buildspec.yml": Self.unguarded,
            "b/buildspec.yml": Self.unguarded,
            "c/buildspec.yml": "version: 0.2\nphases:\n  build:\n    commands:\n      - make\n",
            "list.txt": "a/buildspec.yml\nc/buildspec.yml\r\n\n",
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        // One a line (CRLF too, blank lines skipped), and only what the list names.
        let check = try ToolProcess.run(["--check", "--files-from", "list.txt"], in: root)
        #expect(check.status == 1)
        #expect(check.standardError.contains("a/buildspec.yml:6:9: error:"))
        #expect(!check.standardError.contains("b/buildspec.yml"))
        #expect(check.standardError.contains("2 files: 1 need the guard, 1 without definitions"))
        // NUL-separated from standard input (`find -print0`), with a path on the command line too.
        let rewrite = try ToolProcess.run(["--files-from", "-", "c"], in: root, input: Array("b/buildspec.yml\0a/buildspec.yml\0".utf8))
        #expect(rewrite.status == 0)
        #expect(rewrite.standardOutput == "a/buildspec.yml\nb/buildspec.yml\n")
        let missing = try ToolProcess.run(["--files-from", "nothing.txt"], in: root)
        #expect(missing.status == 2)
        #expect(missing.standardError.contains("nothing.txt: error: cannot read the list of files (No such file or directory)"))
        #expect(try ToolProcess.run(["--files-from", "list.txt", "-"], in: root).status == 64)
    }

    @Test func outputIsInPathOrderWhileTheSearchRuns() throws {
        // `-` and `.` sort before `/`: a folder's files come after `a-b/` and `a.c/`.
        let names = ["a/buildspec.yml", "a-b/buildspec.yml", "a.c/buildspec.yml", "a b/buildspec.yml", "b/x/y/buildspec.yml",
                     "buildspec.yml", "a/buildspec-prod.yml"]
        let root = try folder(Dictionary(uniqueKeysWithValues: names.map { ($0, Self.unguarded) }))
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("a/q/buildspec.yml"), withIntermediateDirectories: true)
        let expected = (names + ["a/q/buildspec.yml"]).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for jobs in ["1", "2", "5"] {
            let result = try ToolProcess.run(["--check", "--jobs", jobs, "."], in: root)
            let paths = result.standardError.split(separator: "\n").compactMap { $0.split(separator: ":").first.map(String.init) }
            #expect(Array(paths.dropLast()) == expected, "--jobs \(jobs)")
            #expect(result.standardError.contains("a/q/buildspec.yml: error: is a folder"))
        }
    }

    @Test func aFileReachedTwiceIsHandledOnce() throws {
        let root = try folder(["a/buildspec.yml": Self.unguarded])
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("b").path, withDestinationPath: "a")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("c.yml").path, withDestinationPath: "a/buildspec.yml")
        // Through two roots, a `./` path, a link to the file and a link to its folder.
        let result = try ToolProcess.run(["--check", "--follow-symlinks", "a", "a/buildspec.yml", "./a", "c.yml", "b"], in: root)
        #expect(result.status == 1)
        #expect(result.standardError.components(separatedBy: "error:").count == 2, "\(result.standardError)")
        #expect(result.standardError.hasPrefix("a/buildspec.yml:6:9: error:"))
    }

    @Test func oneBadFileDoesNotStopTheOthers() throws {
        let root = try folder([
            "a/buildspec.yml": Self.unguarded,
            "b/buildspec.yml": "version: 0.2\nphases: [\n",
            "c/buildspec.yml": Self.unguarded,
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(at: root.appendingPathComponent("d/buildspec.yml"), withIntermediateDirectories: true)
        let result = try ToolProcess.run(["a/buildspec.yml", "b/buildspec.yml", "c/buildspec.yml", "d/buildspec.yml"], in: root)
        #expect(result.status == 2)
        #expect(result.standardOutput == "a/buildspec.yml\nc/buildspec.yml\n")
        #expect(result.standardError.contains("b/buildspec.yml:"))
        #expect(result.standardError.contains("d/buildspec.yml: error: is a folder"))
        #expect(read(root, "b/buildspec.yml") == "version: 0.2\nphases: [\n")
    }

    @Test func aFiftyMegabyteFileGetsACorrectAnswer() throws {
        let root = try ToolProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        var text = "version: 0.2\nphases:\n  build:\n    commands:\n"
        let line = "      - echo building part NUMBER of the service with a long enough line of text to fill the file\n"
        var number = 0
        while text.utf8.count < 50_000_000 {
            text += line.replacing("NUMBER", with: String(number))
            number += 1
        }
        text += "      - docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1\n"
        text += "      - printf x > imagedefinitions.json\n"
        try Data(text.utf8).write(to: root.appendingPathComponent("buildspec.yml"))
        let result = try ToolProcess.run(["--check", "buildspec.yml"], in: root)
        #expect(result.status == 1)
        #expect(result.standardError.contains("buildspec.yml:\(number + 6):9: error: `imagedefinitions.json` is written"))
    }

    @Test func jsonReport() throws {
        let root = try folder([
            "a/buildspec.yml": Self.unguarded, "b/buildspec.yml": "version: 9\n", "c/buildspec.yml": "version: 0.2\nphases: {}\n",
        ])
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try ToolProcess.run(["--check", "--report", "json", "."], in: root)
        #expect(result.status == 2)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        #expect(report["schemaVersion"] as? Int == 2)
        let files = try #require(report["files"] as? [[String: Any]])
        #expect(files.map { $0["outcome"] as? String } == ["would-rewrite", "error", "no-definitions-writer"])
        #expect(files[0]["editedLines"] as? [Int] == [5, 6])
        // Every diagnostic names its rule: the pending writer and the unsupported version.
        let rules = files.map { ($0["diagnostics"] as? [[String: Any]] ?? []).map { "\($0["rule"] ?? "-") \($0["ruleName"] ?? "-")" } }
        #expect(rules == [["RB001 unguarded-definitions-writer"], ["RB105 unsupported-version"], []])
        let summary = try #require(report["summary"] as? [String: Int])
        #expect(summary == ["files": 3, "rewritten": 0, "wouldRewrite": 1, "alreadyGuarded": 0, "noDefinitionsWriter": 1, "ignored": 0, "errors": 1, "ignoredWriters": 0])
    }

    @Test func permissionsAreKeptAndLinksWrittenThrough() throws {
        let root = try folder(["real/buildspec.yml": Self.unguarded])
        defer { try? FileManager.default.removeItem(at: root) }
        let real = root.appendingPathComponent("real/buildspec.yml")
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: real.path)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("buildspec.yml").path, withDestinationPath: "real/buildspec.yml")
        #expect(try ToolProcess.run(["buildspec.yml"], in: root).status == 0)
        let link = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent("buildspec.yml").path)
        #expect(link[.type] as? FileAttributeType == .typeSymbolicLink)
        #expect(read(root, "real/buildspec.yml").contains("aws ecr list-images"))
        let attributes = try FileManager.default.attributesOfItem(atPath: real.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o640)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("real").path)
        #expect(leftovers == ["buildspec.yml"])
    }

    @Test func aFileChangedBetweenReadAndWriteIsLeftAlone() throws {
        let root = try folder(["buildspec.yml": "changed by someone else\n"])
        defer { try? FileManager.default.removeItem(at: root) }
        let path = root.appendingPathComponent("buildspec.yml").path
        #expect(throws: AtomicFileWriter.Failure.self) {
            try AtomicFileWriter.replace(path, with: Array("new".utf8), expected: Array(Self.unguarded.utf8))
        }
        #expect(read(root, "buildspec.yml") == "changed by someone else\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path) == ["buildspec.yml"])
    }

    @Test(.enabled(if: getuid() == 0, "needs root to switch to another user"))
    func unreadableFilesAndReadOnlyFoldersAreReportedUnchanged() throws {
        let root = try folder(["locked/buildspec.yml": Self.unguarded, "readonly/buildspec.yml": Self.unguarded])
        defer { try? FileManager.default.removeItem(at: root) }
        let manager = FileManager.default
        try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root.path)
        try manager.setAttributes([.posixPermissions: 0o000], ofItemAtPath: root.appendingPathComponent("locked/buildspec.yml").path)
        // A folder the user cannot write to: no temporary file can be made next to the file.
        try manager.setAttributes([.ownerAccountID: 65534], ofItemAtPath: root.appendingPathComponent("readonly/buildspec.yml").path)
        try manager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: root.appendingPathComponent("readonly").path)
        let locked = try ToolProcess.run(["locked/buildspec.yml"], in: root, asUser: 65534)
        #expect(locked.status == 2)
        #expect(locked.standardError.contains("locked/buildspec.yml: error: cannot read the file"))
        let readonly = try ToolProcess.run(["readonly/buildspec.yml"], in: root, asUser: 65534)
        #expect(readonly.status == 2)
        #expect(readonly.standardError.contains("cannot create a temporary file"))
        #expect(read(root, "readonly/buildspec.yml") == Self.unguarded)
        try manager.setAttributes([.posixPermissions: 0o644], ofItemAtPath: root.appendingPathComponent("locked/buildspec.yml").path)
        #expect(read(root, "locked/buildspec.yml") == Self.unguarded)
    }

    @Test(.enabled(if: getuid() == 0, "needs root to mount a small file system"))
    func aFullDiskLeavesTheOriginalIntact() throws {
        let root = try ToolProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=8k", "tmpfs", root.path]
        try mount.run()
        mount.waitUntilExit()
        try #require(mount.terminationStatus == 0, "mount -t tmpfs failed")
        defer {
            let unmount = Process()
            unmount.executableURL = URL(fileURLWithPath: "/bin/umount")
            unmount.arguments = [root.path]
            try? unmount.run()
            unmount.waitUntilExit()
        }
        // Fill the 8 KiB file system with the buildspec and ballast, so the new file cannot fit.
        let original = Array(Self.unguarded.utf8)
        try Data(original).write(to: root.appendingPathComponent("buildspec.yml"))
        _ = FileManager.default.createFile(atPath: root.appendingPathComponent("ballast").path, contents: nil)
        let ballast = try FileHandle(forWritingTo: root.appendingPathComponent("ballast"))
        while (try? ballast.write(contentsOf: Data(repeating: 0, count: 512))) != nil {}
        try? ballast.close()
        let result = try ToolProcess.run(["buildspec.yml"], in: root)
        #expect(result.status == 2)
        #expect(result.standardError.contains("the file is unchanged"))
        #expect(FileManager.default.contents(atPath: root.appendingPathComponent("buildspec.yml").path).map(Array.init) == original)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() == ["ballast", "buildspec.yml"])
    }
}
