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
        let account = repository.registryID.map { " --registry-id \($0)" } ?? ""
        if repository.isPublic {
            return "aws ecr-public describe-images --repository-name \(repository.argument)\(account) --region us-east-1 --max-items 1"
        }
        let region = repository.region.map { " --region \($0)" } ?? ""
        return "aws ecr list-images --repository-name \(repository.argument)\(account)\(region) --max-items 1"
    }

    func query(_ answer: Answer) -> String {
        let ask = Self.ask(answer.repository)
        switch version {
        case .v02: return "\(answer.variable)=$(\(ask))"
        case .v01: return "\(ask) > \(answer.file)"
        }
    }

    func condition(_ answers: [Answer]) -> String {
        answers.map { answer in
            switch version {
            case .v02: "echo \"$\(answer.variable)\" | grep -q \"imageDigest\""
            case .v01: "grep -q \"imageDigest\" \(answer.file)"
            }
        }.joined(separator: " && ")
    }

    var otherwise: String { "echo \"\(Self.skipMessage)\"" }
}
