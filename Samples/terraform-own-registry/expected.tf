# The image reference is built from the module's own account and region (the provider's region
# variable, the caller identity): the build's own registry, asked without --registry-id/--region.
provider "aws" {
  region = var.aws_region
}

variable "aws_region" {
  type    = string
  default = "ca-central-1"
}

data "aws_caller_identity" "current" {}

resource "aws_ecr_repository" "worker" {
  name = "worker"
}

resource "aws_codebuild_project" "worker" {
  name         = "worker"
  service_role = "arn:aws:iam::123456789012:role/codebuild"

  artifacts {
    type = "CODEPIPELINE"
  }

  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }

  source {
    type      = "CODEPIPELINE"
    buildspec = <<EOF
version: 0.2
phases:
  build:
    commands:
      - docker build -t ${data.aws_caller_identity.current.account_id}.dkr.ecr.${var.aws_region}.amazonaws.com/${aws_ecr_repository.worker.name}:$CODEBUILD_BUILD_NUMBER .
      - REPOSITORY_IMAGES=$(aws ecr list-images --repository-name "${aws_ecr_repository.worker.name}" --max-items 1)
      - docker push ${data.aws_caller_identity.current.account_id}.dkr.ecr.${var.aws_region}.amazonaws.com/${aws_ecr_repository.worker.name}:$CODEBUILD_BUILD_NUMBER
      - |
        if echo "$REPOSITORY_IMAGES" | grep -q "imageDigest"; then
          printf '[{"name":"worker","imageUri":"%s"}]' ${data.aws_caller_identity.current.account_id}.dkr.ecr.${var.aws_region}.amazonaws.com/${aws_ecr_repository.worker.name}:$CODEBUILD_BUILD_NUMBER > imagedefinitions.json
        else
          echo "ECR repository had no image before this build; not writing image definitions so the first deploy does not run"
        fi
artifacts:
  files:
    - imagedefinitions.json
EOF
  }
}
