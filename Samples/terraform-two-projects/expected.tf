/*
  Two projects: the image build, which deploys, and the test run, which does not.
  A buildspec = <<EOF in this comment is not a heredoc.
*/
resource "aws_codebuild_project" "image" {
  name         = "catalog-image"
  service_role = aws_iam_role.codebuild.arn

  artifacts {
    type = "CODEPIPELINE"
  }

  environment {
    compute_type    = "BUILD_GENERAL1_SMALL"
    image           = "aws/codebuild/standard:7.0"
    type            = "LINUX_CONTAINER"
    privileged_mode = true

    environment_variable {
      name  = "REPOSITORY_URI"
      value = aws_ecr_repository.catalog.repository_url
    }
  }

  source {
    type      = "CODEPIPELINE"
    buildspec = <<EOF
version: 0.2
phases:
  build:
    commands:
      - docker build -t "$REPOSITORY_URI:$CODEBUILD_BUILD_NUMBER" .
  post_build:
    commands:
      - REPOSITORY_IMAGES=$(aws ecr list-images --repository-name "$${REPOSITORY_URI#*/}" --registry-id "$${REPOSITORY_URI%%.*}" --region "$(r=$${REPOSITORY_URI#*.dkr.ecr.}; echo "$${r%%.*}")" --max-items 1)
      - docker push "$REPOSITORY_URI:$CODEBUILD_BUILD_NUMBER"
      - |
        if echo "$REPOSITORY_IMAGES" | grep -q "imageDigest"; then
          echo '[{"name":"catalog","imageUri":"'"$REPOSITORY_URI:$CODEBUILD_BUILD_NUMBER"'"}]' > imagedefinitions.json
        else
          echo "ECR repository had no image before this build; not writing image definitions so the first deploy does not run"
        fi
artifacts:
  files:
    - imagedefinitions.json
EOF
  }

  secondary_sources {
    type              = "S3"
    location          = "${aws_s3_bucket.fixtures.bucket}/fixtures.zip"
    source_identifier = "fixtures"
    buildspec         = <<EOF
version: 0.2
phases:
  build:
    commands:
      - echo "fixtures for $${CODEBUILD_BUILD_ID}"
EOF
  }
}

resource "aws_iam_role_policy" "codebuild" {
  role   = aws_iam_role.codebuild.name
  policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": ["ecr:ListImages"], "Resource": "*"}]
}
EOF
}

resource "aws_codebuild_project" "tests" {
  name         = "catalog-tests"
  service_role = aws_iam_role.codebuild.arn

  artifacts {
    type = "NO_ARTIFACTS"
  }

  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
  }

  source {
    type      = "GITHUB"
    location  = "https://github.com/example/catalog.git"
    buildspec = <<-EOF
      version: 0.2
      phases:
        build:
          commands:
            - make test # "} and { in a comment"
    EOF
  }
}
