import Testing
@testable import BuildspecRewriting

@Suite struct ShellParserTests {
    private func writer(_ text: String, artifacts: [String] = []) throws -> String? {
        let parsed = try ShellParser.parse(text)
        let matcher = ImageDefinitionsWriter.FileMatcher(artifactFiles: artifacts)
        for place in ShellWalker.places(in: parsed) {
            if let found = ImageDefinitionsWriter.find(in: place.pipeline, of: parsed, matcher: matcher) { return found.file }
        }
        return nil
    }

    @Test func readsAndOrListsAndRedirections() throws {
        let parsed = try ShellParser.parse("mkdir -p out && cd out && printf '%s' \"$X\" > imagedefinitions.json")
        #expect(parsed.script.lists.count == 1)
        #expect(parsed.script.lists[0].pipelines.count == 3)
        let last = parsed.script.lists[0].pipelines[2].commands[0]
        #expect(last.redirections.first?.op == ">")
        #expect(last.redirections.first?.target.literal == "imagedefinitions.json")
    }

    @Test(arguments: [
        ("printf x > imagedefinitions.json", "imagedefinitions.json"),
        ("echo x >> build/ImageDefinitions.json", "build/ImageDefinitions.json"),
        ("printf x >| imageDetail.json", "imageDetail.json"),
        ("printf x | tee -a out/imagedefinitions.json", "out/imagedefinitions.json"),
        ("cat > imagedefinitions.json <<EOF\n[]\nEOF", "imagedefinitions.json"),
        ("jq -n '[]' > \"$CODEBUILD_SRC_DIR/imagedefinitions.json\"", "\"$CODEBUILD_SRC_DIR/imagedefinitions.json\""),
        ("{ echo '['; echo ']'; } > imagedefinitions.json", "imagedefinitions.json"),
    ])
    func findsWriters(_ command: String, _ file: String) throws {
        #expect(try writer(command) == file)
    }

    @Test(arguments: [
        "echo \"printf > imagedefinitions.json\"",
        "echo 'a > imagedefinitions.json'",
        "echo done # printf x > imagedefinitions.json",
        "X=$(printf x > imagedefinitions.json)",
        "cat imagedefinitions.json",
        "printf x > other.json",
    ])
    func ignoresWhatWritesNoDefinitions(_ command: String) throws {
        #expect(try writer(command) == nil)
    }

    /// The byte pre-filter that lets most commands skip the shell reading must never miss a
    /// writer: quotes, backslashes and line continuations inside the name, any case, and the
    /// word at a point where the eight-bytes-at-a-time scan has to stop.
    @Test(arguments: [
        "printf x > imagedefinitions.json",
        "printf x > image\"definitions\".json",
        "printf x > 'image'definitions.json",
        "printf x > i\\mage\\Definitions.json",
        "printf x > image\\\ndefinitions.json",
        "printf x > IMAGEDETAIL.JSON",
        "printf x > out/web-imagesdefinitions.json",
        "echo iiiiiiiiiiiiiiii; printf x | tee imagedefinitions.json",
        "printf '[{\"imageUri\":\"%s\"}]' $U > images.json",
    ])
    func thePreFilterKeepsEveryWriter(_ command: String) throws {
        let matcher = ImageDefinitionsWriter.FileMatcher(artifactFiles: ["images.json"])
        #expect(try writer(command, artifacts: ["images.json"]) != nil)
        #expect(matcher.mayNameDefinitions(command))
        #expect(BuildspecAnalysis.mayMatter(command, matcher: matcher))
    }

    /// `scan` reads a command two bytes at a time, four a round: it must find each word at
    /// every offset of a round and in the bytes after the last round, alone and at the very
    /// end, as a plain search does.
    @Test(arguments: ["push", "list-images", "describe-images", "type=registry", "tee", "ecr", ">", "=", "pus", "ec", "tree"])
    func theScanFindsEachWordAtAnyOffset(_ word: String) {
        let pushesOrQueries = ["push", "list-images", "describe-images", "type=registry"]
        for padding in 0..<8 {
            for after in ["", " ", " x", " xy"] {
                let text = String(repeating: "a", count: padding) + word + after
                let pushes = pushesOrQueries.contains { text.contains($0) }
                let matters = pushes || [">", "=", "tee", "ecr"].contains { text.contains($0) }
                let scan = BuildspecAnalysis.scan(text, matcher: ImageDefinitionsWriter.FileMatcher())
                #expect(scan.mayMatter == matters, "\(text)")
                #expect(scan.mayPushOrQuery == pushes, "\(text)")
            }
        }
    }

    /// The pre-filter reads eight bytes at once from the end back and looks at each `i` among
    /// them: a word is found at every offset of the eight, with other `i`s in the same eight,
    /// and in the first bytes, which are read one by one.
    @Test func thePreFilterFindsAWordAtEveryOffsetAmongOtherIs() {
        for padding in 0..<17 {
            let prefix = String(repeating: "i", count: padding % 3) + String(repeating: "x", count: padding)
            for trailing in 0..<9 {
                let suffix = String(repeating: "x", count: trailing) + String(repeating: "i", count: trailing % 2)
                let context = "\(padding) before, \(trailing) after"
                #expect(ImageDefinitionsWriter.FileMatcher.mayNameDefinitionsFile(prefix + "imagedefinition" + suffix), "\(context)")
                #expect(ImageDefinitionsWriter.FileMatcher.mayNameDefinitionsFile(prefix + "i\"mageUri" + suffix), "\(context)")
                #expect(!ImageDefinitionsWriter.FileMatcher.mayNameDefinitionsFile(prefix + "imagedefinitio" + suffix), "\(context)")
            }
        }
    }

    @Test(arguments: ["npm ci", "echo image built; docker images", "printf x > image-definitions.txt", "iiiiiiiiiiiiiiiiiiiiimage"])
    func thePreFilterLetsOtherCommandsGo(_ command: String) {
        #expect(!ImageDefinitionsWriter.FileMatcher().mayNameDefinitions(command))
    }

    @Test(arguments: ["imagedefinitions.json", "out/**/*.json", "build/web-imageDetail.json", "a_b-c.d", "*", "done", "if", "for", "in",
                      "x/y/", "-", "0", "9a"])
    func aPlainArtifactPathIsItsOwnWordAsTheParserReadsIt(_ path: String) {
        #expect(path.utf8.allSatisfy(ImageDefinitionsWriter.FileMatcher.isPlainPathByte))
        #expect(ImageDefinitionsWriter.FileMatcher.bracedVariables(path) == ImageDefinitionsWriter.FileMatcher.parsedBracedVariables(path))
    }

    @Test(arguments: ["echo $A $AB ${ABC} $", "x=${A:-$B}/$C_D", "$$A", "${", "$1A ${_x}y", "\\$IMAGE_TAG-$IMAGE", "", "$A$B${C}"])
    func aVariableIsMentionedExactlyWhenItsNameIsRead(_ text: String) {
        let names = Set(VariableEnvironment.variableNames(in: text))
        var copy = text
        copy.withUTF8 { bytes in
            for var name in ["A", "AB", "ABC", "B", "C", "C_D", "_x", "IMAGE", "IMAGE_TAG", "x", "1A"] {
                let mentioned = name.withUTF8 { VariableEnvironment.mentions(bytes, name: $0) }
                #expect(mentioned == names.contains(name), "\(name) in \(text)")
            }
        }
    }

    @Test(arguments: ["printf x > imagedefinitions.json", "cat <<EOF >'out/ImageDefinitions.JSON'", "echo IMAGEDETAIL.json;ls", "tee a.json",
                      "printf x > imagedefinitions.json\r\n", "printf x >\r\nimagedefinitions.json", "x > images-definitions.json",
                      "echo é > imagedefinitions.json", "echo a\u{301}>imagedefinitions.json", "printf x > out.json", "",
                      "printf x |tee  \"web-imagesdefinitions.json\"", "printf x > İMAGEDEFINITIONS.JSON"])
    func aMentionOfADefinitionsFileIsFoundAsTheCharacterSplitFindsIt(_ text: String) {
        for extraNames in [[], ["out.json"], ["a.json", "b"]] {
            let words = text.split { " \t\n;&|<>()'\"`".contains($0) }.map(String.init)
            let expected = words.contains { ImageDefinitionsWriter.FileMatcher.hasDefinitionsName($0) || extraNames.contains($0) }
            #expect(BuildspecAnalysis.mentionsDefinitionsFile(text, extraNames: extraNames) == expected, "\(text) with \(extraNames)")
        }
    }

    @Test func aJSONListedAsArtifactIsADefinitionsFileWhenItNamesImageUri() throws {
        #expect(try writer("printf '[{\"imageUri\":\"%s\"}]' $U > images.json", artifacts: ["images.json"]) == "images.json")
        #expect(try writer("printf '{\"image\":\"%s\"}' $U > images.json", artifacts: ["images.json"]) == nil)
        #expect(try writer("printf '{\"ImageURI\":\"%s\"}' $U > out/detail.json", artifacts: ["out/*.json"]) == "out/detail.json")
        #expect(try writer("echo \"[{\\\"imageUri\\\":\\\"$U\\\"}]\" > images.json", artifacts: ["images.json"]) == "images.json")
        #expect(try writer("jq -n --arg u $U '[{name: \"web\", imageUri: $u}]' > images.json", artifacts: ["images.json"]) == "images.json")
        // A file name the project gives may be a .json too.
        #expect(try writer("printf '[{\"imageUri\":\"%s\"}]' $U > $DEFINITIONS_FILE", artifacts: ["${DEFINITIONS_FILE}"]) == "$DEFINITIONS_FILE")
        #expect(try writer("printf '[{\"imageUri\":\"%s\"}]' $U > images.txt", artifacts: ["images.txt"]) == nil)
    }

    @Test(arguments: [
        "printf '{\"DockerImageURI\":\"%s\"}' $U > images.json",
        "printf '{\"imageUriPrefix\":\"%s\"}' $U > images.json",
        "echo \"{\\\"DockerImageURI\\\": \\\"$U\\\"}\" > images.json",
        "echo imageUri=$U > images.json",
    ])
    func aLongerKeyOrNoKeyIsNoDefinitionsWriter(_ command: String) throws {
        #expect(try writer(command, artifacts: ["images.json"]) == nil)
    }

    @Test func artifactPathsAreMatchedAsCodeBuildUploadsThem() throws {
        func writes(_ command: String, _ groups: [Buildspec.ArtifactGroup], variables: [String: String] = [:]) throws -> Bool {
            let parsed = try ShellParser.parse(command)
            let matcher = ImageDefinitionsWriter.FileMatcher(artifacts: groups, variables: variables)
            return ShellWalker.places(in: parsed).contains { ImageDefinitionsWriter.find(in: $0.pipeline, of: parsed, matcher: matcher) != nil }
        }
        let printf = "printf '[{\"imageUri\":\"%s\"}]' $U > "
        let nginx = [Buildspec.ArtifactGroup(baseDirectory: "/nginx", files: ["images.json"])]
        #expect(try !writes(printf + "images.json", nginx), "uploaded from nginx/, written at the top")
        #expect(try writes(printf + "nginx/images.json", nginx))
        #expect(try writes(printf + "\"$CODEBUILD_SRC_DIR/nginx/images.json\"", nginx))
        #expect(try writes(printf + "./nginx/images.json", [Buildspec.ArtifactGroup(baseDirectory: "./nginx/", files: ["./*.json"])]))
        #expect(try writes(printf + "build/out/deploy/images.json", [Buildspec.ArtifactGroup(baseDirectory: "build", files: ["**/*"])]))
        #expect(try !writes(printf + "build/out/images.json", [Buildspec.ArtifactGroup(baseDirectory: "build", files: ["*.json"])]))
        #expect(try writes(printf + "$OUT/images.json", [Buildspec.ArtifactGroup(baseDirectory: "$OUT", files: ["images.json"])]))
        #expect(try writes(printf + "dist/images.json", [Buildspec.ArtifactGroup(baseDirectory: "${OUT}", files: ["images.json"])],
                           variables: ["OUT": "dist"]))
        // Secondary artifacts are groups of their own.
        #expect(try writes(printf + "deploy/images.json", nginx + [Buildspec.ArtifactGroup(baseDirectory: "deploy", files: ["images.json"])]))
    }

    @Test func hereDocumentBodiesAreSkipped() throws {
        let parsed = try ShellParser.parse("cat > a <<'EOF'\nif then ( ;;\nEOF\necho after")
        #expect(parsed.script.lists.count == 2)
        #expect(parsed.hereDocuments.count == 1)
        #expect(parsed.text(parsed.hereDocuments[0].body) == "if then ( ;;\n")
    }

    @Test func compoundCommandsAreRead() throws {
        let text = """
        if [ -n "$A" ]; then
          for f in a b; do echo $f; done
        elif true; then :; else case $x in a|b) echo y;; *) ;; esac; fi
        while false; do :; done; ( cd x && ls ); f() { echo hi; }
        """
        let parsed = try ShellParser.parse(text)
        #expect(parsed.script.lists.count == 4)
        #expect(parsed.script.lists[0].pipelines[0].commands[0].kind == .ifClause)
    }

    @Test(arguments: ["echo 'open", "echo \"open", "if true; then echo", "echo $(date", "a &&", "| b"])
    func rejectsBrokenSyntax(_ text: String) {
        #expect(throws: ShellParser.SyntaxError.self) { try ShellParser.parse(text) }
    }

    /// What `$(...)` holds is read for its syntax and its end only: the word keeps its source,
    /// words after it keep their texts, a syntax error inside still fails the reading, and a
    /// here-document opened inside is still found.
    @Test func readsCommandSubstitutions() throws {
        let parsed = try ShellParser.parse("T=$(echo \"$A\" | cut -c 1-7)x \"$(f ${B})\" $C")
        let command = parsed.script.lists[0].pipelines[0].commands[0]
        #expect(command.assignments.first?.value.segments == [.opaque("$(echo \"$A\" | cut -c 1-7)"), .text("x")])
        #expect(command.words.map(\.segments) == [[.opaque("$(f ${B})")], [.variable("C")]])
        #expect(throws: ShellParser.SyntaxError.self) { try ShellParser.parse("X=$(echo 'open) y") }
        #expect(throws: ShellParser.SyntaxError.self) { try ShellParser.parse("X=$(if true; then echo; ) y") }
        let here = try ShellParser.parse("X=$(cat <<EOF\nbody\nEOF\n) && echo $X")
        #expect(here.hereDocuments.map(\.delimiter) == ["EOF"])
        #expect(here.hereDocuments.first?.isTerminated == true)
        #expect(here.script.lists[0].pipelines.count == 2)
    }

    @Test func findsPushes() throws {
        let cases: [(String, String)] = [
            ("docker push $URI:latest", "${URI}:latest"),
            ("docker image push 1.dkr.ecr.eu-west-1.amazonaws.com/a/b:v1", "1.dkr.ecr.eu-west-1.amazonaws.com/a/b:v1"),
            ("podman push --quiet $R", "${R}"),
            ("docker buildx build --platform linux/amd64 -t $R:v1 --push .", "${R}:v1"),
            ("docker build --push --tag=$R:v2 .", "${R}:v2"),
        ]
        for (text, reference) in cases {
            let command = try ShellParser.parse(text).script.lists[0].pipelines[0].commands[0]
            #expect(ImagePush.pushes(in: command).map { ImageDefinitionsWriter.unquoted($0.reference) } == [reference], "\(text)")
        }
        let build = try ShellParser.parse("docker build -t $R:v1 .").script.lists[0].pipelines[0].commands[0]
        #expect(ImagePush.pushes(in: build).isEmpty)
    }
}
