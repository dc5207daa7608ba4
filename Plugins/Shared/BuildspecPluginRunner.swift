import Foundation
import PackagePlugin

/// What both command plugins do: run `rewrite-buildspec` on the package's buildspec files and
/// CloudFormation templates.
///
/// Buildspecs are not target sources: they sit at the repository root or in service folders,
/// so the search starts at the package directory (`context.package.directoryURL`), never at
/// the targets. The tool itself does the search, so the plugins and the command line find the
/// same files and honour the same options (`--exclude`, `--follow-symlinks`): it runs in the
/// package directory, where its default path `.` is the whole package and relative path
/// arguments are relative to the package. Its search skips `.build`, `.git`, `.swiftpm` and
/// `node_modules`; the plugin adds an `--exclude` for a `--scratch-path` build folder inside the
/// package under another name, whose checkouts may hold buildspecs of other packages.
///
/// Every argument but SwiftPM's `--allow-writing-to-package-directory` goes to the tool
/// unchanged: plain paths narrow the search, options (`--repository-name NAME`,
/// `--exclude GLOB`, `--quiet`, ...) keep their meaning.
///
/// This file lives in `Plugins/Shared` and is linked into each plugin's folder, so both plugins
/// compile the one copy.
enum BuildspecPluginRunner {
    static let toolName = "rewrite-buildspec"

    /// Folders the tool's own search already skips (`BuildspecDiscovery.skippedFolders`).
    static let foldersTheToolSkips: Set<String> = [".build", ".git", ".swiftpm", "node_modules", "cdk.out", ".aws-sam", ".terraform"]

    static func run(context: PluginContext, arguments: [String], toolArguments leading: [String], verb: String) throws {
        let root = context.package.directoryURL
        var toolArguments = leading
        if let scratch = scratchFolder(of: context), !foldersTheToolSkips.contains(scratch) {
            toolArguments += ["--exclude", globEscaped(scratch)]
        }
        toolArguments += forwarded(arguments)

        let tool = try context.tool(named: toolName)
        let process = Process()
        process.executableURL = tool.url
        process.arguments = toolArguments
        process.currentDirectoryURL = root
        // Standard input, output and error are inherited: the tool's report is the plugin's.
        // (`swift package` prints a plugin's output and error on its standard output and the
        // diagnostics below on its standard error.)
        try process.run()
        process.waitUntilExit()

        let status = process.terminationStatus
        guard process.terminationReason == .uncaughtSignal || status != 0 else { return }
        if process.terminationReason == .uncaughtSignal {
            Diagnostics.error("\(toolName) was stopped by signal \(status); please report this with the buildspec it was handling")
            return
        }
        let nextStep = switch status {
        case 1:
            "a buildspec writes image definitions without a first-run guard; run `swift package --allow-writing-to-package-directory rewrite-buildspec` to add the guards, then review and commit them"
        case 2:
            "a buildspec could not be handled (see its error above); fix it, or leave it out with `--exclude GLOB`"
        case 64:
            "the arguments were not understood (see the message above); `swift package \(verb)` takes buildspec files or folders and the options of `swift run rewrite-buildspec --help`"
        default:
            "unexpected exit code; see the messages above"
        }
        Diagnostics.error("\(toolName) exited with code \(status): \(nextStep)")
    }

    /// SwiftPM's options that are its own even after the verb: `swift package rewrite-buildspec
    /// --allow-writing-to-package-directory` grants the permission and also hands the option to
    /// the plugin, where the tool would reject it.
    static let swiftPMOptions: Set<String> = ["--allow-writing-to-package-directory"]

    /// The plugin's arguments without SwiftPM's own options (up to a `--`, after which
    /// everything is a path).
    static func forwarded(_ arguments: [String]) -> [String] {
        guard let end = arguments.firstIndex(of: "--") else {
            return arguments.filter { !swiftPMOptions.contains($0) }
        }
        return arguments[..<end].filter { !swiftPMOptions.contains($0) } + arguments[end...]
    }

    /// The top folder of the package that holds this plugin's work directory (the build folder,
    /// `.build` unless `--scratch-path` says otherwise), or nil when the build folder is outside
    /// the package.
    static func scratchFolder(of context: PluginContext) -> String? {
        let root = context.package.directoryURL.resolvingSymlinksInPath().standardizedFileURL.pathComponents
        let work = context.pluginWorkDirectoryURL.resolvingSymlinksInPath().standardizedFileURL.pathComponents
        guard work.count > root.count, Array(work.prefix(root.count)) == root else { return nil }
        return work[root.count]
    }

    /// `name` as an `fnmatch` pattern matching only itself.
    static func globEscaped(_ name: String) -> String {
        var pattern = ""
        for character in name {
            if "*?[]\\".contains(character) { pattern.append("\\") }
            pattern.append(character)
        }
        return pattern
    }
}
