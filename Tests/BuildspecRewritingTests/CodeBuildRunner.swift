import Foundation
@testable import BuildspecRewriting

/// Runs a buildspec's phases the way CodeBuild does, with stub `aws` and `docker` over a fake
/// ECR kept in a folder: 0.2 keeps one shell across commands and phases, 0.1 starts a new shell
/// for every command; `sh` unless `env.shell` says bash; a failing command ends its phase.
/// The fake ECR keeps every registry apart (`ACCOUNT/REGION/NAME`, `public/NAME` for ECR
/// Public): a query that asks another account or region than the pushed reference names finds
/// no repository there, and `aws ecr-public` answers only in us-east-1.
struct CodeBuildRunner {
    struct Run {
        /// Image-definitions files the build left behind, by path in the source folder.
        var definitions: [String: [UInt8]]
        var pushed: Set<String>
        /// What the build printed, for the message of a failing expectation.
        var log: String
    }

    /// The build's own account and region: no sample pushes there by a literal reference, so a
    /// query that leaves out `--registry-id` or `--region` it needed asks the wrong registry.
    static let account = "123456789012", region = "ca-central-1"
    static let registry = "\(account).dkr.ecr.\(region).amazonaws.com"

    /// Runs `buildspec` against a registry whose repositories in `filled` already hold an image.
    /// With `repositories`, only those exist (`ACCOUNT/REGION/NAME`, `public/NAME`): asking for
    /// any other fails as ECR does (`RepositoryNotFoundException`, exit 254); without, every
    /// repository asked about exists.
    static func run(_ buildspec: [UInt8], filled: Set<String>, repositories: Set<String>? = nil) throws -> Run {
        let source = SourceText(buildspec)
        let (parsedSpec, _) = BuildspecReader.read(try YAMLParser.parse(source), source: source)
        guard let spec = parsedSpec else { throw RunnerError("not a buildspec") }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("codebuild-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let bin = root.appendingPathComponent("bin"), work = root.appendingPathComponent("src"), ecr = root.appendingPathComponent("ecr")
        for folder in [bin, work, ecr] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        for repository in filled {
            try FileManager.default.createDirectory(at: ecr.appendingPathComponent(repository.replacing("/", with: "%2F")), withIntermediateDirectories: true)
        }
        try writeStubs(in: bin, for: spec)
        let known = root.appendingPathComponent("repositories")
        if let repositories { try Data(repositories.sorted().map { $0 + "\n" }.joined().utf8).write(to: known) }
        let text = String(decoding: buildspec, as: UTF8.self)
        var environment = ["PATH": bin.path + ":/usr/bin:/bin", "HOME": work.path, "LANG": "C.UTF-8", "FAKE_ECR": ecr.path,
                           "FAKE_REPOSITORIES": known.path, "FAKE_ACCOUNT": account,
                           "AWS_ACCOUNT_ID": account, "AWS_DEFAULT_REGION": region, "AWS_REGION": region,
                           "CODEBUILD_RESOLVED_SOURCE_VERSION": "0123456789abcdef0123456789abcdef01234567",
                           "CODEBUILD_SRC_DIR": work.path, "CODEBUILD_BUILD_SUCCEEDING": "1", "CODEBUILD_BUILD_NUMBER": "7"]
        // Variables the file reads but never sets come from the CodeBuild project.
        let assigned = Set(spec.commands.compactMap(\.text).flatMap { text in
            (try? ShellParser.parse(text)).map { parsed in
                ShellWalker.places(in: parsed).flatMap { $0.pipeline.commands.flatMap { VariableEnvironment.assignments(of: $0).map(\.name) } }
            } ?? []
        })
        for name in Set(VariableEnvironment.variableNames(in: text)).subtracting(assigned) where environment[name] == nil {
            let lower = name.lowercased().replacing("_", with: "-")
            environment[name] = name.hasSuffix("URI") || name.hasSuffix("URL") ? "\(registry)/\(lower)" : name.hasSuffix("REGISTRY") ? registry : lower
        }
        for (name, value) in spec.variables { environment[name] = value }

        let shell = spec.shell?.contains("bash") == true ? "/bin/bash" : "/bin/sh"
        var script = "cd \"$CODEBUILD_SRC_DIR\"\n"
        var number = 0
        for phase in Buildspec.phaseNames {
            script += "__ok=1\n"
            for section in [Buildspec.Section.commands, .finally] {
                for command in spec.commands where command.phase == phase && command.section == section {
                    number += 1
                    let file = root.appendingPathComponent("cmd-\(number).sh")
                    try Data(((command.text ?? "") + "\n").utf8).write(to: file)
                    let run = spec.version == .v02 ? ". \"\(file.path)\"" : "(cd \"$CODEBUILD_SRC_DIR\" && \(shell) \"\(file.path)\")"
                    let guarded = section == .commands ? "[ $__ok = 1 ] && " : ""
                    script += "\(guarded){ \(run) ; } || __ok=0\n"
                }
            }
        }
        let driver = root.appendingPathComponent("driver.sh")
        try Data(script.utf8).write(to: driver)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: shell)
        process.arguments = [driver.path]
        process.environment = environment
        process.currentDirectoryURL = work
        let logFile = root.appendingPathComponent("build.log")
        FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: logFile)
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        process.waitUntilExit()
        try logHandle.close()
        let log = String(decoding: FileManager.default.contents(atPath: logFile.path) ?? Data(), as: UTF8.self)
            + "(the build's shell exited with \(process.terminationStatus))\n"

        func uploads(_ path: String) -> Bool {
            spec.artifacts.contains { group in
                let base = group.baseDirectory.map { String($0.drop { $0 == "." || $0 == "/" }).trimmingSuffix("/") } ?? ""
                return group.files.contains { listed in
                    // CodeBuild expands the buildspec's variables in artifact paths.
                    var expanded = listed
                    for (name, value) in spec.variables { expanded = expanded.replacing("${\(name)}", with: value).replacing("$\(name)", with: value) }
                    let file = String(expanded.drop { $0 == "." || $0 == "/" })
                    return GlobPattern(base.isEmpty ? file : base + "/" + file).matches(path)
                }
            }
        }
        var definitions: [String: [UInt8]] = [:]
        if let walker = FileManager.default.enumerator(atPath: work.path) {
            for case let path as String in walker {
                guard let data = FileManager.default.contents(atPath: work.appendingPathComponent(path).path) else { continue }
                let content = String(decoding: data, as: UTF8.self)
                // A standard name anywhere; another .json only when the artifacts upload it.
                if ImageDefinitionsWriter.FileMatcher.hasDefinitionsName(path)
                    || (path.hasSuffix(".json") && (content.contains("imageUri") || content.contains("ImageURI")) && uploads(path)) {
                    definitions[path] = Array(data)
                }
            }
        }
        let pushed = Set(((try? FileManager.default.contentsOfDirectory(atPath: ecr.path)) ?? []).map { $0.replacing("%2F", with: "/") })
        return Run(definitions: definitions, pushed: pushed, log: log)
    }

    private static func writeStubs(in bin: URL, for spec: Buildspec) throws {
        let docker = #"""
        #!/bin/sh
        repo() { r=${1%%@*}; last=${r##*/}; case $last in *:*) r=${r%:*};; esac
          key=hub/$r
          case $r in */*) host=${r%%/*}; rest=${r#*/}
            case $host in
              public.ecr.aws) key=public/${rest#*/};;
              *.dkr.ecr.*.amazonaws.com) region=${host#*.dkr.ecr.}; key=${host%%.*}/${region%%.*}/$rest;;
              *.*|*:*|localhost) key=other/$host/$rest;;
            esac;; esac
          mkdir -p "$FAKE_ECR/$(printf %s "$key" | sed 's|/|%2F|g')"; }
        while [ $# -gt 0 ]; do case $1 in -*) shift;; *) break;; esac; done
        [ "$1" = buildx ] && shift; [ "$1" = image ] && shift
        case $1 in
          push) shift; for a; do case $a in -*) ;; *) repo "$a"; exit 0;; esac; done;;
          build) shift; push=no; for a; do [ "$a" = --push ] && push=yes; done
                 [ $push = yes ] || exit 0
                 while [ $# -gt 0 ]; do case $1 in -t|--tag) repo "$2"; shift 2;; --tag=*) repo "${1#--tag=}"; shift;; *) shift;; esac; done;;
        esac
        exit 0
        """#
        let aws = #"""
        #!/bin/sh
        name=; account=$FAKE_ACCOUNT; region=$AWS_DEFAULT_REGION; prev=
        for a; do
          case $prev in --repository-name|--repository-names) name=$a;; --registry-id) account=$a;; --region) region=$a;; esac
          prev=$a
        done
        answer() { # key, answer when it holds an image, answer when empty
          [ -n "$name" ] || { echo "aws: error: --repository-name is required" >&2; exit 252; }
          if [ -f "$FAKE_REPOSITORIES" ] && ! grep -qxF "$1" "$FAKE_REPOSITORIES"; then
            echo "An error occurred (RepositoryNotFoundException): no repository $1" >&2; exit 254
          fi
          if [ -d "$FAKE_ECR/$(printf %s "$1" | sed 's|/|%2F|g')" ]; then printf '%s\n' "$2"; else printf '%s\n' "$3"; fi
        }
        case "$*" in
          *"ecr-public describe-images"*)
            [ "$region" = us-east-1 ] || { echo "Could not connect to the endpoint URL: \"https://api.ecr-public.$region.amazonaws.com/\"" >&2; exit 255; }
            answer "public/$name" '{"imageDetails": [{"imageDigest": "sha256:cd34", "imageTags": ["latest"]}]}' '{"imageDetails": []}';;
          *"ecr list-images"*)
            answer "$account/$region/$name" '{
            "imageIds": [
                {
                    "imageDigest": "sha256:ab12",
                    "imageTag": "latest"
                }
            ]
        }' '{
            "imageIds": []
        }';;
          *"ecr describe-repositories"*) echo "$FAKE_ACCOUNT.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/$name";;
          *"sts get-caller-identity"*) echo "$FAKE_ACCOUNT";;
          *) ;;
        esac
        exit 0
        """#
        var programs: Set<String> = []
        for text in spec.commands.compactMap(\.text) {
            guard let parsed = try? ShellParser.parse(text) else { continue }
            for place in ShellWalker.places(in: parsed) {
                for command in place.pipeline.commands {
                    if let program = command.words.first?.literal, !program.contains("/") { programs.insert(program) }
                }
            }
        }
        let builtins: Set<String> = ["cd", "echo", "printf", "export", "test", "[", "set", "exit", "true", "false", ".", ":", "eval", "unset", "read", "if"]
        // Text tools run for real; every other program (npm, mvn, git, ...) is a no-op, as the
        // build's own tools and files are not here.
        let real: Set<String> = ["sh", "bash", "grep", "sed", "awk", "cut", "tr", "cat", "head", "tail", "date", "basename",
                                 "dirname", "jq", "mkdir", "cp", "mv", "rm", "ls", "env", "tee", "wc", "sort", "uniq", "xargs",
                                 "pwd", "touch", "ln", "expr", "seq", "find", "sleep"]
        for program in programs.subtracting(builtins).subtracting(real) where !["aws", "docker"].contains(program) {
            try install("#!/bin/sh\nexit 0\n", as: program, in: bin)
        }
        try install(docker, as: "docker", in: bin)
        try install(aws, as: "aws", in: bin)
    }

    private static func install(_ script: String, as name: String, in bin: URL) throws {
        try ExecutableScript.write(script, to: bin.appendingPathComponent(name))
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

struct RunnerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
