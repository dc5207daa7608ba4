import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing

/// The real programs the end-to-end tests drive: the AWS CLI (`aws`, pip package `awscli`), the
/// Python that runs it (with PyYAML, a dependency of `awscli`) and moto's local AWS API
/// (`moto_server`, pip package `moto[server]`).
struct EndToEndTools: Sendable {
    static let install = "run scripts/test (it installs them into .venv), or pip install 'moto[server]' awscli"

    /// The `aws` program itself (a pyenv shim is resolved to the script it runs).
    var aws: String
    /// The Python interpreter of that `aws` script, which can `import yaml`.
    var python: String
    var motoServer: String
    var awsVersion: String

    static func find() throws -> EndToEndTools {
        var missing: [String] = []
        let aws = resolve("aws"), moto = resolve("moto_server")
        if aws == nil { missing.append("`aws` (the AWS CLI) is not on PATH") }
        if moto == nil { missing.append("`moto_server` (moto's local AWS API) is not on PATH") }
        guard let aws, let moto else { throw EndToEndError.toolsMissing(missing) }
        let version = (try? capture([aws, "--version"])) ?? ""
        guard version.hasPrefix("aws-cli/") else {
            throw EndToEndError.toolsMissing(["`\(aws) --version` printed \"\(version)\", not aws-cli/..."])
        }
        var python = "python3"
        if let head = FileManager.default.contents(atPath: aws).map({ String(decoding: $0.prefix(300), as: UTF8.self) }),
           head.hasPrefix("#!"), let line = head.split(separator: "\n").first {
            let interpreter = line.dropFirst(2).trimmingCharacters(in: .whitespaces)
            if interpreter.hasPrefix("/"), !interpreter.contains(" "), FileManager.default.isExecutableFile(atPath: interpreter) {
                python = interpreter
            }
        }
        guard (try? capture([python, "-c", "import yaml"])) != nil else {
            throw EndToEndError.toolsMissing(["\(python) cannot `import yaml` (PyYAML comes with awscli)"])
        }
        return EndToEndTools(aws: aws, python: python, motoServer: moto, awsVersion: version)
    }

    /// The file `name` runs from the test process's PATH. A pyenv shim is asked which program it
    /// would run, so that builds do not pay for `pyenv exec` on every call.
    private static func resolve(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        guard let found = path.split(separator: ":").map({ "\($0)/\(name)" })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return nil }
        if let text = FileManager.default.contents(atPath: found).map({ String(decoding: $0.prefix(2000), as: UTF8.self) }),
           text.contains("pyenv\" exec"),
           let real = try? capture(["/bin/sh", "-c", "exec pyenv which \"$0\"", name]),
           FileManager.default.isExecutableFile(atPath: real) {
            return real
        }
        return found
    }

    /// Runs `arguments` with the test process's environment and returns its trimmed standard
    /// output; throws when it exits non-zero.
    static func capture(_ arguments: [String], environment: [String: String]? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        if let environment { process.environment = environment }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0 else { throw EndToEndError.commandFailed(arguments, text) }
        return text
    }
}

enum EndToEndError: Error, CustomStringConvertible {
    case toolsMissing([String])
    case commandFailed([String], String)
    case moto(String)
    case runner(String)

    var description: String {
        switch self {
        case .toolsMissing(let reasons):
            return "The end-to-end tests need the real AWS CLI and moto: \(reasons.joined(separator: "; ")). "
                + "Install them with: \(EndToEndTools.install)"
        case .commandFailed(let arguments, let output):
            return "`\(arguments.joined(separator: " "))` failed:\n\(output)"
        case .moto(let message): return "moto_server: \(message)"
        case .runner(let message): return message
        }
    }
}

/// One `moto_server` on a free loopback port, shared by the suite (see `EndToEndMotoScope`).
///
/// It is started behind a small `sh` watchdog that stops it when the test process is gone, so a
/// crashed test run leaves no server behind; `stop()` ends both.
final class EndToEndMoto: @unchecked Sendable {
    @TaskLocal static var current: EndToEndMoto?

    let tools: EndToEndTools
    let port: Int
    let endpoint: String
    private let watchdog: Process
    private let folder: URL

    private init(tools: EndToEndTools, port: Int, watchdog: Process, folder: URL) {
        self.tools = tools
        self.port = port
        self.endpoint = "http://127.0.0.1:\(port)"
        self.watchdog = watchdog
        self.folder = folder
    }

    static func start() async throws -> EndToEndMoto {
        let tools = try EndToEndTools.find()
        var failures: [String] = []
        for _ in 0..<3 {
            let port = try freeLoopbackPort()
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-moto-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let log = folder.appendingPathComponent("moto.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let watchdog = Process()
            watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
            // $0 moto_server, $1 port, $2 the test process, $3 the file for moto's process id.
            watchdog.arguments = ["-c", #"""
                "$0" -H 127.0.0.1 -p "$1" & moto=$!
                echo $moto > "$3"
                trap 'kill -9 $moto 2>/dev/null; wait $moto 2>/dev/null; exit 0' TERM INT HUP
                while kill -0 "$2" 2>/dev/null && kill -0 $moto 2>/dev/null; do sleep 1; done
                kill -9 $moto 2>/dev/null; wait $moto 2>/dev/null
                """#, tools.motoServer, String(port), String(getpid()), folder.appendingPathComponent("moto.pid").path]
            var environment = ProcessInfo.processInfo.environment
            environment["PYTHONUNBUFFERED"] = "1"
            watchdog.environment = environment
            let handle = try FileHandle(forWritingTo: log)
            watchdog.standardOutput = handle
            watchdog.standardError = handle
            watchdog.standardInput = FileHandle.nullDevice
            try watchdog.run()
            let server = EndToEndMoto(tools: tools, port: port, watchdog: watchdog, folder: folder)
            let deadline = Date().addingTimeInterval(90)
            while Date() < deadline, watchdog.isRunning {
                if (try? await server.post("/moto-api/reset")) != nil { return server }
                try await Task.sleep(nanoseconds: 200_000_000)
            }
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            server.stop()
            failures.append("port \(port): \(output.suffix(1500))")
        }
        throw EndToEndError.moto("did not answer on 127.0.0.1:\n" + failures.joined(separator: "\n"))
    }

    /// Ends the server and its watchdog. Processes that Foundation starts on Linux inherit the
    /// blocked signals of a dispatch thread, SIGTERM among them, so moto is sent SIGKILL.
    func stop() {
        if let text = FileManager.default.contents(atPath: folder.appendingPathComponent("moto.pid").path),
           let pid = Int32(String(decoding: text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0 {
            kill(pid, SIGKILL)
        }
        // The watchdog sees the server gone within a second or two and exits.
        let deadline = Date().addingTimeInterval(10)
        while watchdog.isRunning && Date() < deadline { usleep(100_000) }
        if watchdog.isRunning { kill(watchdog.processIdentifier, SIGKILL) }
        watchdog.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }

    /// Runs the real AWS CLI against this server (for preparing a state), with dummy credentials
    /// unless others are given, and no configuration file of the machine.
    func aws(_ arguments: [String], region: String, accessKey: String = "testing", secretKey: String = "testing") throws -> String {
        let environment = [
            "PATH": URL(fileURLWithPath: tools.aws).deletingLastPathComponent().path + ":/usr/local/bin:/usr/bin:/bin",
            "HOME": folder.path, "LANG": "C.UTF-8", "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": accessKey, "AWS_SECRET_ACCESS_KEY": secretKey, "AWS_DEFAULT_REGION": region,
            "AWS_CONFIG_FILE": folder.appendingPathComponent("no-aws-config").path,
            "AWS_SHARED_CREDENTIALS_FILE": folder.appendingPathComponent("no-aws-credentials").path,
            "AWS_EC2_METADATA_DISABLED": "true", "AWS_MAX_ATTEMPTS": "1",
        ]
        return try EndToEndTools.capture([tools.aws] + arguments, environment: environment)
    }

    /// Forgets every repository, image, IAM user...; checks requests' credentials no longer.
    func reset() async throws {
        try await setIAMEnforcement(false)
        _ = try await post("/moto-api/reset")
    }

    /// From now on every request must be signed with credentials of an IAM user of moto and be
    /// allowed by that user's policies (or no longer, with `false`).
    func setIAMEnforcement(_ enforced: Bool) async throws {
        _ = try await post("/moto-api/reset-auth", body: enforced ? "0" : "inf")
    }

    /// Every ECR repository moto holds and its images, read from moto's own model (not through
    /// the AWS CLI).
    func registry() async throws -> EndToEndRegistry {
        let data = try await get("/moto-api/data.json")
        guard let root = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw EndToEndError.moto("data.json is not an object")
        }
        let ecr = root["ecr"] as? [String: Any] ?? [:]
        var registry = EndToEndRegistry()
        var regionOf: [String: String] = [:]
        for case let repository as [String: Any] in ecr["Repository"] as? [Any] ?? [] {
            guard let name = repository["name"] as? String, let region = repository["region_name"] as? String else { continue }
            regionOf[name] = region
            registry.repositories["\(region)/\(name)", default: [:]] = [:]
        }
        for case let image as [String: Any] in ecr["Image"] as? [Any] ?? [] {
            guard let name = image["repository_name"] as? String, let region = regionOf[name],
                  let digest = image["image_digest"] as? String else { continue }
            for tag in image["image_tags"] as? [String] ?? [] {
                registry.repositories["\(region)/\(name)", default: [:]][tag] = digest
            }
        }
        return registry
    }

    private func post(_ path: String, body: String? = nil) async throws -> Data {
        var request = URLRequest(url: URL(string: endpoint + path)!)
        request.httpMethod = "POST"
        request.timeoutInterval = 30
        if let body {
            request.setValue("text/plain", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.utf8)
        }
        return try await send(request)
    }

    private func get(_ path: String) async throws -> Data {
        var request = URLRequest(url: URL(string: endpoint + path)!)
        request.timeoutInterval = 30
        return try await send(request)
    }

    private func send(_ request: URLRequest) async throws -> Data {
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let status = (response as? HTTPURLResponse)?.statusCode, status == 200 else {
            throw EndToEndError.moto("\(request.httpMethod ?? "GET") \(request.url?.path ?? "") answered "
                + "\((response as? HTTPURLResponse)?.statusCode ?? 0): \(String(decoding: data.prefix(500), as: UTF8.self))")
        }
        return data
    }

    private static func freeLoopbackPort() throws -> Int {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw EndToEndError.moto("socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
        }
        guard bound else { throw EndToEndError.moto("no free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Repositories by `region/name`, each with its tags and the digest each tag points to.
struct EndToEndRegistry: Equatable, CustomStringConvertible {
    var repositories: [String: [String: String]] = [:]

    var description: String {
        repositories.keys.sorted().map { key in
            let tags = repositories[key]!.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.prefix(19))…" }
            return "\(key) [\(tags.joined(separator: ", "))]"
        }.joined(separator: "; ")
    }

    func tags(_ region: String, _ name: String) -> [String: String]? { repositories["\(region)/\(name)"] }
}

/// Starts one moto_server for the suite it is attached to and stops it afterwards, also when a
/// test fails; its tests find it in `EndToEndMoto.current`.
struct EndToEndMotoScope: SuiteTrait, TestScoping {
    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let server = try await EndToEndMoto.start()
        defer { server.stop() }
        try await EndToEndMoto.$current.withValue(server) { try await function() }
    }
}

extension Trait where Self == EndToEndMotoScope {
    /// One moto_server for the whole suite.
    static var motoServer: Self { Self() }
}
