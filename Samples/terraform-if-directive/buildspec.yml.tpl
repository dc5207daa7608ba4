version: 0.2
phases:
  build:
    commands:
      - docker build -t ${repository_url}:latest .
      - docker push ${repository_url}:latest
%{ if deploy ~}
      - printf '[{"name":"app","imageUri":"%s"}]' ${repository_url}:latest > imagedefinitions.json
%{ endif ~}
artifacts:
  files:
    - imagedefinitions.json
