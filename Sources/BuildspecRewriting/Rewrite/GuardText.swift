/// The shell text the rewrite adds: the registry query and the guard around a writer.
/// POSIX sh only: CodeBuild runs commands with dash unless `env.shell` says otherwise.
struct GuardText {
    /// Where one repository's answer is kept: a variable (0.2 keeps one shell), or a file in
    /// the source folder (0.1 runs every command in a new shell).
    struct Answer {
        var repository: ImageRepository
        var variable: String
        var file: String
    }

    let version: Buildspec.Version

    static let skipMessage = "ECR repository had no image before this build; not writing image definitions so the first deploy does not run"

    /// The command that lists at most one image of the repository, asking the registry the
    /// reference names: ECR Public in us-east-1 (the only region serving its API), a private
    /// registry with its account and region when the reference tells them.
    static func ask(_ repository: ImageRepository) -> String {
        // One array of room for every part, each appended alone: no array per option.
        var parts: [String] = []
        parts.reserveCapacity(7)
        parts.append(repository.isPublic ? "aws ecr-public describe-images --repository-name " : "aws ecr list-images --repository-name ")
        parts.append(repository.argument)
        if let account = repository.registryID {
            parts.append(" --registry-id ")
            parts.append(account)
        }
        if repository.isPublic {
            parts.append(" --region us-east-1")
        } else if let region = repository.region {
            parts.append(" --region ")
            parts.append(region)
        }
        parts.append(" --max-items 1")
        return String(concatenating: parts)
    }

    /// `ask`: `Self.ask(answer.repository)`, which the caller has already.
    func query(_ answer: Answer, asking ask: String) -> String {
        switch version {
        case .v02: String(concatenating: [answer.variable, "=$(", ask, ")"])
        case .v01: String(concatenating: [ask, " > ", answer.file])
        }
    }

    func condition(_ answers: [Answer]) -> String {
        var parts: [String] = []
        for answer in answers {
            if !parts.isEmpty { parts.append(" && ") }
            switch version {
            case .v02: parts += ["echo \"$", answer.variable, "\" | grep -q \"imageDigest\""]
            case .v01: parts += ["grep -q \"imageDigest\" ", answer.file]
            }
        }
        return String(concatenating: parts)
    }

    static let otherwise = "echo \"\(skipMessage)\""

    /// The guard's end, as lines and in one line: `else`, the message and `fi` for the guard
    /// that says the file is not written, only `fi` for the others.
    static let announcingClosing = (lines: ["else", "  " + otherwise, "fi"], inline: "; else " + otherwise + "; fi")
    static let quietClosing = (lines: ["fi"], inline: "; fi")
}

extension String {
    /// `count` spaces, written at once (`String(repeating:count:)` goes character by character).
    init(spaces count: Int) {
        self.init(unsafeUninitializedCapacity: count) { buffer in
            buffer.initialize(repeating: 0x20)
            return count
        }
    }

    /// The parts one after another, copied into one buffer of their total size: interpolation
    /// and `+` grow a string part by part, at an append and often an allocation per part.
    init(concatenating parts: [String]) {
        var count = 0
        for part in parts { count += part.utf8.count }
        self.init(unsafeUninitializedCapacity: count) { buffer in
            var end = 0
            for part in parts {
                end += UnsafeMutableBufferPointer(rebasing: buffer[end...]).initialize(from: part.utf8).1
            }
            return end
        }
    }
}
