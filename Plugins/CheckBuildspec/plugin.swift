import PackagePlugin

/// `swift package check-buildspec [PATH...] [OPTIONS]`: fails when a buildspec writes image
/// definitions without a first-run guard. Changes nothing, so it needs no permission.
@main
struct CheckBuildspecPlugin: CommandPlugin {
    func performCommand(context: PluginContext, arguments: [String]) async throws {
        try BuildspecPluginRunner.run(context: context, arguments: arguments, toolArguments: ["--check"], verb: "check-buildspec")
    }
}
