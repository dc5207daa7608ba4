import ArgumentParser
import BuildspecRewriting
import Foundation

@main
struct RewriteBuildspecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rewrite-buildspec",
        abstract: "Guard the image-definitions writers of CodeBuild buildspecs so the first pipeline run deploys nothing.",
        discussion: """
        Finds every command that writes imagedefinitions.json (or imageDetail.json) unconditionally, asks ECR \
        before the first `docker push` whether the repository already held an image, and writes the file only \
        when it did. Nothing else in the file changes.

        Exit codes:
          0   done: files rewritten, or nothing to do
          1   --check: a file needs the rewrite
          2   a file could not be handled (the others were still processed)
          64  usage error
        """,
        version: "1.0.0"
    )

    @Argument(help: "Buildspec files or folders (searched for buildspec*.yml and buildspec*.yaml); `-` reads standard input.")
    var paths: [String] = ["."]

    @Flag(help: "Write nothing; exit 1 when a file needs the rewrite.")
    var check = false

    @Flag(help: "Write nothing; print a unified diff that `git apply` accepts.")
    var diff = false

    @Option(help: "The ECR repository every guard asks about: a repository name or `$VARIABLE`.")
    var repositoryName: String?

    @Option(help: "Another name of an image-definitions file (repeatable).")
    var definitionsFile: [String] = []

    @Option(help: "Skip paths matching this glob (repeatable).")
    var exclude: [String] = []

    @Flag(help: "Follow symbolic links to folders and files while searching folders.")
    var followSymlinks = false

    @Option(help: "Files handled at once (default: the number of cores).")
    var jobs: Int?

    @Option(help: "Print a machine-readable report: `json`.")
    var report: String?

    @Option(help: "Write the report to this file instead of standard output.")
    var reportFile: String?

    @Flag(name: .shortAndLong, help: "Print errors only.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also print files that needed nothing, and warnings' fixes.")
    var verbose = false

    func validate() throws {
        if check && diff { throw ValidationError("--check and --diff cannot be combined") }
        if let repositoryName, ImageRepository.named(repositoryName) == nil {
            throw ValidationError(
                "--repository-name '\(repositoryName)' is not a valid ECR repository name (lowercase letters, digits, '.', '_', '-', '/') or $VARIABLE"
            )
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let report, report != "json" { throw ValidationError("--report takes `json`") }
        if reportFile != nil && report == nil { throw ValidationError("--report-file goes with --report json") }
        if paths.contains("-") && paths.count > 1 { throw ValidationError("`-` (standard input) cannot be combined with other paths") }
    }

    func run() throws {
        let options = RewriteOptions(repositoryName: repositoryName, definitionsFiles: definitionsFile)
        if paths == ["-"] {
            try runStandardInput(options)
            return
        }
        let discovery = BuildspecDiscovery(excludes: exclude, followSymlinks: followSymlinks)
        let found = discovery.find(paths)
        var outcomes = [FileOutcome?](repeating: nil, count: found.files.count)
        let processor = FileProcessor(options: options, mode: check ? .check : diff ? .diff : .write)
        let workers = max(1, min(jobs ?? ProcessInfo.processInfo.activeProcessorCount, found.files.count))
        let progress = ProgressLine(total: found.files.count, enabled: !quiet && report == nil)
        let lock = NSLock()
        nonisolated(unsafe) var results = outcomes
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < found.files.count {
                let outcome = processor.process(found.files[index])
                lock.lock()
                results[index] = outcome
                lock.unlock()
                progress.advance()
                index += workers
            }
        }
        progress.finish()
        outcomes = results
        var all = found.problems.map { FileOutcome(path: $0.path, kind: .error, editedLines: [], diagnostics: [Diagnostic(.error, at: nil, $0.message)]) }
        all += outcomes.compactMap { $0 }
        all.sort { $0.path < $1.path }
        print(all)
        if !found.problems.isEmpty || all.contains(where: { $0.kind == .error }) { throw ExitCode(2) }
        if check && all.contains(where: { $0.kind == .wouldRewrite }) { throw ExitCode(1) }
    }

    private func runStandardInput(_ options: RewriteOptions) throws {
        let input = Array(FileHandle.standardInput.readDataToEndOfFile())
        let result = BuildspecRewriter.rewrite(input, options: options)
        for diagnostic in result.diagnostics where !quiet || diagnostic.severity == .error {
            standardError(diagnostic.formatted(path: "<stdin>"))
        }
        if diff {
            if result.output != input { FileHandle.standardOutput.write(Data(UnifiedDiff.make(old: input, new: result.output, path: "buildspec.yml").utf8)) }
        } else if !check {
            FileHandle.standardOutput.write(Data(result.output))
        }
        if result.outcome == .error { throw ExitCode(2) }
        if check, result.outcome == .rewritten {
            for diagnostic in result.pendingGuards { standardError(diagnostic.formatted(path: "<stdin>")) }
            throw ExitCode(1)
        }
    }

    private func print(_ outcomes: [FileOutcome]) {
        for outcome in outcomes {
            if !outcome.standardOutput.isEmpty { FileHandle.standardOutput.write(Data(outcome.standardOutput.utf8)) }
            for diagnostic in outcome.diagnostics {
                if quiet && diagnostic.severity != .error { continue }
                standardError(diagnostic.formatted(path: outcome.path))
            }
            if quiet || report != nil && reportFile == nil { continue }
            switch outcome.kind {
            case .rewritten: Swift.print(outcome.path)
            case .alreadyGuarded where verbose: standardError("\(outcome.path): already guarded")
            case .noDefinitionsWriter where verbose: standardError("\(outcome.path): writes no image definitions")
            default: break
            }
        }
        let summary = RunReport.summarize(outcomes)
        if report != nil {
            let json = RunReport(outcomes).json() + "\n"
            if let reportFile {
                do { try json.write(toFile: reportFile, atomically: true, encoding: .utf8) } catch {
                    standardError("\(reportFile): error: cannot write the report (\(error.localizedDescription))")
                }
            } else {
                FileHandle.standardOutput.write(Data(json.utf8))
            }
        }
        if !quiet && (outcomes.count > 1 || verbose) {
            standardError(RunReport.summaryLine(summary, checking: check))
        }
    }
}

func standardError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
