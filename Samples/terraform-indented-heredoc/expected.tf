resource "aws_ecr_repository" "api" {
  name                 = "orders-api"
  image_tag_mutability = "MUTABLE"
}

resource "aws_codebuild_project" "api" {
  name         = "orders-api"
  service_role = var.codebuild_role_arn

  artifacts {
    type = "CODEPIPELINE"
  }

  environment {
    compute_type    = "BUILD_GENERAL1_SMALL"
    image           = "aws/codebuild/amazonlinux2-x86_64-standard:5.0"
    type            = "LINUX_CONTAINER"
    privileged_mode = true
  }

  source {
    type = "CODEPIPELINE"
    # Terraform strips the common indentation of a <<- heredoc.
    buildspec = <<-EOT
      version: 0.2
      phases:
        pre_build:
          commands:
            - aws ecr get-login-password | docker login --username AWS --password-stdin ${split("/", aws_ecr_repository.api.repository_url)[0]}
            - TAG=$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)
        build:
          commands:
            - docker build -t ${aws_ecr_repository.api.repository_url}:$TAG .
            - REPOSITORY_IMAGES=$(aws ecr list-images --repository-name "${aws_ecr_repository.api.name}" --max-items 1)
            - docker push ${aws_ecr_repository.api.repository_url}:$TAG
        post_build:
          commands:
            - |
              if echo "$REPOSITORY_IMAGES" | grep -q "imageDigest"; then
                printf '[{"name":"api","imageUri":"%s"}]' "${aws_ecr_repository.api.repository_url}:$TAG" > imagedefinitions.json
              else
                echo "ECR repository had no image before this build; not writing image definitions so the first deploy does not run"
              fi
      artifacts:
        files:
          - imagedefinitions.json
    EOT
  }
}
