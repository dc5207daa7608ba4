/// Random buildspecs built from the shapes real ones have: phases in order, comments and blank
/// lines, every quoting style, `- |` blocks, CRLF, a BOM, writers and pushes in varied places.
/// Seeded, so a failure can be replayed.
struct BuildspecGenerator {
    struct Generated {
        var text: String
        /// The shape chosen, for failure messages.
        var description: String
    }

    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    /// SplitMix64: small, fast and the same on every platform.
    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    private mutating func chance(_ percent: Int) -> Bool { int(0...99) < percent }

    private mutating func pick<T>(_ options: [T]) -> T { options[int(0...(options.count - 1))] }

    static let repositories = ["web", "api", "team/worker", "shop-frontend"]
    static let fillers = [
        "echo Logging in to Amazon ECR...", "aws --version", "npm ci", "npm test -- --ci", "mvn -B package",
        "echo Build started on `date`", "ls -la", "pip install -r requirements.txt", "make lint",
        "aws ecr get-login-password --region $AWS_DEFAULT_REGION | docker login --username AWS --password-stdin $REGISTRY",
        "docker build -t $REPOSITORY_URI:$IMAGE_TAG .", "echo \"Image tag is $IMAGE_TAG\"",
    ]

    mutating func generate() -> Generated {
        let version = chance(15) ? "0.1" : "0.2"
        let indent = pick([2, 4])
        let indentless = chance(20)
        let crlf = chance(20)
        let bom = chance(10)
        let finalNewline = !chance(15)
        let repository = pick(Self.repositories)
        let literalURI = chance(40)
        let pushPhase = int(1...3)
        let writerPhase = chance(80) ? max(pushPhase, int(1...3)) : int(1...3)
        let writerInFinally = chance(15)
        let pushInBlock = chance(20)
        let writerStyle = int(0...6)
        var lines: [String] = []
        if chance(30) { lines.append("# Build the \(repository) image and tell CodePipeline about it") }
        lines.append("version: \(version)")
        if chance(40) { lines.append("") }
        let envKey = version == "0.1" ? "environment_variables" : "env"
        let variablesKey = version == "0.1" ? "plaintext" : "variables"
        let pad = String(repeating: " ", count: indent)
        lines.append("\(envKey):")
        lines.append("\(pad)\(variablesKey):")
        lines.append("\(pad)\(pad)IMAGE_REPO_NAME: \"\(repository)\"")
        lines.append("\(pad)\(pad)IMAGE_TAG: latest")
        lines.append("phases:")
        let uri = literalURI ? "123456789012.dkr.ecr.eu-west-1.amazonaws.com/\(repository)"
            : "$AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/$IMAGE_REPO_NAME"
        for (number, phase) in ["install", "pre_build", "build", "post_build"].enumerated() {
            if number == 0, chance(50) { continue }
            lines.append("\(pad)\(phase):")
            if chance(15) { lines.append("\(pad)\(pad)# \(phase) steps") }
            lines.append("\(pad)\(pad)commands:")
            let item = indentless ? "\(pad)\(pad)- " : "\(pad)\(pad)\(pad)- "
            let continuation = String(repeating: " ", count: item.count)
            var commands: [String] = []
            if number == 1 { commands.append(version == "0.1" ? "echo setting up" : "REPOSITORY_URI=\(uri)") }
            for _ in 0..<int(0...4) { commands.append(quoted(pick(Self.fillers))) }
            let target = version == "0.1" ? uri : "$REPOSITORY_URI"
            if number == pushPhase {
                let push = chance(25) ? "docker buildx build -t \(target):$IMAGE_TAG --push ." : "docker push \(target):$IMAGE_TAG"
                if pushInBlock {
                    commands.append("|\n\(continuation)echo pushing\n\(continuation)\(push)\n\(continuation)echo pushed")
                } else {
                    commands.append(push)
                }
            }
            var finallyCommands: [String] = []
            if number == writerPhase {
                let writer = writerText(style: writerStyle, uri: target, continuation: continuation)
                if writerInFinally { finallyCommands.append(writer) } else { commands.append(writer) }
            }
            if chance(30) { commands.append(quoted("echo done with \(phase)")) }
            for (index, command) in commands.enumerated() {
                if index > 0, chance(10) { lines.append("") }
                if chance(8) { lines.append("\(item.dropLast(2))# a comment between items") }
                lines.append(item + command + (chance(8) && !command.hasPrefix("|") ? "  # trailing comment" : ""))
            }
            if !finallyCommands.isEmpty {
                lines.append("\(pad)\(pad)finally:")
                for command in finallyCommands { lines.append(item + command) }
            }
        }
        if chance(85) {
            lines.append("artifacts:")
            lines.append(chance(50) ? "\(pad)files: imagedefinitions.json" : "\(pad)files:\n\(pad)\(pad)- imagedefinitions.json")
        }
        var text = lines.joined(separator: "\n")
        if finalNewline { text += "\n" }
        if crlf { text = text.replacing("\n", with: "\r\n") }
        if bom { text = "\u{FEFF}" + text }
        let description = "version \(version), indent \(indent)\(indentless ? " indentless" : ""), crlf \(crlf), bom \(bom), "
            + "push in phase \(pushPhase)\(pushInBlock ? " (block)" : ""), writer style \(writerStyle) in phase \(writerPhase)"
            + "\(writerInFinally ? " (finally)" : "")"
        return Generated(text: text, description: description)
    }

    private mutating func quoted(_ command: String) -> String {
        switch int(0...9) {
        case 0 where !command.contains("'"): return "'\(command)'"
        case 1: return "\"" + command.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        default: return command.contains(": ") || command.contains(" #") ? "'\(command.replacing("'", with: "''"))'" : command
        }
    }

    private func writerText(style: Int, uri: String, continuation: String) -> String {
        let json = "'[{\"name\":\"app\",\"imageUri\":\"%s\"}]'"
        switch style {
        case 0: return "printf \(json) \(uri):$IMAGE_TAG > imagedefinitions.json"
        case 1: return "\"printf \(json.replacing("\"", with: "\\\"")) \(uri):$IMAGE_TAG > imagedefinitions.json\""
        case 2: return "printf \(json) \(uri):$IMAGE_TAG | tee imagedefinitions.json"
        case 3: return "mkdir -p out && printf \(json) \(uri):$IMAGE_TAG > imagedefinitions.json"
        case 4: return "|\n\(continuation)cat > imagedefinitions.json <<EOF\n\(continuation)[{\"name\":\"app\",\"imageUri\":\"\(uri):$IMAGE_TAG\"}]\n\(continuation)EOF"
        case 5: return "|\n\(continuation)echo writing\n\(continuation)printf \(json) \(uri):$IMAGE_TAG > imagedefinitions.json\n\(continuation)echo written"
        default: return "echo '[{\"name\":\"app\",\"imageUri\":\"'\(uri):$IMAGE_TAG'\"}]' > imagedefinitions.json"
        }
    }
}
