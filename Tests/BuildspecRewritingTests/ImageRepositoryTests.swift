import Testing
@testable import BuildspecRewriting

@Suite struct ImageRepositoryTests {
    private func repository(_ reference: String, assignments: String = "", variables: [String: String] = [:]) throws -> String {
        var environment = VariableEnvironment(buildspecVariables: variables)
        if !assignments.isEmpty {
            for list in try ShellParser.parse(assignments).script.lists {
                for assignment in VariableEnvironment.assignments(of: list.pipelines[0].commands[0]) {
                    environment.assign(assignment.name, assignment.value.segments)
                }
            }
        }
        let word = try ShellParser.parse("docker push \(reference)").script.lists[0].pipelines[0].commands[0].words[2]
        switch ImageRepository.resolve(word, in: environment) {
        case .success(let repository): return repository.argument
        case .failure(let error): return "error: " + error.message
        }
    }

    @Test func literalECRReference() throws {
        #expect(try repository("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:tag") == "team/app")
        #expect(try repository("123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:abc") == "app")
    }

    @Test func variableAssignedAsRegistryAndName() throws {
        let assignments = "REPOSITORY_URI=$AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/$IMAGE_REPO_NAME"
        #expect(try repository("$REPOSITORY_URI:$IMAGE_TAG", assignments: assignments) == "\"$IMAGE_REPO_NAME\"")
        #expect(try repository("$ECR_REGISTRY/$WEB_REPO:v1") == "\"$WEB_REPO\"")
        #expect(try repository("$REPO_URI:v1", variables: ["REPO_URI": "1.dkr.ecr.us-east-1.amazonaws.com/shop/web"]) == "shop/web")
        let withTag = "IMAGE_URI=$REGISTRY/$NAME:$(date +%s)"
        #expect(try repository("$IMAGE_URI", assignments: withTag) == "\"$NAME\"")
    }

    @Test func projectVariableURI() throws {
        #expect(try repository("$REPOSITORY_URI:latest") == "\"${REPOSITORY_URI#*/}\"")
        #expect(try repository("$REPOSITORY_URI:latest", assignments: "REPOSITORY_URI=$(aws ecr describe-repositories)")
            == "\"${REPOSITORY_URI#*/}\"")
    }

    @Test func registriesECRCannotAsk() throws {
        #expect(try repository("myorg/web:1").hasPrefix("error:"))
        #expect(try repository("web:1").hasPrefix("error:"))
        #expect(try repository("public.ecr.aws/abc/web:1").hasPrefix("error:"))
        #expect(try repository("ghcr.io/org/web:1").hasPrefix("error:"))
    }

    @Test func namesFromTheCommandLine() {
        #expect(ImageRepository.named("team/app")?.argument == "team/app")
        #expect(ImageRepository.named("$IMAGE_REPO_NAME")?.argument == "\"$IMAGE_REPO_NAME\"")
        #expect(ImageRepository.named("${IMAGE_REPO_NAME}")?.argument == "\"$IMAGE_REPO_NAME\"")
        for bad in ["a;b", "App", "a b", "$(rm -rf /)", "a\nb", "'x'", "-a", "$A B", "a//b"] {
            #expect(ImageRepository.named(bad) == nil, "\(bad)")
        }
    }
}
