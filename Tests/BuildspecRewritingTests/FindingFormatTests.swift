import Foundation
import Testing

/// `--format github` and `--format sarif` as CI reads them, `text` on a terminal, and paths
/// relative to the working folder.
@Suite struct FindingFormatTests {
    static let unguarded = CommandLineTests.unguarded

    /// Two files, with a path and a message that hold every character GitHub escapes: the
    /// folder's name has `%`, `,` and `:`; the duplicate key's message has `%`, CR and LF.
    static func awkwardFolder() throws -> URL {
        let root = try ToolProcess.temporaryFolder()
        let files = [
            "we%ird,na:me/buildspec.yml": unguarded,
            "dup/buildspec.yml": "version: 0.2\nphases: {}\n\"k%\\r\\ny\": 1\n\"k%\\r\\ny\": 2\n",
        ]
        for (path, text) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return root
    }

    /// GitHub's unescaping, the inverse of its documented escaping: `%25`, `%0D`, `%0A` in the
    /// message; also `%3A` and `%2C` in a property.
    static func unescaped(_ text: String, property: Bool) -> String {
        var pairs = [("%0D", "\r"), ("%0A", "\n")]
        if property { pairs += [("%3A", ":"), ("%2C", ",")] }
        var result = text
        for (escaped, character) in pairs { result = result.replacingOccurrences(of: escaped, with: character) }
        return result.replacingOccurrences(of: "%25", with: "%")
    }

    @Test func githubAnnotationsAreEscapedAsGitHubDocuments() throws {
        let root = try Self.awkwardFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try ToolProcess.run(["--check", "--format", "github", "--report", "json", "--report-file", "report.json", "."], in: root)
        #expect(result.status == 2)
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("report.json"))) as? [String: Any]
        let files = try #require(report?["files"] as? [[String: Any]])
        // What each line must say, from the report: file, line, column, rule, message and fix.
        var expected: [[String: String]] = []
        for file in files {
            for diagnostic in file["diagnostics"] as? [[String: Any]] ?? [] {
                let message = diagnostic["message"] as! String
                let text = (diagnostic["fix"] as? String).map { message + "; " + $0 } ?? message
                expected.append([
                    "command": diagnostic["severity"] as! String == "note" ? "notice" : diagnostic["severity"] as! String,
                    "file": (file["path"] as! String).replacingOccurrences(of: "./", with: ""), "line": "\(diagnostic["line"]!)", "col": "\(diagnostic["column"]!)",
                    "title": "\(diagnostic["rule"]!) \(diagnostic["ruleName"]!)", "message": text + " [\(diagnostic["rule"]!)]",
                ])
            }
        }
        #expect(expected.count == 2)
        #expect(expected.contains { $0["message"]!.contains("\r\n") && $0["message"]!.contains("%") }, "the test needs CR, LF and % in a message")
        #expect(expected.contains { $0["file"] == "we%ird,na:me/buildspec.yml" })

        let lines = result.standardOutput.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(lines.count == expected.count)
        for (line, want) in zip(lines, expected) {
            #expect(!line.contains("\r"), "a raw CR would end the command early: \(line.debugDescription)")
            // `::command properties::message`: the first `::` after the properties ends them,
            // so neither the properties nor the command may hold a raw `:`.
            let match = try #require(line.wholeMatch(of: /::(error|warning|notice) ([^:]*)::(.*)/), "\(line)")
            #expect(String(match.1) == want["command"])
            var properties: [String: String] = [:]
            for pair in match.2.split(separator: ",") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                #expect(parts.count == 2, "\(pair)")
                properties[parts[0]] = Self.unescaped(parts[1], property: true)
            }
            #expect(properties == ["file": want["file"]!, "line": want["line"]!, "col": want["col"]!, "title": want["title"]!], "\(line)")
            let message = String(match.3)
            #expect(!message.contains(where: { $0 == "\n" || $0 == "\r" }))
            #expect(message.replacingOccurrences(of: "%25", with: "").replacingOccurrences(of: "%0D", with: "")
                .replacingOccurrences(of: "%0A", with: "").contains("%") == false, "an unescaped % in \(message)")
            #expect(Self.unescaped(message, property: false) == want["message"], "\(line)")
        }
        // The report and the console findings both came out.
        #expect(result.standardError.contains("2 files: 1 need the guard"))
    }

    @Test func formatsThatTakeStandardOutputRefuseWhatElseWouldGoThere() throws {
        let root = try Self.awkwardFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        for arguments in [["--diff", "--format", "sarif"], ["--diff", "--format", "github"], ["--report", "json", "--format", "sarif"],
                          ["--format", "bogus"]] {
            #expect(try ToolProcess.run(arguments + ["."], in: root).status == 64, "\(arguments)")
        }
        #expect(try ToolProcess.run(["--format", "sarif", "-"], in: root, input: Array(Self.unguarded.utf8)).status == 64)
        let piped = try ToolProcess.run(["--check", "--format", "github", "-"], in: root, input: Array(Self.unguarded.utf8))
        #expect(piped.status == 1)
        #expect(piped.standardOutput.hasPrefix("::error line=6,col=9,title=RB001 unguarded-definitions-writer::"))
    }

    /// A rewrite run prints its findings in the format too, and the changed paths stay out of
    /// the SARIF log on standard output.
    @Test func aRewriteRunPrintsSARIFWithTheChangedPathsOnStandardError() throws {
        let root = try Self.awkwardFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let result = try ToolProcess.run(["--format", "sarif", "."], in: root)
        #expect(result.status == 2)
        let log = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
        let results = (log["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]] ?? []
        #expect(results.map { $0["ruleId"] as? String } == ["RB103"])
        #expect(result.standardError.contains("we%ird,na:me/buildspec.yml\n"))
    }

    /// The severity is coloured on a terminal (`script` gives the tool one) unless NO_COLOR is
    /// set; through a pipe it never is.
    @Test func textColoursTheSeverityOnlyOnATerminal() throws {
        let root = try Self.awkwardFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let tool = ToolProcess.executable.path
        func onTerminal(_ environment: String) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", "\(environment) '\(tool)' --check we*", "/dev/null"]
            process.currentDirectoryURL = root
            let output = Pipe()
            process.standardOutput = output
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }
        let coloured = try onTerminal("env -u NO_COLOR TERM=xterm")
        #expect(coloured.contains("\u{1B}[1;31merror:\u{1B}[0m `imagedefinitions.json` is written"), "\(coloured.debugDescription)")
        #expect(!(try onTerminal("env NO_COLOR=1 TERM=xterm")).contains("\u{1B}["))
        #expect(!(try ToolProcess.run(["--check", "."], in: root)).standardError.contains("\u{1B}["))
    }

    /// An absolute path inside the working folder is named relative to it, so `git apply` there
    /// takes the diff.
    @Test func diffNamesPathsRelativeToTheWorkingFolder() throws {
        let root = try ToolProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let file = root.appendingPathComponent("svc/buildspec.yml")
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(Self.unguarded.utf8).write(to: file)
        let real = root.resolvingSymlinksInPath()
        let result = try ToolProcess.run(["--diff", real.appendingPathComponent("svc/buildspec.yml").path], in: real)
        #expect(result.standardOutput.hasPrefix("--- a/svc/buildspec.yml\n+++ b/svc/buildspec.yml\n"), "\(result.standardOutput)")
        let patch = real.appendingPathComponent("change.patch")
        try Data(result.standardOutput.utf8).write(to: patch)
        let apply = Process()
        apply.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        apply.arguments = ["git", "apply", "change.patch"]
        apply.currentDirectoryURL = real
        try apply.run()
        apply.waitUntilExit()
        #expect(apply.terminationStatus == 0)
        #expect(String(decoding: try Data(contentsOf: file), as: UTF8.self).contains("aws ecr list-images"))
    }
}

/// An ignored writer through the command line: unchanged by `--check` and by a rewrite,
/// reported as ignored in every format and counted in the summary.
@Suite struct IgnoredWriterCommandLineTests {
    @Test func anIgnoredWriterStaysUnchangedAndIsCounted() throws {
        let root = try ToolProcess.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let only = try #require(SampleLocations.read("ignore-comment-only", "buildspec.yml"))
        let mixed = try #require(SampleLocations.read("ignore-comment", "buildspec.yml"))
        for (path, bytes) in [("only/buildspec.yml", only), ("mixed/buildspec.yml", mixed)] {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        let alone = try ToolProcess.run(["--check", "only"], in: root)
        #expect(alone.status == 0, "nothing pending: \(alone.standardError)")
        #expect(alone.standardError.contains("only/buildspec.yml:10:9: note: ") && alone.standardError.contains("[RB002]"))
        #expect(!alone.standardError.contains("RB001]"))

        let check = try ToolProcess.run(["--check", "--report", "json", "--report-file", "report.json", "only", "mixed"], in: root)
        #expect(check.status == 1)
        #expect(check.standardError.contains("2 files: 1 need the guard, 0 without definitions, 0 already guarded, 3 writers ignored, 0 errors"))
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("report.json"))) as? [String: Any]
        let files = try #require(report?["files"] as? [[String: Any]])
        #expect(files.map { $0["outcome"] as? String } == ["would-rewrite", "ignored"])
        let summary = try #require(report?["summary"] as? [String: Int])
        #expect(summary["ignored"] == 1 && summary["ignoredWriters"] == 3)

        let github = try ToolProcess.run(["--check", "--format", "github", "only"], in: root)
        #expect(github.standardOutput == "::notice file=only/buildspec.yml,line=10,col=9,title=RB002 ignored-definitions-writer::"
            + "`imagedefinitions.json` is left without the first-run guard, as `# rewrite-buildspec%3A ignore RB001` asks [RB002]\n"
            .replacingOccurrences(of: "%3A", with: ":"))

        let rewrite = try ToolProcess.run(["only", "mixed"], in: root)
        #expect(rewrite.status == 0)
        #expect(rewrite.standardOutput == "mixed/buildspec.yml\n")
        #expect(try Data(contentsOf: root.appendingPathComponent("only/buildspec.yml")) == Data(only))
        #expect(try Data(contentsOf: root.appendingPathComponent("mixed/buildspec.yml")) == Data(SampleLocations.read("ignore-comment", "expected.yml")!))
        // Both silenced writers of the mixed file are in the rewritten file as they were.
        let text = String(decoding: mixed, as: UTF8.self).split(separator: "\n")
        let after = try String(contentsOf: root.appendingPathComponent("mixed/buildspec.yml"), encoding: .utf8)
        for line in text where line.contains("aws ssm get-parameter") { #expect(after.contains(line + "\n")) }
    }
}
