// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "rewrite-buildspec",
    products: [
        .executable(name: "rewrite-buildspec", targets: ["rewrite-buildspec"]),
        .library(name: "BuildspecRewriting", targets: ["BuildspecRewriting"]),
        .plugin(name: "RewriteBuildspecPlugin", targets: ["RewriteBuildspecPlugin"]),
        .plugin(name: "CheckBuildspecPlugin", targets: ["CheckBuildspecPlugin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),
        .target(
            name: "BuildspecRewriting",
            dependencies: ["CYAML"]
        ),
        .executableTarget(
            name: "rewrite-buildspec",
            dependencies: [
                "BuildspecRewriting",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/CLI"
        ),
        .plugin(
            name: "RewriteBuildspecPlugin",
            capability: .command(
                intent: .custom(
                    verb: "rewrite-buildspec",
                    description: "Guard every image-definitions writer in the package's buildspec files"
                ),
                permissions: [
                    .writeToPackageDirectory(
                        reason: "Rewrites buildspec*.yml and buildspec*.yaml files, and the buildspecs inside CloudFormation templates, so that the first pipeline run writes no imagedefinitions.json"
                    ),
                ]
            ),
            dependencies: ["rewrite-buildspec"],
            path: "Plugins/RewriteBuildspec"
        ),
        .plugin(
            name: "CheckBuildspecPlugin",
            capability: .command(
                intent: .custom(
                    verb: "check-buildspec",
                    description: "Fail when a buildspec file writes image definitions without a first-run guard"
                )
            ),
            dependencies: ["rewrite-buildspec"],
            path: "Plugins/CheckBuildspec"
        ),
        .testTarget(
            name: "BuildspecRewritingTests",
            // The command-line tests run the built tool itself.
            dependencies: ["BuildspecRewriting", "rewrite-buildspec"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
