import Foundation
import PackagePlugin

/// What both command plugins do: find the package's buildspecs and run the tool on them.
///
/// Buildspecs are not target sources: they sit at the repository root or in service
/// folders, so the search starts at the package directory.
enum BuildspecPluginRunner {
    static let skippedFolders: Set<String> = [".build", ".git", ".swiftpm", "node_modules"]

    static func run(context: PluginContext, arguments: [String], toolArguments leading: [String], verb: String) throws {
        let root = context.package.directoryURL
        var paths: [String] = []
        var forwarded: [String] = leading
        var index = 0
        let optionsWithValue: Set<String> = ["--repository-name", "--definitions-file", "--exclude", "--jobs", "--report", "--report-file"]
        while index < arguments.count {
            let argument = arguments[index]
            if optionsWithValue.contains(argument), index + 1 < arguments.count {
                forwarded += [argument, arguments[index + 1]]
                index += 2
                continue
            }
            if argument.hasPrefix("-") {
                forwarded.append(argument)
            } else {
                paths.append(argument.hasPrefix("/") ? argument : root.appendingPathComponent(argument).path)
            }
            index += 1
        }
        let files = try buildspecs(under: paths.isEmpty ? [root.path] : paths)
        guard !files.isEmpty else {
            Diagnostics.remark("\(verb): no buildspec*.yml or buildspec*.yaml under \(paths.isEmpty ? root.path : paths.joined(separator: ", "))")
            return
        }
        let tool = try context.tool(named: "rewrite-buildspec")
        let process = Process()
        process.executableURL = tool.url
        process.arguments = forwarded + files
        try process.run()
        process.waitUntilExit()
        let status = process.terminationStatus
        if process.terminationReason != .exit || status != 0 {
            let meaning = switch status {
            case 1: "a buildspec writes image definitions without a first-run guard; run `swift package --allow-writing-to-package-directory rewrite-buildspec` to fix it"
            case 2: "a buildspec could not be handled; see the messages above"
            case 64: "the arguments were not understood; see `rewrite-buildspec --help`"
            default: "the tool stopped unexpectedly"
            }
            Diagnostics.error("rewrite-buildspec exited with code \(status): \(meaning)")
        }
    }

    /// Buildspec files named by `paths`: files as they are, folders searched recursively.
    static func buildspecs(under paths: [String]) throws -> [String] {
        let manager = FileManager.default
        var found: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isFolder) else {
                throw PluginError("no such file or folder: \(path)")
            }
            guard isFolder.boolValue else {
                found.append(path)
                continue
            }
            let url = URL(fileURLWithPath: path)
            guard let walker = manager.enumerator(at: url, includingPropertiesForKeys: [.isDirectoryKey]) else { continue }
            for case let file as URL in walker {
                let name = file.lastPathComponent
                if skippedFolders.contains(name) {
                    walker.skipDescendants()
                    continue
                }
                let lower = name.lowercased()
                if lower.hasPrefix("buildspec"), lower.hasSuffix(".yml") || lower.hasSuffix(".yaml") {
                    found.append(file.path)
                }
            }
        }
        return found.sorted()
    }
}

struct PluginError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
