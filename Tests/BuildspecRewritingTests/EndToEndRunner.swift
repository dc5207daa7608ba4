import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a buildspec the way CodeBuild runs it, with the real AWS CLI against moto_server and a
/// `docker` stand-in whose pushes upload an image manifest into moto's ECR.
///
/// - The buildspec is read by PyYAML (the YAML library the AWS CLI brings), not by the tool's
///   own reader, so a misreading of the file by the tool is not repeated here.
/// - Version 0.2 keeps one shell state across commands and phases: every command runs in a new
///   `sh` (or `bash` with `env.shell: bash`) that first restores the variables and working folder
///   the previous command left (`set -a`, `export -p` and `pwd` saved on exit), so `exit 1` ends
///   the command, not the build. Version 0.1 runs each command in a fresh shell in the source
///   folder with only the build's environment.
/// - A command that exits non-zero ends its phase; `finally` still runs. A failed `install` or
///   `pre_build` ends the build; `post_build` runs after a failed `build`, and the artifacts are
///   then collected as CodeBuild does: a listed path that matches nothing is skipped, and none
///   matching at all fails UPLOAD_ARTIFACTS with `CLIENT_ERROR: no matching artifact paths found`.
/// - `env.parameter-store` values are read from moto's SSM with the CLI before the first phase.
struct EndToEndRunner {
    struct Options {
        /// The build's region (AWS_DEFAULT_REGION, AWS_REGION).
        var region = "us-east-1"
        /// CODEBUILD_RESOLVED_SOURCE_VERSION: the commit this pipeline run builds.
        var commit = "1111111111111111111111111111111111111111"
        var buildNumber = 1
        /// Environment variables of the CodeBuild project; as in CodeBuild they win over the
        /// buildspec's `env.variables` of the same name.
        var projectVariables: [String: String] = [:]
        /// The build's credentials: moto's default account accepts anything unless IAM checks are
        /// on, then it must be the key of a moto IAM user.
        var accessKey = "testing"
        var secretKey = "testing"
        /// Files of the source checkout, by relative path.
        var sourceFiles: [String: String] = [:]
    }

    struct Command: CustomStringConvertible {
        var phase: String
        var text: String
        var status: Int32
        var output: String
        var description: String { "[\(phase)] \(text) (exit status \(status))" }
    }

    struct Result: CustomStringConvertible {
        /// A CodeBuild-style log: every command, its output, phase results, artifact collection.
        var log: String
        /// State of each phase that ran: "SUCCEEDED" or "FAILED" (UPLOAD_ARTIFACTS included).
        var phases: [(name: String, state: String)]
        var failedCommands: [Command]
        /// Artifact paths that matched nothing ("Skipping invalid file path"), nil when the build
        /// ended before UPLOAD_ARTIFACTS.
        var skippedArtifacts: [String]?
        var uploadedArtifacts: [String]
        /// The build's status as CodePipeline sees it: the Deploy stage runs only after SUCCEEDED.
        var succeeded: Bool
        /// Every file left in the source folder that was not part of the checkout (or changed).
        var outputs: [String: [UInt8]]

        var description: String { log }

        func state(of phase: String) -> String? { phases.first { $0.name == phase }?.state }
    }

    static func run(_ buildspec: [UInt8], moto: EndToEndMoto, options: Options) async throws -> Result {
        let spec = try await EndToEndSpec.read(buildspec, python: moto.tools.python)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-codebuild-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let bin = root.appendingPathComponent("bin"), source = root.appendingPathComponent("src"), scripts = root.appendingPathComponent("scripts")
        for folder in [bin, source, scripts] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }

        // The checkout: the buildspec, the given files, stand-ins for programs run by relative path.
        try Data(buildspec).write(to: source.appendingPathComponent("buildspec.yml"))
        for (path, text) in options.sourceFiles {
            let url = source.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let programs = EndToEndStubs.programs(in: spec.phases.flatMap { $0.commands + $0.finally })
        for program in programs where program.hasPrefix("./") && !FileManager.default.fileExists(atPath: source.appendingPathComponent(program).path) {
            try EndToEndStubs.install(EndToEndStubs.noOp(program), at: source.appendingPathComponent(program))
        }
        try EndToEndStubs.installAll(for: programs, in: bin)
        let checkout = try snapshot(source)

        let awsFolder = URL(fileURLWithPath: moto.tools.aws).deletingLastPathComponent().path
        var environment: [String: String] = [
            "PATH": "\(bin.path):\(awsFolder):/usr/local/bin:/usr/bin:/bin",
            "HOME": root.appendingPathComponent("home").path, "LANG": "C.UTF-8", "TMPDIR": root.path,
            "AWS_ENDPOINT_URL": moto.endpoint, "AWS_ACCESS_KEY_ID": options.accessKey, "AWS_SECRET_ACCESS_KEY": options.secretKey,
            "AWS_DEFAULT_REGION": options.region, "AWS_REGION": options.region,
            "AWS_CONFIG_FILE": root.appendingPathComponent("no-aws-config").path,
            "AWS_SHARED_CREDENTIALS_FILE": root.appendingPathComponent("no-aws-credentials").path,
            "AWS_EC2_METADATA_DISABLED": "true",
            "CODEBUILD_SRC_DIR": source.path, "CODEBUILD_RESOLVED_SOURCE_VERSION": options.commit,
            "CODEBUILD_SOURCE_VERSION": options.commit, "CODEBUILD_BUILD_NUMBER": String(options.buildNumber),
            "CODEBUILD_BUILD_ID": "e2e-project:build-\(options.buildNumber)", "CODEBUILD_INITIATOR": "codepipeline/e2e-pipeline",
            "CODEBUILD_BUILD_SUCCEEDING": "1", "CODEBUILD_CI": "true",
        ]
        try FileManager.default.createDirectory(atPath: environment["HOME"]!, withIntermediateDirectories: true)
        for (name, value) in spec.variables { environment[name] = value }
        for (name, value) in options.projectVariables { environment[name] = value }

        var log = "[Container] Running the buildspec with \(moto.tools.awsVersion) against moto at \(moto.endpoint), region \(options.region)\n"
        var phases: [(name: String, state: String)] = []
        var failed: [Command] = []

        // Parameter Store values, as CodeBuild fetches them before the first phase.
        for (name, parameter) in spec.parameters {
            do {
                environment[name] = try EndToEndTools.capture(
                    [moto.tools.aws, "ssm", "get-parameter", "--name", parameter, "--with-decryption", "--query", "Parameter.Value", "--output", "text"],
                    environment: environment)
            } catch {
                let command = Command(phase: "DOWNLOAD_SOURCE", text: "aws ssm get-parameter --name \(parameter)", status: 1, output: "\(error)")
                log += "[Container] Phase context status code: Decrypted Variables Error Message: \(error)\n"
                return Result(log: log, phases: [("DOWNLOAD_SOURCE", "FAILED")], failedCommands: [command], skippedArtifacts: nil,
                              uploadedArtifacts: [], succeeded: false, outputs: [:])
            }
        }

        let shell = spec.shell?.contains("bash") == true ? "/bin/bash" : "/bin/sh"
        let state = scripts.appendingPathComponent("state")
        var stateText = environment.sorted { $0.key < $1.key }.map { "export \($0.key)=\(quote($0.value))\n" }.joined()
        stateText += "cd \(quote(source.path))\n"
        try Data(stateText.utf8).write(to: state)
        let initialState = scripts.appendingPathComponent("initial-state")
        try Data(stateText.utf8).write(to: initialState)

        var number = 0
        var buildFailed = false, buildEnded = false
        for phase in spec.phases where !phase.commands.isEmpty || !phase.finally.isEmpty {
            let upper = phase.name.uppercased()
            if buildEnded {
                log += "[Container] Phase \(upper) not run: the build ended\n"
                continue
            }
            log += "[Container] Entering phase \(upper)\n"
            var phaseFailed = false
            for (block, commands) in [("commands", phase.commands), ("finally", phase.finally)] {
                for text in commands {
                    if phaseFailed && block == "commands" { break }
                    number += 1
                    let commandFile = scripts.appendingPathComponent("command-\(number).sh")
                    try Data((text + "\n").utf8).write(to: commandFile)
                    let wrapper = scripts.appendingPathComponent("run-\(number).sh")
                    let saved = scripts.appendingPathComponent("state-\(number)"), folder = scripts.appendingPathComponent("pwd-\(number)")
                    var script = "set -a\n"
                    if spec.version == "0.1" {
                        script += ". \(quote(initialState.path))\n"
                    } else {
                        script += ". \(quote(state.path))\n"
                        script += "trap 'export -p > \(quote(saved.path)); pwd > \(quote(folder.path))' EXIT\n"
                    }
                    script += ". \(quote(commandFile.path))\n"
                    try Data(script.utf8).write(to: wrapper)
                    log += "[Container] Running command \(text)\n"
                    let (status, output) = try await execute(shell, wrapper.path, in: source, output: scripts.appendingPathComponent("out-\(number)"))
                    log += output.isEmpty || output.hasSuffix("\n") ? output : output + "\n"
                    if spec.version != "0.1", let exported = FileManager.default.contents(atPath: saved.path),
                       let cwd = FileManager.default.contents(atPath: folder.path) {
                        let directory = String(decoding: cwd, as: UTF8.self).trimmingCharacters(in: .newlines)
                        try (exported + Data("cd \(quote(directory))\n".utf8)).write(to: state)
                    }
                    if status != 0 {
                        log += "[Container] Command did not exit successfully \(text) exit status \(status)\n"
                        failed.append(Command(phase: upper, text: text, status: status, output: output))
                        phaseFailed = true
                        if block == "finally" { break }
                    }
                }
            }
            phases.append((upper, phaseFailed ? "FAILED" : "SUCCEEDED"))
            log += "[Container] Phase complete: \(upper) State: \(phaseFailed ? "FAILED" : "SUCCEEDED")\n"
            if phaseFailed {
                buildFailed = true
                for file in [state, initialState] {
                    var text = (FileManager.default.contents(atPath: file.path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
                    text += "export CODEBUILD_BUILD_SUCCEEDING=0\n"
                    try Data(text.utf8).write(to: file)
                }
                if phase.name == "install" || phase.name == "pre_build" { buildEnded = true }
            }
        }

        let after = try snapshot(source)
        let outputs = after.filter { checkout[$0.key] != $0.value }
        guard !buildEnded else {
            return Result(log: log, phases: phases, failedCommands: failed, skippedArtifacts: nil, uploadedArtifacts: [],
                          succeeded: false, outputs: outputs)
        }

        // UPLOAD_ARTIFACTS
        let base = spec.baseDirectory.map { $0 == "." ? "" : $0.hasSuffix("/") ? $0 : $0 + "/" } ?? ""
        var skipped: [String] = [], uploaded: [String] = []
        log += "[Container] Expanding base directory path: \(spec.baseDirectory ?? ".")\n"
        for pattern in spec.artifactFiles {
            let matcher = try globRegex(base + pattern)
            let matches = after.keys.filter { $0.wholeMatch(of: matcher) != nil }.sorted()
            log += "[Container] Expanding \(pattern)\n"
            if matches.isEmpty {
                log += "[Container] Skipping invalid file path \(pattern)\n"
                skipped.append(pattern)
            }
            uploaded.append(contentsOf: matches)
        }
        var uploadFailed = false
        if !spec.artifactFiles.isEmpty && uploaded.isEmpty {
            uploadFailed = true
            log += "[Container] Phase complete: UPLOAD_ARTIFACTS State: FAILED\n"
            log += "[Container] Phase context status code: CLIENT_ERROR Message: no matching artifact paths found\n"
        } else {
            log += "[Container] Phase complete: UPLOAD_ARTIFACTS State: SUCCEEDED\n"
        }
        phases.append(("UPLOAD_ARTIFACTS", uploadFailed ? "FAILED" : "SUCCEEDED"))
        let succeeded = !buildFailed && !uploadFailed
        log += "[Container] Build \(succeeded ? "SUCCEEDED" : "FAILED")\n"
        return Result(log: log, phases: phases, failedCommands: failed, skippedArtifacts: skipped, uploadedArtifacts: uploaded,
                      succeeded: succeeded, outputs: outputs)
    }

    /// Runs `shell script` with an empty environment (the script restores the build's) and
    /// returns its exit status and its standard output and error, interleaved.
    private static func execute(_ shell: String, _ script: String, in folder: URL, output: URL) async throws -> (Int32, String) {
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        defer { try? handle.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: shell)
        process.arguments = [script]
        process.environment = [:]
        process.currentDirectoryURL = folder
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            // No command of a sample takes long: a hung one is killed, and fails.
            // (SIGKILL: children of Foundation's Process may have SIGTERM blocked on Linux.)
            let pid = process.processIdentifier
            DispatchQueue.global().asyncAfter(deadline: .now() + 180) { [process] in
                if process.isRunning { kill(pid, SIGKILL) }
            }
        }
        let text = (FileManager.default.contents(atPath: output.path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return (status, text)
    }

    private static func snapshot(_ folder: URL) throws -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        guard let walker = FileManager.default.enumerator(atPath: folder.path) else { return files }
        for case let path as String in walker {
            var isFolder: ObjCBool = false
            let url = folder.appendingPathComponent(path)
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), !isFolder.boolValue,
                  let data = FileManager.default.contents(atPath: url.path) else { continue }
            files[path] = Array(data)
        }
        return files
    }

    /// CodeBuild's artifact paths: `**` any folders, `*` and `?` within one name.
    private static func globRegex(_ pattern: String) throws -> Regex<AnyRegexOutput> {
        var regex = ""
        var characters = Array(pattern.hasPrefix("./") ? String(pattern.dropFirst(2)) : pattern)[...]
        while let character = characters.popFirst() {
            switch character {
            case "*" where characters.first == "*":
                characters.removeFirst()
                if characters.first == "/" { characters.removeFirst(); regex += "(?:.*/)?" } else { regex += ".*" }
            case "*": regex += "[^/]*"
            case "?": regex += "[^/]"
            default: regex += NSRegularExpression.escapedPattern(for: String(character))
            }
        }
        return try Regex(regex)
    }

    static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\"'\"'") + "'" }
}

/// A buildspec as PyYAML reads it.
struct EndToEndSpec: Decodable {
    struct Phase: Decodable {
        var name: String
        var commands: [String]
        var finally: [String]
    }

    var version: String
    var shell: String?
    var variables: [String: String]
    var parameters: [String: String]
    var phases: [Phase]
    var artifactFiles: [String]
    var baseDirectory: String?

    static let reader = #"""
    import json, sys, yaml
    d = yaml.safe_load(sys.stdin.buffer.read())
    if not isinstance(d, dict):
        sys.exit("not a buildspec: " + repr(d)[:200])
    text = lambda v: v if isinstance(v, str) else ("true" if v is True else "false" if v is False else str(v))
    version = text(d.get("version"))
    env = d.get("env") or {}
    variables = {}
    if version == "0.1":
        variables.update((d.get("environment_variables") or {}).get("plaintext") or {})
    variables.update(env.get("variables") or {})
    phases = []
    for name in ["install", "pre_build", "build", "post_build"]:
        p = (d.get("phases") or {}).get(name) or {}
        phases.append({"name": name,
                       "commands": [text(c) if not isinstance(c, dict) else sys.exit("a command is a mapping: %r" % c) for c in p.get("commands") or []],
                       "finally": [text(c) for c in p.get("finally") or []]})
    artifacts = d.get("artifacts") or {}
    files = artifacts.get("files") or []
    print(json.dumps({"version": version, "shell": env.get("shell"),
                      "variables": {k: text(v) for k, v in variables.items()},
                      "parameters": {k: text(v) for k, v in (env.get("parameter-store") or {}).items()},
                      "phases": phases,
                      "artifactFiles": [files] if isinstance(files, str) else [text(f) for f in files],
                      "baseDirectory": artifacts.get("base-directory")}))
    """#

    static func read(_ buildspec: [UInt8], python: String) async throws -> EndToEndSpec {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-buildspec-\(UUID().uuidString).yml")
        try Data(buildspec).write(to: input)
        defer { try? FileManager.default.removeItem(at: input) }
        let json = try EndToEndTools.capture(["/bin/sh", "-c", "exec \"$0\" -c \"$1\" < \"$2\"", python, reader, input.path])
        return try JSONDecoder().decode(EndToEndSpec.self, from: Data(json.utf8))
    }
}

/// The programs a build calls that are not the AWS CLI or a basic utility: `docker` (pushes go
/// to moto's ECR) and no-op stand-ins for the rest (git, mvn, npm, ./mvnw...).
enum EndToEndStubs {
    /// Utilities that run for real. Everything else a command starts is replaced.
    static let real: Set<String> = [
        "aws", "sh", "bash", "echo", "printf", "cat", "cut", "date", "sed", "grep", "tee", "jq", "mkdir", "ls", "cp", "mv",
        "rm", "touch", "env", "sort", "head", "tail", "tr", "wc", "xargs", "basename", "dirname", "pwd", "find", "test",
        "[", "true", "false", "sleep", "awk", "uname", "sha256sum", "base64", "python3", "chmod", "id", "whoami",
    ]
    /// Shell words that start no program.
    static let shellWords: Set<String> = [
        "if", "then", "else", "elif", "fi", "for", "in", "do", "done", "while", "until", "case", "esac", "function",
        "export", "set", "unset", "cd", ".", ":", "exit", "return", "eval", "exec", "read", "local", "shift", "trap",
        "source", "declare", "readonly", "[[", "]]", "{", "}", "!", "wait", "command", "type", "umask", "alias",
    ]

    /// A rough reading of the words in command position: enough to know which programs to stand
    /// in for (one too many is harmless, one too few shows as "not found" in the build log).
    static func programs(in commands: [String]) -> Set<String> {
        var found: Set<String> = []
        let separators = try! Regex(#"(?:^|\n|;|&&|\|\||\||\$\(|`|\(|\{|\bthen\b|\belse\b|\bdo\b|!)\s*"#)
        for command in commands {
            for match in command.matches(of: separators) {
                var rest = command[match.range.upperBound...]
                // Skip leading assignments: NAME=value (a value without spaces, or quoted).
                while let assignment = rest.prefixMatch(of: try! Regex(#"[A-Za-z_][A-Za-z0-9_]*=(?:"[^"]*"|'[^']*'|[^\s;&|]*)\s*"#)) {
                    rest = rest[assignment.range.upperBound...]
                }
                guard let word = rest.prefixMatch(of: try! Regex(#"[A-Za-z0-9_./+-]+"#)) else { continue }
                let name = String(rest[word.range])
                if shellWords.contains(name) || real.contains(name) || name.first == "-" { continue }
                if name.contains("/") && !name.hasPrefix("./") { continue }
                found.insert(name)
            }
        }
        return found
    }

    static func installAll(for programs: Set<String>, in bin: URL) throws {
        for program in programs where !program.contains("/") && program != "docker" {
            try install(noOp(program), at: bin.appendingPathComponent(program))
        }
        try install(docker, at: bin.appendingPathComponent("docker"))
    }

    static func noOp(_ name: String) -> String { "#!/bin/sh\n# stand-in for \(name): does nothing\nexit 0\n" }

    static func install(_ script: String, at url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ExecutableScript.write(script, to: url)
    }

    /// `docker push REF`, `docker image push REF` and `docker [buildx] build --push -t REF` upload
    /// a small docker v2 manifest to the ECR repository of REF with `aws ecr put-image` (the
    /// region comes from the registry host, else the build's region); the image's digest follows
    /// the commit and repository, so tags of one build share a digest as with `docker tag`.
    /// Re-pushing an unchanged image succeeds, as with docker. Refs outside ECR are not uploaded.
    /// Every other subcommand does nothing.
    static let docker = #"""
    #!/bin/sh
    # docker stand-in for the end-to-end tests.
    push() {
      ref=$1 name=$1 tag=latest
      case $name in *@*) echo "docker stand-in: cannot push by digest: $ref" >&2; return 1;; esac
      last=${name##*/}
      case $last in *:*) tag=${last##*:}; name=${name%:*};; esac
      host=
      case $name in */*) first=${name%%/*}; case $first in *.*|*:*|localhost) host=$first; name=${name#*/};; esac;; esac
      case $host in
        *.dkr.ecr.*.amazonaws.com|*.dkr.ecr.*.amazonaws.com.cn) region=${host#*.dkr.ecr.}; region=${region%%.*};;
        *) echo "docker stand-in: $ref is not in ECR; nothing uploaded"; return 0;;
      esac
      config=$(printf 'config %s %s' "$CODEBUILD_RESOLVED_SOURCE_VERSION" "$name" | sha256sum | cut -c 1-64)
      layer=$(printf 'layer %s %s' "$CODEBUILD_RESOLVED_SOURCE_VERSION" "$name" | sha256sum | cut -c 1-64)
      manifest='{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1472,"digest":"sha256:'$config'"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":31357624,"digest":"sha256:'$layer'"}]}'
      echo "The push refers to repository [$host/$name]"
      if out=$(AWS_MAX_ATTEMPTS=1 aws ecr put-image --region "$region" --repository-name "$name" --image-tag "$tag" \
               --image-manifest "$manifest" --query image.imageId.imageDigest --output text 2>&1); then
        echo "$tag: digest: $out size: 528"
        return 0
      fi
      case $out in *ImageAlreadyExistsException*) echo "$tag: digest: (unchanged) size: 528"; return 0;; esac
      echo "$out" >&2
      return 1
    }
    while [ $# -gt 0 ]; do
      case $1 in
        --config|--context|-c|-H|--host|-l|--log-level) shift 2;;
        -*) shift;;
        *) break;;
      esac
    done
    command=$1
    [ $# -gt 0 ] && shift
    case $command in
      image|buildx) [ $# -gt 0 ] && { command=$1; shift; };;
    esac
    case $command in
      login)
        for argument; do [ "$argument" = --password-stdin ] && cat > /dev/null; done
        echo "Login Succeeded"; exit 0;;
      push)
        while [ $# -gt 0 ]; do
          case $1 in
            --platform) shift 2;;
            -*) shift;;
            *) push "$1"; exit $?;;
          esac
        done
        echo "docker stand-in: push needs a reference" >&2; exit 1;;
      build)
        upload=no tags=
        for argument; do
          case $argument in --push|--output=type=registry*|-o=type=registry*) upload=yes;; esac
        done
        [ $upload = yes ] || exit 0
        while [ $# -gt 0 ]; do
          case $1 in
            -t|--tag) push "$2" || exit 1; shift 2;;
            --tag=*) push "${1#--tag=}" || exit 1; shift;;
            *) shift;;
          esac
        done
        exit 0;;
    esac
    exit 0
    """#
}
