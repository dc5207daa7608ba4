import Foundation
import Testing

/// A sample run end to end: its rewritten buildspec (`expected.yml`) and its original
/// (`buildspec.yml`) run CodeBuild-style with the real AWS CLI against moto's ECR.
///
/// Everything the CodeBuild project would supply is written here, by hand, rather than derived
/// by the tool under test: the build's region (the region of the registry the file pushes to),
/// the repositories the CloudFormation stack creates, the definitions files the Deploy stage
/// reads, and how the first run of the rewritten file fails.
struct EndToEndSample: Sendable, CustomTestStringConvertible {
    var name: String
    /// The build's region.
    var region = "us-east-1"
    /// The account whose registry holds the repositories (the one the references name): moto
    /// answers a query with another `--registry-id` with RepositoryNotFoundException.
    var account = "123456789012"
    /// The region of that registry, when it is not the build's (moto keeps one per region).
    var registryRegion: String?
    /// The ECR repositories the stack creates, empty, in `account`'s registry in `registryRegion`.
    var repositories: [String]
    /// The image-definitions files the Deploy stage reads.
    var definitions = ["imagedefinitions.json"]
    var projectVariables: [String: String] = [:]
    var sourceFiles: [String: String] = [:]
    /// Parameter Store values (name, value) the buildspec's `env.parameter-store` reads.
    var parameters: [String: String] = [:]
    /// Lines of the rewritten file's first-run log that show how the build fails.
    var firstRunFailure: [String]
    /// For a CloudFormation sample, its template (`template.yaml`): the buildspec that runs is the
    /// first embedded one the rewrite changes, rendered as CloudFormation would.
    var template: String? = nil

    var testDescription: String { name }
    /// Where the repositories are.
    var repositoryRegion: String { registryRegion ?? region }

    /// The original buildspec and the rewritten one.
    func buildspecs() throws -> (original: [UInt8], rewritten: [UInt8]) {
        if name.hasPrefix("terraform-") { return try terraformBuildspecs() }
        guard let template else {
            return (try #require(SampleLocations.read(name, "buildspec.yml")), try #require(SampleLocations.read(name, "expected.yml")))
        }
        let expected = "expected." + (template.split(separator: ".").last.map(String.init) ?? "yaml")
        let originals = try CloudFormationRendering.buildspecs(try #require(SampleLocations.read(name, template)))
        let rewrittens = try CloudFormationRendering.buildspecs(try #require(SampleLocations.read(name, expected)))
        return try #require(zip(originals, rewrittens).first { $0 != $1 })
    }

    static let noMatchingArtifacts = "Phase context status code: CLIENT_ERROR Message: no matching artifact paths found"

    static let all: [EndToEndSample] = [
        // Plain list items; the registry host names eu-west-1, so the project runs there.
        EndToEndSample(name: "aws-tutorial", region: "eu-west-1", account: "111122223333", repositories: ["hello-world"],
                       firstRunFailure: ["Skipping invalid file path imagedefinitions.json", noMatchingArtifacts]),
        // Push and writer inside one `- |` block, whose last line `cat imagedefinitions.json` fails.
        EndToEndSample(name: "push-in-block", account: "444455556666", repositories: ["orders-service"],
                       firstRunFailure: ["Phase complete: BUILD State: FAILED", "Skipping invalid file path target/*.jar", noMatchingArtifacts]),
        // Version 0.1: a new shell per command; the answer is kept in a file.
        EndToEndSample(name: "version-01", region: "us-west-1", account: "505050505050", repositories: ["legacy-portal"],
                       firstRunFailure: ["Skipping invalid file path imagedefinitions.json", noMatchingArtifacts]),
        // Blue/green: imageDetail.json next to appspec.yaml and taskdef.json from the checkout.
        EndToEndSample(name: "image-detail", repositories: ["payments-gateway"], definitions: ["imageDetail.json"],
                       sourceFiles: ["appspec.yaml": "version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n",
                                     "taskdef.json": #"{"family":"payments-gateway","executionRoleArn":"arn:aws:iam::<ACCOUNT_ID>:role/ecsTaskExecutionRole"}"# + "\n"],
                       firstRunFailure: ["Command did not exit successfully cat imageDetail.json", "Phase complete: POST_BUILD State: FAILED",
                                         "Skipping invalid file path imageDetail.json"]),
        // One writer naming two repositories' images: it waits for both.
        EndToEndSample(name: "two-containers", account: "666677778888", repositories: ["shop-web", "shop-worker"],
                       firstRunFailure: ["Phase complete: POST_BUILD State: FAILED", noMatchingArtifacts]),
        // The writer in `finally`, reading a variable set by a command of the same phase.
        EndToEndSample(name: "writer-in-finally", region: "eu-west-2", account: "929292929292", repositories: ["auth-proxy"],
                       firstRunFailure: ["Skipping invalid file path imagedefinitions.json", noMatchingArtifacts]),
        // `env.shell: bash` (bash-only syntax), a Parameter Store variable read from moto's SSM.
        EndToEndSample(name: "env-shell-bash", region: "eu-south-1", account: "848484848484", repositories: ["geo-api"],
                       parameters: ["/geo-api/sentry-dsn": "sentry-dsn-for-the-tests"],
                       firstRunFailure: [noMatchingArtifacts]),
        // `docker buildx build --push` in one phase, the writer in the next.
        EndToEndSample(name: "buildx-push", region: "ap-south-1", account: "616161616161", repositories: ["media-transcoder"],
                       firstRunFailure: [noMatchingArtifacts]),
        // The repository URI is a variable of the CodeBuild project; a namespaced repository.
        EndToEndSample(name: "project-variable-repository", repositories: ["team/api"],
                       projectVariables: ["REPOSITORY_URI": "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api", "CONTAINER_NAME": "api"],
                       firstRunFailure: [noMatchingArtifacts]),
        // A central registry in another account and region than the build's: the query must
        // ask eu-west-1, where the repository is, not the build's us-east-2.
        EndToEndSample(name: "cross-account-region", region: "us-east-2", account: "111122223333", registryRegion: "eu-west-1",
                       repositories: ["team/app"], firstRunFailure: [noMatchingArtifacts]),
        // CloudFormation YAML, `BuildSpec: |`: the repository URI is the project's variable.
        EndToEndSample(name: "cfn-yaml-block", repositories: ["billing-api"], definitions: ["images.json"],
                       projectVariables: ["REPOSITORY_URI": "123456789012.dkr.ecr.us-east-1.amazonaws.com/billing-api"],
                       firstRunFailure: [noMatchingArtifacts], template: "template.yaml"),
        // `!Sub |`: the query names the template's own repository resource; the reference is made
        // of the stack's account and region, the build's own (the stack is rendered in them).
        EndToEndSample(name: "cfn-yaml-sub", region: CodeBuildRunner.region, account: CodeBuildRunner.account, repositories: ["sample-repository"],
                       firstRunFailure: [noMatchingArtifacts], template: "template.yaml"),
        // JSON `Fn::Join` of lines; the repository name is the project's variable.
        EndToEndSample(name: "cfn-json-join", repositories: ["orders"], projectVariables: ["IMAGE_REPO_NAME": "orders", "AWS_ACCOUNT_ID": "123456789012"],
                       firstRunFailure: [noMatchingArtifacts], template: "template.json"),
        // Terraform, rendered: the repository named through `${aws_ecr_repository.app.name}`.
        // `repository_url` is the module's own registry, rendered in the build's own region.
        EndToEndSample(name: "terraform-heredoc", region: CodeBuildRunner.region, account: CodeBuildRunner.account, repositories: ["shop/web"],
                       firstRunFailure: [noMatchingArtifacts]),
        // A custom heredoc marker, `$${VAR}` shell variables, the name through `${var.ecr_repo_name}`.
        EndToEndSample(name: "terraform-custom-marker", repositories: ["billing/worker"],
                       projectVariables: ["AWS_ACCOUNT_ID": "123456789012"], firstRunFailure: [noMatchingArtifacts]),
        // A `.tftpl` whose URI is a template variable held in a shell variable: `$${REPOSITORY_URI#*/}`.
        EndToEndSample(name: "terraform-tftpl", repositories: ["payments/api"],
                       parameters: ["/payments/dockerhub-token": "token-for-the-tests"], firstRunFailure: [noMatchingArtifacts]),
    ]

    /// The samples on which a missing repository is tried.
    static let missingRepository = all.filter {
        ["aws-tutorial", "push-in-block", "version-01", "image-detail", "two-containers", "writer-in-finally"].contains($0.name)
    }

    /// The samples on which the slower permission scenario runs: a plain item, a `- |` block,
    /// version 0.1 and two repositories.
    static let denied = all.filter { ["aws-tutorial", "push-in-block", "version-01", "two-containers"].contains($0.name) }
}

/// End-to-end proof against a real ECR API (moto_server) and the real AWS CLI.
///
/// Needs `aws` and `moto_server` on PATH: `scripts/test` puts them there. Without them the
/// suite fails (the test run exits non-zero) with a message naming what is missing and that command.
@Suite(.serialized, .motoServer)
struct EndToEndTests {
    static let commitA = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
    static let commitB = "b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f80"

    var moto: EndToEndMoto {
        get throws { try #require(EndToEndMoto.current, "no moto_server: the suite trait did not start one") }
    }

    /// Scenarios 1, 2 and 4: the stack was just created (every repository exists and is empty).
    ///
    /// The ORIGINAL file's first run pushes and writes the definitions and succeeds, so Deploy
    /// would start while CloudFormation still waits for the service: the deadlock. The REWRITTEN
    /// file's first run, from an identically prepared registry, pushes the same images (the
    /// registry ends identical) but writes no definitions, and the build fails (on the missing
    /// artifact, or on a later command that reads the file), so Deploy does not start. The second run of each (a new commit, the registry
    /// holding run 1's images) succeeds, and the rewritten one writes byte for byte what the
    /// original writes, naming images that are in the registry.
    @Test(arguments: EndToEndSample.all)
    func firstRunDoesNotDeployLaterRunsWriteWhatTheOriginalWrites(_ sample: EndToEndSample) async throws {
        let moto = try moto
        let (original, rewritten) = try sample.buildspecs()
        try #require(original != rewritten, "\(sample.name): the rewrite changes nothing")

        // Scenario 4: the original file on the new stack.
        try await prepare(sample, on: moto)
        let empty = try await moto.registry()
        for repository in sample.repositories {
            #expect(empty.tags(sample.repositoryRegion, repository) == [:], "\(repository) should exist and be empty: \(empty)")
        }
        let originalFirst = try await build(original, sample, on: moto, commit: Self.commitA, number: 1)
        #expect(originalFirst.succeeded, "the original's first run should succeed\n\(originalFirst)")
        for file in sample.definitions {
            #expect(originalFirst.outputs[file] != nil, "the original's first run should write \(file) (the deadlock)\n\(originalFirst)")
        }
        let afterOriginalFirst = try await moto.registry()
        for repository in sample.repositories {
            #expect(afterOriginalFirst.tags(sample.repositoryRegion, repository)?.isEmpty == false,
                    "the original's first run should push to \(repository): \(afterOriginalFirst)\n\(originalFirst)")
        }
        let originalLater = try await build(original, sample, on: moto, commit: Self.commitB, number: 2)
        #expect(originalLater.succeeded, "the original's second run should succeed\n\(originalLater)")
        let afterOriginalLater = try await moto.registry()

        // Scenario 1: the rewritten file on the new stack.
        try await prepare(sample, on: moto)
        #expect(try await moto.registry() == empty)
        let first = try await build(rewritten, sample, on: moto, commit: Self.commitA, number: 1)
        let afterFirst = try await moto.registry()
        #expect(afterFirst == afterOriginalFirst, "the first run should push what the original pushes")
        Self.record(Self.firstRunProblems(first, sample), of: first, sample)

        // Scenario 2: the next run, from the same registry the original's next run started from.
        let later = try await build(rewritten, sample, on: moto, commit: Self.commitB, number: 2)
        #expect(later.succeeded, "a later run should succeed\n\(later)")
        for file in sample.definitions {
            let written = try #require(later.outputs[file], "a later run wrote no \(file)\n\(later)")
            #expect(written == originalLater.outputs[file],
                    "\(file) differs: \(String(decoding: written, as: UTF8.self)) vs \(originalLater.outputs[file].map { String(decoding: $0, as: UTF8.self) } ?? "nothing")")
            for uri in Self.imageURIs(in: written) {
                #expect(Self.isInRegistry(uri, afterOriginalLater), "\(file) names \(uri), which is not in the registry: \(afterOriginalLater)")
            }
        }
        let outputs = later.outputs.filter { $0.key != ".repository-images" }
        #expect(outputs == originalLater.outputs, "a later run left other files: \(outputs.keys.sorted()) vs \(originalLater.outputs.keys.sorted())")
        #expect(try await moto.registry() == afterOriginalLater, "a later run should push what the original pushes")
        #expect(later.uploadedArtifacts == originalLater.uploadedArtifacts)
    }

    /// Scenario 3: the query fails because the repository it names does not exist (for two
    /// repositories, the second). The phase fails at the query, the run fails, no definitions.
    @Test(arguments: EndToEndSample.missingRepository)
    func aQueryForAMissingRepositoryFailsTheBuild(_ sample: EndToEndSample) async throws {
        let moto = try moto
        let rewritten = try #require(SampleLocations.read(sample.name, "expected.yml"))
        let missing = try #require(sample.repositories.last)
        try await prepare(sample, on: moto, creating: Array(sample.repositories.dropLast()))
        let run = try await build(rewritten, sample, on: moto, commit: Self.commitB, number: 2)
        Self.record(Self.failedQueryProblems(run, sample, error: ["RepositoryNotFoundException", "'\(missing)'"]), of: run, sample)
    }

    /// Scenario 3, with a role that may push but not list images, on a later run (the repository
    /// holds an image): ECR answers AccessDenied, the phase fails at the query before anything is
    /// pushed, and the run fails instead of succeeding without definitions forever after.
    @Test(arguments: EndToEndSample.denied)
    func aRoleWithoutListImagesFailsTheBuildInsteadOfSkippingDeploys(_ sample: EndToEndSample) async throws {
        let moto = try moto
        let rewritten = try #require(SampleLocations.read(sample.name, "expected.yml"))
        let (run, before, after) = try await buildWithoutListImages(rewritten, sample, on: moto)
        Self.record(Self.failedQueryProblems(run, sample, error: ["AccessDenied", "ecr:ListImages"]), of: run, sample)
        #expect(after == before, "nothing should be pushed after the failed query")
    }

    /// The checks above have teeth: a rewrite that asks after the push (the first run sees its
    /// own image and deploys) fails scenario 1, and one whose query swallows errors (`|| true`:
    /// the run goes on, pushes, and skips the definitions as if the repository were new) fails
    /// scenario 3.
    @Test func theChecksCatchBrokenRewrites() async throws {
        let moto = try moto
        let sample = try #require(EndToEndSample.all.first { $0.name == "aws-tutorial" })
        let rewritten = String(decoding: try #require(SampleLocations.read(sample.name, "expected.yml")), as: UTF8.self)
        let query = "      - REPOSITORY_IMAGES=$(aws ecr list-images --repository-name hello-world --registry-id 111122223333 --region eu-west-1 --max-items 1)\n"
        let push = "      - docker push $REPOSITORY_URI:$IMAGE_TAG\n"
        try #require(rewritten.contains(query) && rewritten.contains(push))

        let late = rewritten.replacingOccurrences(of: query, with: "").replacingOccurrences(of: push, with: push + query)
        try await prepare(sample, on: moto)
        let lateFirst = try await build(Array(late.utf8), sample, on: moto, commit: Self.commitA, number: 1)
        let lateProblems = Self.firstRunProblems(lateFirst, sample)
        #expect(lateProblems.contains("the first run wrote imagedefinitions.json"), "\(lateProblems)\n\(lateFirst)")
        #expect(lateProblems.contains("the first run succeeded, so Deploy would start"), "\(lateProblems)")

        let swallowing = rewritten.replacingOccurrences(of: "--max-items 1)", with: "--max-items 1 || true)")
        let (run, before, after) = try await buildWithoutListImages(Array(swallowing.utf8), sample, on: moto)
        let problems = Self.failedQueryProblems(run, sample, error: ["AccessDenied", "ecr:ListImages"])
        #expect(problems.contains("no command failed"), "\(problems)\n\(run)")
        #expect(after != before, "the swallowing query lets the push go on")
    }

    /// The registry matters: moto keeps one per region, so the central registry's query without
    /// its `--region` asks the build's own region, finds no repository there and fails the build.
    @Test func aQueryWithoutTheRegistrysRegionFindsNoRepository() async throws {
        let moto = try moto
        let sample = try #require(EndToEndSample.all.first { $0.name == "cross-account-region" })
        let rewritten = String(decoding: try #require(SampleLocations.read(sample.name, "expected.yml")), as: UTF8.self)
        try #require(rewritten.contains(" --region eu-west-1 --max-items 1"))
        let ownRegion = rewritten.replacingOccurrences(of: " --region eu-west-1 --max-items 1", with: " --max-items 1")
        try await prepare(sample, on: moto)
        let run = try await build(Array(ownRegion.utf8), sample, on: moto, commit: Self.commitB, number: 2)
        let problems = Self.failedQueryProblems(run, sample, error: ["RepositoryNotFoundException", "'team/app'"])
        #expect(problems.isEmpty, "\(problems)\n\(run)")
    }

    /// The runner itself: 0.2 keeps variables and the working folder across commands and phases,
    /// `exit` ends only its command, a failed command ends its phase but not `finally`, and
    /// `post_build` runs after a failed `build`; 0.1 starts every command afresh.
    @Test func theRunnerBehavesLikeCodeBuild() async throws {
        let moto = try moto
        try await moto.reset()
        let v02 = """
        version: 0.2
        phases:
          install:
            commands:
              - mkdir -p out && cd out
              - GREETING="hello world"
          pre_build:
            commands:
              - echo "$GREETING" > greeting.txt
              - exit 0
          build:
            commands:
              - echo build-ran > ../build.txt
              - exit 3
              - echo never > ../never.txt
            finally:
              - echo "succeeding=$CODEBUILD_BUILD_SUCCEEDING" > ../finally.txt
          post_build:
            commands:
              - echo "$GREETING after a failed build" > ../post.txt
        artifacts:
          files:
            - out/greeting.txt
            - missing.json
        """
        let run = try await EndToEndRunner.run(Array(v02.utf8), moto: moto, options: .init())
        #expect(run.outputs["out/greeting.txt"] == Array("hello world\n".utf8), "\(run)")
        #expect(run.outputs["build.txt"] != nil && run.outputs["never.txt"] == nil, "\(run)")
        #expect(run.outputs["finally.txt"] == Array("succeeding=1\n".utf8), "\(run)")
        #expect(run.outputs["post.txt"] == Array("hello world after a failed build\n".utf8), "\(run)")
        #expect(run.state(of: "BUILD") == "FAILED" && run.state(of: "POST_BUILD") == "SUCCEEDED", "\(run)")
        #expect(run.skippedArtifacts == ["missing.json"] && run.uploadedArtifacts == ["out/greeting.txt"], "\(run)")
        #expect(!run.succeeded)

        let v01 = """
        version: 0.1
        phases:
          pre_build:
            commands:
              - GREETING=hello; mkdir -p out; cd out
              - echo "[$GREETING]" > greeting.txt
              - false
          build:
            commands:
              - echo never > never.txt
        artifacts:
          files: greeting.txt
        """
        let old = try await EndToEndRunner.run(Array(v01.utf8), moto: moto, options: .init())
        #expect(old.outputs["greeting.txt"] == Array("[]\n".utf8), "\(old)")
        #expect(old.outputs["never.txt"] == nil && old.skippedArtifacts == nil && !old.succeeded, "a failed pre_build ends the build\n\(old)")
    }

    // MARK: - Checks

    /// What is wrong with the first run of a rewritten file on a new stack (nothing, when it
    /// pushed, wrote no definitions, and failed on their absence so that Deploy does not start).
    static func firstRunProblems(_ run: EndToEndRunner.Result, _ sample: EndToEndSample) -> [String] {
        var problems: [String] = []
        for file in sample.definitions {
            if run.outputs[file] != nil { problems.append("the first run wrote \(file)") }
            if run.skippedArtifacts?.contains(file) != true { problems.append("the artifact check did not miss \(file)") }
        }
        if !run.log.contains("ECR repository had no image before this build; not writing image definitions") {
            problems.append("the first run did not say why it wrote no definitions")
        }
        if run.succeeded { problems.append("the first run succeeded, so Deploy would start") }
        for line in sample.firstRunFailure where !run.log.contains(line) {
            problems.append("the first run's log lacks \"\(line)\"")
        }
        if run.failedCommands.contains(where: { $0.text.contains("list-images") }) { problems.append("the query failed") }
        return problems
    }

    /// What is wrong with a run whose query cannot succeed (nothing, when the first command to
    /// fail is the query, with `error` in its output, its phase failed, the build failed and no
    /// definitions were written).
    static func failedQueryProblems(_ run: EndToEndRunner.Result, _ sample: EndToEndSample, error: [String]) -> [String] {
        var problems: [String] = []
        if run.succeeded { problems.append("the build succeeded") }
        if let failure = run.failedCommands.first {
            if !failure.text.contains("aws ecr list-images") {
                problems.append("the first failing command should be the query, not: \(failure.text)")
            }
            for text in error where !failure.output.contains(text) { problems.append("the failure does not say \(text)") }
            if run.state(of: failure.phase) != "FAILED" { problems.append("phase \(failure.phase) did not fail") }
        } else {
            problems.append("no command failed")
        }
        for file in sample.definitions where run.outputs[file] != nil { problems.append("\(file) was written") }
        return problems
    }

    static func record(_ problems: [String], of run: EndToEndRunner.Result, _ sample: EndToEndSample,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        for problem in problems {
            Issue.record(Comment(rawValue: "\(sample.name): \(problem)\n\(run)"), sourceLocation: sourceLocation)
        }
    }

    // MARK: - Helpers

    /// A later run (every repository holds an image) by a role whose policy allows everything
    /// but `ecr:ListImages`: moto checks every request against IAM during the build. Returns the
    /// run and the registry before and after it.
    private func buildWithoutListImages(_ buildspec: [UInt8], _ sample: EndToEndSample, on moto: EndToEndMoto) async throws
        -> (EndToEndRunner.Result, EndToEndRegistry, EndToEndRegistry) {
        try await prepare(sample, on: moto)
        for repository in sample.repositories {
            _ = try moto.aws(["ecr", "put-image", "--repository-name", repository, "--image-tag", "previous",
                              "--image-manifest", Self.previousManifest], region: sample.repositoryRegion)
        }
        _ = try moto.aws(["iam", "create-user", "--user-name", "codebuild-service-role"], region: sample.region)
        _ = try moto.aws(["iam", "put-user-policy", "--user-name", "codebuild-service-role", "--policy-name", "no-list-images",
                          "--policy-document", #"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"ecr:ListImages","Resource":"*"}]}"#],
                         region: sample.region)
        let key = try moto.aws(["iam", "create-access-key", "--user-name", "codebuild-service-role",
                                "--query", "AccessKey.[AccessKeyId,SecretAccessKey]", "--output", "text"], region: sample.region)
            .split(whereSeparator: \.isWhitespace).map(String.init)
        try #require(key.count == 2, "create-access-key printed \(key)")
        let before = try await moto.registry()
        try await moto.setIAMEnforcement(true)
        let run: EndToEndRunner.Result
        do {
            run = try await build(buildspec, sample, on: moto, commit: Self.commitB, number: 2, credentials: (key[0], key[1]))
        } catch {
            try await moto.setIAMEnforcement(false)
            throw error
        }
        try await moto.setIAMEnforcement(false)
        return (run, before, try await moto.registry())
    }

    /// A new stack: moto forgets everything, then the repositories are created empty with the
    /// AWS CLI, and the Parameter Store values are put.
    private func prepare(_ sample: EndToEndSample, on moto: EndToEndMoto, creating: [String]? = nil) async throws {
        try await moto.reset()
        for repository in creating ?? sample.repositories {
            _ = try moto.aws(["ecr", "create-repository", "--repository-name", repository, "--registry-id", sample.account],
                             region: sample.repositoryRegion)
        }
        for (name, value) in sample.parameters {
            _ = try moto.aws(["ssm", "put-parameter", "--name", name, "--value", value, "--type", "SecureString"], region: sample.region)
        }
    }

    private func build(_ buildspec: [UInt8], _ sample: EndToEndSample, on moto: EndToEndMoto, commit: String, number: Int,
                       credentials: (String, String) = ("testing", "testing")) async throws -> EndToEndRunner.Result {
        var options = EndToEndRunner.Options()
        options.region = sample.region
        options.commit = commit
        options.buildNumber = number
        options.projectVariables = sample.projectVariables
        options.sourceFiles = sample.sourceFiles
        options.accessKey = credentials.0
        options.secretKey = credentials.1
        return try await EndToEndRunner.run(buildspec, moto: moto, options: options)
    }

    static let previousManifest = #"{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1472,"digest":"sha256:0000000000000000000000000000000000000000000000000000000000000001"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":31357624,"digest":"sha256:0000000000000000000000000000000000000000000000000000000000000002"}]}"#

    /// Every `imageUri` (imagedefinitions.json) or `ImageURI` (imageDetail.json) in a file.
    static func imageURIs(in file: [UInt8]) -> [String] {
        func collect(_ value: Any) -> [String] {
            if let list = value as? [Any] { return list.flatMap(collect) }
            guard let object = value as? [String: Any] else { return [] }
            return object.flatMap { key, value in
                ["imageUri", "ImageURI"].contains(key) ? [value as? String ?? ""] : collect(value)
            }
        }
        return (try? JSONSerialization.jsonObject(with: Data(file))).map(collect) ?? ["(not JSON)"]
    }

    /// Whether `host/repository:tag` names a tag moto holds, in the host's region.
    static func isInRegistry(_ uri: String, _ registry: EndToEndRegistry) -> Bool {
        guard let slash = uri.firstIndex(of: "/"), let colon = uri.lastIndex(of: ":"), colon > slash else { return false }
        let host = uri[..<slash], repository = String(uri[uri.index(after: slash)..<colon]), tag = String(uri[uri.index(after: colon)...])
        let parts = host.split(separator: ".")
        guard parts.count >= 4, parts[1] == "dkr", parts[2] == "ecr" else { return false }
        return registry.tags(String(parts[3]), repository)?[tag] != nil
    }
}
