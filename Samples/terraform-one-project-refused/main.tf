# Two services in one module. The web image writes its definitions only in production, inside a
# `%{ if }` directive, so its buildspec is refused; the worker's is still guarded.
variable "production" {
  type    = bool
  default = true
}

resource "aws_ecr_repository" "web" {
  name = "shop-web"
}

resource "aws_ecr_repository" "worker" {
  name = "shop-worker"
}

resource "aws_codebuild_project" "web" {
  name         = "shop-web"
  service_role = var.role_arn

  artifacts {
    type = "CODEPIPELINE"
  }

  environment {
    compute_type    = "BUILD_GENERAL1_SMALL"
    image           = "aws/codebuild/standard:7.0"
    type            = "LINUX_CONTAINER"
    privileged_mode = true
  }

  source {
    type      = "CODEPIPELINE"
    buildspec = <<-SPEC
      version: 0.2
      phases:
        build:
          commands:
            - docker build -t ${aws_ecr_repository.web.repository_url}:latest .
            - docker push ${aws_ecr_repository.web.repository_url}:latest
      %{ if var.production ~}
            - printf '[{"name":"web","imageUri":"%s"}]' ${aws_ecr_repository.web.repository_url}:latest > imagedefinitions.json
      %{ endif ~}
      artifacts:
        files:
          - imagedefinitions.json
      SPEC
  }
}

resource "aws_codebuild_project" "worker" {
  name         = "shop-worker"
  service_role = var.role_arn

  artifacts {
    type = "CODEPIPELINE"
  }

  environment {
    compute_type    = "BUILD_GENERAL1_SMALL"
    image           = "aws/codebuild/standard:7.0"
    type            = "LINUX_CONTAINER"
    privileged_mode = true
  }

  source {
    type      = "CODEPIPELINE"
    buildspec = <<-SPEC
      version: 0.2
      phases:
        build:
          commands:
            - docker build -t ${aws_ecr_repository.worker.repository_url}:$CODEBUILD_BUILD_NUMBER .
            - docker push ${aws_ecr_repository.worker.repository_url}:$CODEBUILD_BUILD_NUMBER
            - printf '[{"name":"worker","imageUri":"%s"}]' ${aws_ecr_repository.worker.repository_url}:$CODEBUILD_BUILD_NUMBER > imagedefinitions.json
      artifacts:
        files:
          - imagedefinitions.json
      SPEC
  }
}
