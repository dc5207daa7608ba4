resource "aws_ecr_repository" "svc" {
  name = "checkout-service"
}

resource "aws_codebuild_project" "bg" {
  name         = "bg-build"
  service_role = aws_iam_role.cb.arn
  artifacts { type = "CODEPIPELINE" }
  environment {
    compute_type    = "BUILD_GENERAL1_MEDIUM"
    image           = "aws/codebuild/standard:7.0"
    type            = "LINUX_CONTAINER"
    privileged_mode = true
    environment_variable {
      name  = "ECR_URI"
      value = aws_ecr_repository.svc.repository_url
    }
  }
  source {
    type      = "CODEPIPELINE"
    buildspec = "buildspec-tests.yml"
  }

  # The blue/green build runs from a second source; its buildspec is indented for <<-.
  secondary_sources {
    type              = "CODECOMMIT"
    location          = aws_codecommit_repository.svc.clone_url_http
    source_identifier = "service"
    buildspec = <<-EOF
        version: 0.2
        phases:
          install:
            runtime-versions:
              docker: 20
          build:
            commands:
              - REPOSITORY_IMAGES=$(aws ecr list-images --repository-name "$${ECR_URI#*/}" --registry-id "$${ECR_URI%%.*}" --region "$(r=$${ECR_URI#*.dkr.ecr.}; echo "$${r%%.*}")" --max-items 1)
              - |
                set -e
                docker build -t "$ECR_URI:$CODEBUILD_BUILD_NUMBER" .
                docker push "$ECR_URI:$CODEBUILD_BUILD_NUMBER"
          post_build:
            commands:
              - |
                if echo "$REPOSITORY_IMAGES" | grep -q "imageDigest"; then
                  printf '{"ImageURI":"%s"}' "$ECR_URI:$CODEBUILD_BUILD_NUMBER" > imageDetail.json
                else
                  echo "ECR repository had no image before this build; not writing image definitions so the first deploy does not run"
                fi
        artifacts:
          files:
            - imageDetail.json
            - appspec.yaml
            - taskdef.json
        EOF
  }
}
