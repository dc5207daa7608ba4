import Testing
@testable import BuildspecRewriting

@Suite struct ImageRepositoryTests {
    private func repository(_ reference: String, assignments: String = "", variables: [String: String] = [:]) throws -> String {
        do {
            return try resolved(reference, assignments: assignments, variables: variables).map(\.argument) ?? ""
        } catch let error as RepositoryError {
            return "error: " + error.message
        }
    }

    /// The query the guard would run for a pushed reference, or the error.
    private func query(_ reference: String, assignments: String = "", variables: [String: String] = [:]) throws -> String {
        do {
            return try resolved(reference, assignments: assignments, variables: variables).map(GuardText.ask) ?? ""
        } catch let error as RepositoryError {
            return "error: " + error.message
        }
    }

    private func resolved(_ reference: String, assignments: String, variables: [String: String]) throws -> ImageRepository? {
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
        case .success(let repository): return repository
        case .failure(let error): throw error
        }
    }

    /// A resolution is kept across files with the values it read: the same reference under
    /// other values (another account, another name, a variable now unset) is resolved anew.
    @Test func aKeptRepositoryIsOnlyGivenBackUnderTheSameValues() throws {
        let reference = "$KEPT_URI:$TAG"
        let first = "KEPT_URI=111111111111.dkr.ecr.eu-west-1.amazonaws.com/orders"
        #expect(try query(reference, assignments: first) == query(reference, assignments: first))
        #expect(try repository(reference, assignments: first) == "orders")
        #expect(try repository(reference, assignments: "KEPT_URI=111111111111.dkr.ecr.eu-west-1.amazonaws.com/billing") == "billing")
        #expect(try query(reference, assignments: "KEPT_URI=222222222222.dkr.ecr.us-east-1.amazonaws.com/orders").contains("222222222222"))
        #expect(try repository(reference, assignments: "KEPT_URI=\"$KEPT_HOST/ledger\"", variables: ["KEPT_HOST": "333333333333.dkr.ecr.eu-west-1.amazonaws.com"]) == "ledger")
        #expect(try repository(reference, assignments: "KEPT_URI=\"$KEPT_HOST/ledger\"", variables: ["KEPT_HOST": "ghcr.io"]).hasPrefix("error:"))
        #expect(try repository(reference).hasPrefix("\"${KEPT_URI#*/}\""))
        #expect(try repository(reference, assignments: first) == "orders")
    }

    @Test func literalECRReference() throws {
        #expect(try repository("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:tag") == "team/app")
        #expect(try repository("123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:abc") == "app")
    }

    @Test func variableAssignedAsRegistryAndName() throws {
        let assignments = "REPOSITORY_URI=$AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/$IMAGE_REPO_NAME"
        #expect(try repository("$REPOSITORY_URI:$IMAGE_TAG", assignments: assignments) == "\"$IMAGE_REPO_NAME\"")
        #expect(try repository("$ECR_REGISTRY/$WEB_REPO:v1") == "\"$WEB_REPO\"")
        #expect(try repository("$REPO_URI:v1", variables: ["REPO_URI": "111122223333.dkr.ecr.us-east-1.amazonaws.com/shop/web"]) == "shop/web")
        let withTag = "IMAGE_URI=$REGISTRY/$NAME:$(date +%s)"
        #expect(try repository("$IMAGE_URI", assignments: withTag) == "\"$NAME\"")
    }

    /// The tag is cut where it starts: in the text right after the `/`, in a later one, or
    /// where nothing of the name is left before it.
    @Test func theTagIsCutWhereItStarts() throws {
        #expect(try repository("$ECR_REGISTRY/team/$NAME-web:v1") == "\"team/${NAME}-web\"")
        #expect(try repository("$ECR_REGISTRY/app:$TAG") == "app")
        #expect(try repository("$ECR_REGISTRY/$NAME@sha256:abc") == "\"$NAME\"")
        #expect(try repository("$ECR_REGISTRY/$NAME") == "\"$NAME\"")
    }

    @Test func projectVariableURI() throws {
        #expect(try repository("$REPOSITORY_URI:latest") == "\"${REPOSITORY_URI#*/}\"")
        #expect(try repository("$REPOSITORY_URI:latest", assignments: "REPOSITORY_URI=$(aws ecr describe-repositories)")
            == "\"${REPOSITORY_URI#*/}\"")
    }

    @Test func registriesECRCannotAsk() throws {
        #expect(try repository("myorg/web:1").hasPrefix("error:"))
        #expect(try repository("web:1").hasPrefix("error:"))
        #expect(try query("ghcr.io/org/web:1").hasPrefix("error:"))
        #expect(try query("xxxxxxxxxxxx.dkr.ecr.us-east-1.amazonaws.com/web:1").hasPrefix("error:"))
        #expect(try query("111122223333.dkr.ecr.US_EAST.amazonaws.com/web:1").hasPrefix("error:"))
    }

    @Test func theQueryAsksTheRegistryOfTheReference() throws {
        #expect(try query("111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/app:v1")
            == "aws ecr list-images --repository-name team/app --registry-id 111122223333 --region eu-west-1 --max-items 1")
        #expect(try query("$AWS_ACCOUNT_ID.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com/app:v1")
            == "aws ecr list-images --repository-name app --registry-id \"$AWS_ACCOUNT_ID\" --region \"$AWS_DEFAULT_REGION\" --max-items 1")
        #expect(try query("${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com.cn/app")
            == "aws ecr list-images --repository-name app --registry-id \"$ACCOUNT\" --region \"$REGION\" --max-items 1")
        // A command substitution is not run again: the build's own account is asked.
        #expect(try query("$(aws sts get-caller-identity --query Account --output text).dkr.ecr.eu-west-1.amazonaws.com/app")
            == "aws ecr list-images --repository-name app --region eu-west-1 --max-items 1")
        // A host or a whole URI in a project variable: read out of it when the query runs.
        #expect(try query("$ECR_REGISTRY/app:v1")
            == #"aws ecr list-images --repository-name app --registry-id "${ECR_REGISTRY%%.*}" --region "$(r=${ECR_REGISTRY#*.dkr.ecr.}; echo "${r%%.*}")" --max-items 1"#)
        #expect(try query("$REPOSITORY_URI:v1")
            == #"aws ecr list-images --repository-name "${REPOSITORY_URI#*/}" --registry-id "${REPOSITORY_URI%%.*}" --region "$(r=${REPOSITORY_URI#*.dkr.ecr.}; echo "${r%%.*}")" --max-items 1"#)
    }

    @Test func ecrPublicIsAskedInUsEast1() throws {
        #expect(try query("public.ecr.aws/abc/web:1")
            == "aws ecr-public describe-images --repository-name web --region us-east-1 --max-items 1")
        #expect(try query("$URI:$TAG", assignments: "URI=public.ecr.aws/v4j2a7d2/team/web")
            == "aws ecr-public describe-images --repository-name team/web --region us-east-1 --max-items 1")
        #expect(try query("$REGISTRY/web:1", assignments: "REGISTRY=public.ecr.aws/$ALIAS")
            == "aws ecr-public describe-images --repository-name web --region us-east-1 --max-items 1")
        #expect(try query("public.ecr.aws/web:1").hasPrefix("error:"))
    }

    @Test func registryAccountsFromTheCommandLine() {
        #expect(ImageRepository.registryAccount("111122223333") == "111122223333")
        #expect(ImageRepository.registryAccount("$ECR_ACCOUNT") == "\"$ECR_ACCOUNT\"")
        for bad in ["1111", "11112222333a", "a;b", "$(id)", "", "111122223333 "] {
            #expect(ImageRepository.registryAccount(bad) == nil, "\(bad)")
        }
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
