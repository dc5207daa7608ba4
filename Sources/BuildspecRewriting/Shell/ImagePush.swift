/// A command that pushes an image to a registry, and the reference it pushes.
public struct ImagePush: Sendable {
    public var reference: ShellWord

    /// The pushes one simple command makes: `docker push REF`, `docker image push REF`,
    /// `podman push REF`, `docker build ... --push -t REF`, `docker buildx build --push -t REF`.
    public static func pushes(in command: ShellCommand) -> [ImagePush] {
        guard command.kind == .simple, let program = containerTool(in: command.words) else { return [] }
        // From the program on, and the words' literal texts alongside.
        let references = Array(command.words[program...])
        let words = references.map(\.literal)
        var position = 1
        while position < words.count, let word = words[position], word.hasPrefix("-") {
            position += globalOptionsWithValue.contains(word) ? 2 : 1
        }
        var subcommand: [String] = []
        while position < words.count, let word = words[position], subcommand.count < 2,
              ["push", "image", "buildx", "build", "b"].contains(word)
        {
            subcommand.append(word)
            position += 1
            if word == "push" || word == "build" || word == "b" { break }
        }
        // The arguments by their indexes in `words` and `references`: no array of pairs.
        let arguments = min(position, words.count)..<words.count
        switch subcommand {
        case ["push"], ["image", "push"]:
            var skipNext = false
            for index in arguments {
                if skipNext { skipNext = false; continue }
                if let text = words[index], text.hasPrefix("-") {
                    skipNext = text == "--platform"
                    continue
                }
                return [ImagePush(reference: references[index])]
            }
            return []
        case ["build"], ["buildx", "build"], ["buildx", "b"], ["image", "build"]:
            let texts = words[arguments]
            let pushes = texts.contains("--push")
                || texts.contains { $0?.hasPrefix("--output=type=registry") == true || $0 == "type=registry" }
            guard pushes else { return [] }
            var tags: [ImagePush] = []
            for index in arguments {
                guard case .text(let text) = references[index].segments.first else { continue }
                if references[index].segments.count == 1, text == "-t" || text == "--tag", index + 1 < words.count {
                    tags.append(ImagePush(reference: references[index + 1]))
                } else if text.hasPrefix("--tag=") || (text.hasPrefix("-t") && text.count > 2 && !text.hasPrefix("--")) {
                    var word = references[index]
                    let drop = text.hasPrefix("--tag=") ? 6 : 2
                    if case .text(let first) = word.segments.first {
                        word.segments[0] = .text(String(first.dropFirst(drop)))
                    }
                    if case .text("") = word.segments.first { word.segments.removeFirst() }
                    tags.append(ImagePush(reference: word))
                }
            }
            return tags
        default:
            return []
        }
    }

    /// Options of `docker` / `podman` themselves that take a value, before the subcommand.
    private static let globalOptionsWithValue: Set<String> = ["-H", "--host", "--config", "-c", "--context", "-l", "--log-level"]

    /// Where the program stands when it is `docker` or `podman`, after `sudo`, `command` or
    /// `exec`; nil for any other program (most commands, which need no closer look).
    private static func containerTool(in words: [ShellWord]) -> Int? {
        for (index, word) in words.enumerated() {
            guard let text = word.literal else { return nil }
            if text == "sudo" || text == "command" || text == "exec" { continue }
            let name = text.lastPathComponent
            return name == "docker" || name == "podman" ? index : nil
        }
        return nil
    }
}
