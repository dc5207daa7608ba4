variable "ecr_repo_name" {
  type    = string
  default = "billing/worker"
}

resource "aws_codebuild_project" "worker" {
  name          = "billing-worker"
  build_timeout = 20
  service_role  = aws_iam_role.codebuild.arn

  artifacts { type = "CODEPIPELINE" }

  environment {
    compute_type    = "BUILD_GENERAL1_SMALL"
    image           = "aws/codebuild/standard:7.0"
    type            = "LINUX_CONTAINER"
    privileged_mode = true

    environment_variable {
      name  = "AWS_ACCOUNT_ID"
      value = data.aws_caller_identity.current.account_id
    }
  }

  source {
    type      = "CODEPIPELINE"
    buildspec = <<BUILDSPEC
version: 0.2

phases:
  pre_build:
    commands:
      - REGISTRY=$${AWS_ACCOUNT_ID}.dkr.ecr.$${AWS_DEFAULT_REGION}.amazonaws.com
      - REPOSITORY_URI=$REGISTRY/${var.ecr_repo_name}
      - COMMIT_HASH=$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)
      - IMAGE_TAG=$${COMMIT_HASH:=latest}
      - aws ecr get-login-password | docker login --username AWS --password-stdin $REGISTRY
  build:
    commands:
      - docker build -t $REPOSITORY_URI:latest .
      - docker tag $REPOSITORY_URI:latest $REPOSITORY_URI:$IMAGE_TAG
  post_build:
    commands:
      - REPOSITORY_IMAGES=$(aws ecr list-images --repository-name "${var.ecr_repo_name}" --registry-id "$AWS_ACCOUNT_ID" --region "$AWS_DEFAULT_REGION" --max-items 1)
      - |
        docker push $REPOSITORY_URI:latest
        docker push $REPOSITORY_URI:$IMAGE_TAG
        if echo "$REPOSITORY_IMAGES" | grep -q "imageDigest"; then
          printf '[{"name":"worker","imageUri":"%s"}]' $${REPOSITORY_URI}:$IMAGE_TAG > imagedefinitions.json
        else
          echo "ECR repository had no image before this build; not writing image definitions so the first deploy does not run"
        fi
artifacts:
  files: imagedefinitions.json
BUILDSPEC
  }
}
