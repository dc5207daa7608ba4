import ArgumentParser
import BuildspecRewriting
import Dispatch
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// ArgumentParser's own `main`, but an `ExitCode` from `run()` ends the process at once:
    /// `exit(withError:)` builds the whole usage text (2.3 M instructions) to print nothing for it.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            POSIX.exit(code.rawValue)
        } catch {
            exit(withError: error)
        }
    }

    @Argument(help: "Buildspec or CloudFormation template files, or folders (searched for buildspec*.yml and buildspec*.yaml, and for *.yaml, *.yml, *.json, *.template templates holding AWS::CodeBuild::Project); `-` reads standard input. Default: `.`, unless --files-from names the files.")
    var paths: [String] = []

    @Option(help: "Also handle the paths listed in this file, one a line (or NUL-separated, as `find -print0` writes them); `-` reads the list from standard input.")
    var filesFrom: String?

    @Flag(help: "Write nothing; exit 1 when a file needs the rewrite.")
    var check = false

    @Flag(help: "Write nothing; print a unified diff that `git apply` accepts.")
    var diff = false

    @Option(help: "The ECR repository every guard asks about: a repository name or `$VARIABLE`.")
    var repositoryName: String?

    @Option(help: "The account whose ECR registry every guard asks (`--registry-id` of the query): 12 digits or `$VARIABLE`. Default: the account the pushed image reference names, or the build's own.")
    var registryId: String?

    @Option(help: "Another name of an image-definitions file (repeatable).")
    var definitionsFile: [String] = []

    @Flag(help: "Skip, quietly, a named file that is neither a template nor a buildspec by name or content (for hooks that hand over every YAML and JSON file).")
    var ignoreUnrelated = false

    @Option(help: "Skip paths matching this glob (repeatable).")
    var exclude: [String] = []

    @Flag(help: "Follow symbolic links to folders and files while searching folders.")
    var followSymlinks = false

    @Option(help: "Files handled at once (default: the number of cores).")
    var jobs: Int?

    @Option(help: "How to print findings: `text` (the default: lines on standard error), `github` (GitHub Actions annotations on standard output) or `sarif` (a SARIF 2.1.0 log on standard output).")
    var format: FindingFormat = .text

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
        if let registryId, ImageRepository.registryAccount(registryId) == nil {
            throw ValidationError("--registry-id '\(registryId)' is not a 12-digit AWS account id or $VARIABLE")
        }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1") }
        if let report, report != "json" { throw ValidationError("--report takes `json`") }
        if reportFile != nil && report == nil { throw ValidationError("--report-file goes with --report json") }
        if format.usesStandardOutput {
            if diff { throw ValidationError("--diff prints the diff on standard output; --format \(format.rawValue) goes with --check or a rewrite") }
            if report != nil && reportFile == nil {
                throw ValidationError("--format \(format.rawValue) prints on standard output; write the report to a file with --report-file PATH")
            }
            if paths == ["-"] && !check {
                throw ValidationError("`-` writes the rewritten file on standard output; --format \(format.rawValue) goes with --check there")
            }
        }
        if paths.contains("-") && (paths.count > 1 || filesFrom != nil) {
            throw ValidationError("`-` (standard input) cannot be combined with other paths or --files-from")
        }
    }

    func run() throws {
        let options = RewriteOptions(repositoryName: repositoryName, registryID: registryId, definitionsFiles: definitionsFile, verifiesOutput: !check)
        if paths == ["-"] {
            try runStandardInput(options)
            return
        }
        var roots = paths
        if let filesFrom {
            // Thousands of paths on the command line are slow to parse (swift-argument-parser
            // is quadratic in them); a list is read in one go.
            guard let listed = POSIX.readList(filesFrom) else {
                standardError(Diagnostic(.error, rule: .unreadableFileList, at: nil, "cannot read the list of files (\(POSIX.errorText()))").formatted(path: filesFrom))
                throw ExitCode(2)
            }
            roots += listed
        } else if roots.isEmpty {
            roots = ["."]
        }
        let discovery = BuildspecDiscovery(excludes: exclude, followSymlinks: followSymlinks)
        let workingFolder = WorkingFolder.current()
        let processor = FileProcessor(options: options, mode: check ? .check : diff ? .diff : .write, ignoresUnrelated: ignoreUnrelated,
                                      workingFolder: workingFolder)
        // One folder is searched while its files are handled, and the search waits when it is
        // ahead: a run keeps a few hundred paths, not every one. Files named one by one are
        // few enough to find first; then their number is known.
        var status = stat()
        let searchesWhileHandling = discovery.streams(roots) && stat(roots[0], &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
        let streamed = FileFeed(capacity: 256)
        let search = searchesWhileHandling ? BackgroundThread { [roots] in
            discovery.search(roots, found: streamed.put)
            streamed.finish()
        } : nil
        // Without a search thread (or when none could start) everything is found first, into a
        // feed with room for all of it.
        let feed = search == nil ? FileFeed(capacity: .max) : streamed
        var workers = jobs ?? ProcessInfo.processInfo.activeProcessorCount
        var total: Int?
        if search == nil {
            var count = 0
            discovery.search(roots) { entry in
                feed.put(entry)
                count += 1
            }
            feed.finish()
            total = count
            workers = max(1, min(workers, count))
        }
        let progress = ProgressLine(total: total, enabled: !quiet && report == nil)
        // Outcomes are printed in path order as soon as every earlier one is done, so a run keeps
        // only the few that finished early (and, for --report json, the records) in memory.
        let output = RunOutput(command: self, progress: progress, workingFolder: workingFolder)
        let printer = OrderedPrinter { output.emit($0) }
        let work: @Sendable (Int) -> Void = { _ in
            while let (index, entry) = feed.next() {
                switch entry {
                case .file(let path):
                    printer.put(processor.process(path), at: index)
                case .candidate(let path):
                    printer.put(processor.process(path, isCandidate: true), at: index)
                case .problem(let path, let rule, let message):
                    printer.put(FileOutcome(path: path, kind: .error, editedLines: [], diagnostics: [Diagnostic(.error, rule: rule, at: nil, message)]), at: index)
                }
                progress.advance()
            }
        }
        if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
        search?.join()
        progress.finish()
        let reportWritten = output.finish()
        if !reportWritten || output.summary.errors > 0 || output.reportedErrors { throw ExitCode(2) }
        if check && output.summary.wouldRewrite > 0 { throw ExitCode(1) }
    }

    /// Whether a finding is printed: only errors with `--quiet`, notes such as a BuildSpec that
    /// only names a file with `--verbose`.
    func shows(_ diagnostic: Diagnostic) -> Bool {
        Self.shows(diagnostic, quiet: quiet, verbose: verbose)
    }

    static func shows(_ diagnostic: Diagnostic, quiet: Bool, verbose: Bool) -> Bool {
        (!quiet || diagnostic.severity == .error) && (verbose || !diagnostic.rule.isVerboseOnly)
    }

    private func runStandardInput(_ options: RewriteOptions) throws {
        guard let input = POSIX.readAll(STDIN_FILENO) else {
            standardError(Diagnostic(.error, rule: .unreadableFile, at: nil, "cannot read standard input (\(POSIX.errorText()))").formatted(path: "<stdin>"))
            throw ExitCode(2)
        }
        let result = HostRewriter.rewrite(input, options: options)
        let findings = (result.diagnostics + (check && result.outcome == .rewritten ? result.pendingGuards : [])).filter(shows)
        switch format {
        case .text:
            let text = TextFindings(colours: TextFindings.coloursWanted())
            for diagnostic in findings { standardError(text.line(diagnostic, path: "<stdin>")) }
        case .github:
            for diagnostic in findings { _ = POSIX.writeAll(STDOUT_FILENO, GitHubAnnotations.line(Finding(path: nil, diagnostic: diagnostic)) + "\n") }
        case .sarif:
            let log = SARIFLog(findings: findings.map { Finding(path: nil, diagnostic: $0) }, workingFolder: WorkingFolder.current(),
                               toolVersion: Self.configuration.version)
            _ = POSIX.writeAll(STDOUT_FILENO, log.json() + "\n")
        }
        if diff {
            if result.output != input { POSIX.writeAll(STDOUT_FILENO, UnifiedDiff.make(old: input, new: result.output, path: "buildspec.yml")) }
        } else if !check {
            result.output.withUnsafeBytes { _ = POSIX.writeAll(STDOUT_FILENO, $0) }
        }
        if result.outcome == .error || result.diagnostics.contains(where: { $0.severity == .error }) { throw ExitCode(2) }
        if check, result.outcome == .rewritten { throw ExitCode(1) }
    }

    /// Writes the report through a temporary file and a rename; the reason when it failed.
    static func writeReport(_ json: String, to path: String) -> String? {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { return POSIX.errorText() }
        let written = POSIX.writeAll(descriptor, json)
        let problem = written ? nil : POSIX.errorText()
        close(descriptor)
        guard written, rename(temporary, path) == 0 else {
            let reason = problem ?? POSIX.errorText()
            unlink(temporary)
            return reason
        }
        return nil
    }
}

/// Hands outcomes to `sink` in order: each one as soon as all before it are done. `sink` runs
/// under a lock, one call at a time.
final class OrderedPrinter: @unchecked Sendable {
    private let lock = Lock()
    private var early: [Int: FileOutcome] = [:]
    private var next = 0
    private let sink: (FileOutcome) -> Void

    init(sink: @escaping (FileOutcome) -> Void) {
        self.sink = sink
    }

    func put(_ outcome: FileOutcome, at index: Int) {
        lock.locked {
            // The next one in order goes straight out: with one job, every one does.
            if index == next {
                sink(outcome)
                next += 1
            } else {
                early[index] = outcome
            }
            while !early.isEmpty, let ready = early.removeValue(forKey: next) {
                sink(ready)
                next += 1
            }
        }
    }
}

/// What a run prints: paths and diff on standard output, diagnostics on standard error, the
/// report and the summary line at the end.
final class RunOutput: @unchecked Sendable {
    /// The options read for every file, taken out of the command once: reading an
    /// ArgumentParser property costs hundreds of instructions.
    private let quiet: Bool, verbose: Bool, check: Bool, format: FindingFormat, report: String?, reportFile: String?
    private let progress: ProgressLine
    private var output = OutputBuffer(descriptor: STDOUT_FILENO)
    private var errors = OutputBuffer(descriptor: STDERR_FILENO)
    private var records: [FileOutcome] = []
    private let workingFolder: WorkingFolder
    private let text: TextFindings
    /// With `--format sarif`: every finding, for the log printed at the end.
    private var findings: [Finding] = []
    private(set) var summary = RunReport.Summary()
    /// Whether a file that was handled still reported an error (a template with one project
    /// refused and another one rewritten).
    private(set) var reportedErrors = false

    init(command: RewriteBuildspecCommand, progress: ProgressLine, workingFolder: WorkingFolder) {
        quiet = command.quiet
        verbose = command.verbose
        check = command.check
        format = command.format
        report = command.report
        reportFile = command.reportFile
        self.progress = progress
        self.workingFolder = workingFolder
        text = TextFindings(colours: TextFindings.coloursWanted())
    }

    func emit(_ outcome: FileOutcome) {
        if outcome.isSkipped { return }
        summary.add(outcome)
        if outcome.hasRefusals { reportedErrors = true }
        if report != nil { records.append(outcome) }
        if !outcome.standardOutput.isEmpty { output.append(outcome.standardOutput) }
        for diagnostic in outcome.diagnostics where RewriteBuildspecCommand.shows(diagnostic, quiet: quiet, verbose: verbose) {
            switch format {
            case .text: errors.append(text.line(diagnostic, path: outcome.path) + "\n")
            case .github: output.append(GitHubAnnotations.line(Finding(path: workingFolder.relative(outcome.path), diagnostic: diagnostic)) + "\n")
            case .sarif: findings.append(Finding(path: workingFolder.relative(outcome.path), diagnostic: diagnostic))
            }
        }
        if !(quiet || report != nil && reportFile == nil) {
            switch outcome.kind {
            // With a SARIF log on standard output, the changed paths go to standard error.
            case .rewritten where format == .sarif: errors.append(outcome.path + "\n")
            case .rewritten: output.append(outcome.path + "\n")
            case .alreadyGuarded where verbose: errors.append("\(outcome.path): already guarded\n")
            case .noDefinitionsWriter where verbose: errors.append("\(outcome.path): writes no image definitions\n")
            case .ignored where verbose: errors.append("\(outcome.path): every unguarded writer is ignored by a comment\n")
            default: break
            }
        }
        if output.isFull || errors.isFull {
            progress.clear()
            output.flush()
            errors.flush()
        }
    }

    /// Flushes everything, writes the report and the summary line; false when the report file
    /// could not be written.
    func finish() -> Bool {
        var reportWritten = true
        if report != nil {
            let json = RunReport(records).json() + "\n"
            records = []
            if let reportFile = reportFile {
                if let problem = RewriteBuildspecCommand.writeReport(json, to: reportFile) {
                    let diagnostic = Diagnostic(.error, rule: .reportWriteFailed, at: nil, "cannot write the report (\(problem))")
                    errors.append(text.line(diagnostic, path: reportFile) + "\n")
                    reportWritten = false
                }
            } else {
                output.append(json)
            }
        }
        if format == .sarif {
            output.append(SARIFLog(findings: findings, workingFolder: workingFolder, toolVersion: RewriteBuildspecCommand.configuration.version).json() + "\n")
            findings = []
        }
        output.flush()
        if !quiet && (summary.files > 1 || verbose) {
            errors.append(RunReport.summaryLine(summary, checking: check) + "\n")
        }
        errors.flush()
        return reportWritten
    }
}

/// Text for one stream, written in pieces of 64 KiB rather than a call per line.
struct OutputBuffer {
    let descriptor: Int32
    private var pending: [UInt8] = []

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    var isFull: Bool { pending.count >= 1 << 16 }

    mutating func append(_ text: String) {
        pending.append(contentsOf: text.utf8)
    }

    mutating func flush() {
        guard !pending.isEmpty else { return }
        pending.withUnsafeBytes { _ = POSIX.writeAll(descriptor, $0) }
        pending.removeAll(keepingCapacity: true)
    }
}
