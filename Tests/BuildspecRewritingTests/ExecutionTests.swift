import Testing
@testable import BuildspecRewriting

/// Runs every rewritten sample the way CodeBuild would, before and after the rewrite.
@Suite struct ExecutionTests {
    static let rewrittenSamples = SampleLocations.cases.filter { name in
        guard let input = SampleLocations.read(name, "buildspec.yml"), let expected = SampleLocations.read(name, "expected.yml") else {
            return false
        }
        // A sample with options names its repository outside the file: nothing here pushes it.
        return input != expected && SampleLocations.read(name, "options.txt") == nil
    }

    @Test(arguments: rewrittenSamples)
    func firstRunWritesNoDefinitionsLaterRunsWriteTheSameBytes(_ name: String) throws {
        let original = try #require(SampleLocations.read(name, "buildspec.yml"))
        let rewritten = try #require(SampleLocations.read(name, "expected.yml"))

        // The stack was just created: every repository exists and is empty.
        let before = try CodeBuildRunner.run(original, filled: [])
        #expect(!before.definitions.isEmpty, "\(name): the original should write image definitions on the first run (the deadlock)\n\(before.log)")
        // Every run below starts from what this one pushed.
        try #require(!before.pushed.isEmpty, "\(name): the original should push an image\n\(before.log)")
        // Only the repositories the build pushes to exist, each in its own registry: a query
        // that asks another account, region or ECR Public elsewhere than us-east-1 fails.
        let first = try CodeBuildRunner.run(rewritten, filled: [], repositories: before.pushed)
        #expect(first.definitions.isEmpty, "\(name): the first run still wrote \(first.definitions.keys.sorted())\n\(first.log)")
        #expect(first.pushed == before.pushed, "\(name): the rewrite changed what is pushed")

        // Later runs: the repositories hold the images the first run pushed.
        let originalLater = try CodeBuildRunner.run(original, filled: before.pushed)
        let rewrittenLater = try CodeBuildRunner.run(rewritten, filled: before.pushed, repositories: before.pushed)
        #expect(!rewrittenLater.definitions.isEmpty, "\(name): a later run wrote no image definitions\n\(rewrittenLater.log)")
        #expect(rewrittenLater.definitions == originalLater.definitions, "\(name): a later run wrote other definitions")
    }

    @Test func aFailingQueryFailsTheBuildInsteadOfSkippingTheDeploy() throws {
        // The query names a repository the role may not read: aws exits non-zero.
        let spec = """
        version: 0.2
        phases:
          post_build:
            commands:
              - REPOSITORY_IMAGES=$(aws ecr list-images --repository-name "" --max-items 1)
              - docker push 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1
              - echo reached > reached.json
        """
        let run = try CodeBuildRunner.run(Array(spec.utf8), filled: [])
        #expect(run.pushed.isEmpty, "the phase must stop at the failing query")
    }

    @Test func aQueryThatAsksAnotherRegistryFailsTheBuild() throws {
        // The repository lives in another account and region; the build's own has none.
        let pushed = "111122223333/eu-west-1/team/app"
        for (query, fails) in [
            ("aws ecr list-images --repository-name team/app --max-items 1", true),
            ("aws ecr list-images --repository-name team/app --registry-id 111122223333 --max-items 1", true),
            ("aws ecr list-images --repository-name team/app --registry-id 111122223333 --region eu-west-1 --max-items 1", false),
        ] {
            let spec = """
            version: 0.2
            phases:
              post_build:
                commands:
                  - REPOSITORY_IMAGES=$(\(query))
                  - docker push 111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1
            """
            let run = try CodeBuildRunner.run(Array(spec.utf8), filled: [], repositories: [pushed])
            #expect(run.pushed.isEmpty == fails, "\(query)")
        }
        // ECR Public answers only in us-east-1.
        for (region, fails) in [("", true), (" --region eu-west-1", true), (" --region us-east-1", false)] {
            let spec = """
            version: 0.2
            phases:
              post_build:
                commands:
                  - REPOSITORY_IMAGES=$(aws ecr-public describe-images --repository-name web\(region) --max-items 1)
                  - docker push public.ecr.aws/abc1x2y3/web:v1
            """
            let run = try CodeBuildRunner.run(Array(spec.utf8), filled: [], repositories: ["public/web"])
            #expect(run.pushed.isEmpty == fails, "ecr-public\(region)")
        }
    }
}
