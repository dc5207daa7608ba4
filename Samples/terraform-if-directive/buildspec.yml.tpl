version: 0.2
phases:
  build:
    commands:
      - REPOSITORY_URI=${repository_url}
      - docker build -t $REPOSITORY_URI:latest .
      - docker push $REPOSITORY_URI:latest
%{ if deploy ~}
      - printf '[{"name":"app","imageUri":"%s"}]' $REPOSITORY_URI:latest > imagedefinitions.json
%{ endif ~}
artifacts:
  files:
    - imagedefinitions.json
