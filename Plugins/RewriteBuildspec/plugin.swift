import PackagePlugin

/// `swift package --allow-writing-to-package-directory rewrite-buildspec [PATH...] [OPTIONS]`:
/// guards every image-definitions writer in the package's buildspec files.
@main
struct RewriteBuildspecPlugin: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        try BuildspecPluginRunner.run(context: context, arguments: arguments, toolArguments: [], verb: "rewrite-buildspec")
    }
}
