# The app's image, its pipeline and the build that pushes it.
resource "aws_ecr_repository" "app" {
  name = "shop/web"
}

locals {
  container = "web" # the container name in the task definition
}

resource "aws_codebuild_project" "build" {
  name         = "shop-web-build"
  service_role = aws_iam_role.build.arn

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
    buildspec = <<EOF
version: 0.2

phases:
  pre_build:
    commands:
      - aws ecr get-login-password --region $AWS_DEFAULT_REGION | docker login --username AWS --password-stdin ${aws_ecr_repository.app.registry_id}.dkr.ecr.$AWS_DEFAULT_REGION.amazonaws.com
      - REPOSITORY_URI=${aws_ecr_repository.app.repository_url}
      - IMAGE_TAG=$${CODEBUILD_RESOLVED_SOURCE_VERSION:=latest}
  build:
    commands:
      - docker build -t $REPOSITORY_URI:$IMAGE_TAG .
  post_build:
    commands:
      - REPOSITORY_IMAGES=$(aws ecr list-images --repository-name "${aws_ecr_repository.app.name}" --max-items 1)
      - docker push $REPOSITORY_URI:$IMAGE_TAG
      - |
        if echo "$REPOSITORY_IMAGES" | grep -q "imageDigest"; then
          printf '[{"name":"${local.container}","imageUri":"%s"}]' $REPOSITORY_URI:$IMAGE_TAG > imagedefinitions.json
        else
          echo "ECR repository had no image before this build; not writing image definitions so the first deploy does not run"
        fi

artifacts:
  files: imagedefinitions.json
EOF
  }
}
