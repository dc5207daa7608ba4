/// The one table of everything the tool reports: a stable id to look up and silence, a short
/// name, the default severity, what it means and how to fix it. Every `Diagnostic` carries one;
/// SARIF's `tool.driver.rules` and the README's table are this list.
///
/// Ids never change meaning and are never reused. The hundreds group them, with gaps left for
/// new rules: RB0xx the finding itself (a definitions writer), RB1xx refusals (the file is left
/// unchanged), RB2xx warnings (the file is handled as usual), RB3xx reading and writing files,
/// RB4xx options, RB9xx internal errors.
public enum Rule: String, Sendable, CaseIterable, Hashable {
    // The finding
    case unguardedDefinitionsWriter = "RB001"
    case ignoredDefinitionsWriter = "RB002"

    // Refusals: the buildspec itself
    case invalidYAML = "RB101"
    case topLevelNotMapping = "RB102"
    case duplicateKey = "RB103"
    case missingVersion = "RB104"
    case unsupportedVersion = "RB105"
    case phasesNotMapping = "RB106"
    // Refusals: YAML shapes the rewrite does not edit
    case commandsFoldedIntoText = "RB120"
    case flowList = "RB121"
    case anchoredCommands = "RB123"
    case writerReadAsMapping = "RB124"
    case foldedWriterLines = "RB125"
    case unmappableScalar = "RB126"
    case foldedWriterNotWritable = "RB127"
    // Refusals: the shell
    case unreadableShell = "RB140"
    case hereDocumentFolded = "RB141"
    case hereDocumentUnterminated = "RB142"
    case writerInUnsafeContext = "RB143"
    case queryPlacement = "RB144"
    // Refusals: which repository to ask
    case registryNotECR = "RB160"
    case repositoryUnknown = "RB161"
    case noPush = "RB162"
    // Refusals: buildspecs inside templates
    case templateBuildspecOneLine = "RB170"
    case templateBuildspecFolded = "RB171"
    case templateBuildspecUnsupportedForm = "RB172"
    case templateBlockUnmapped = "RB173"
    case hostSubstitutionInGuard = "RB174"
    case writerInTemplateDirective = "RB175"
    case unreadableTemplate = "RB176"
    case unsupportedTemplateFile = "RB177"

    // Warnings
    case ecrGetLogin = "RB201"
    case commandReadAsMapping = "RB202"
    case quotedVersion = "RB203"

    // Files
    case unreadableFile = "RB301"
    case pathIsFolder = "RB302"
    case pathNotFound = "RB303"
    case unreadableFolder = "RB304"
    case unreadableFileList = "RB305"
    case writeFailed = "RB310"
    case reportWriteFailed = "RB311"

    // Options
    case invalidRepositoryName = "RB401"
    case invalidRegistryID = "RB402"

    // Notes
    case buildspecNamesFile = "RB501"
    case templateValueNotRead = "RB502"

    // Internal errors
    case overlappingEdits = "RB901"
    case verificationFailed = "RB902"
    case hostVerificationFailed = "RB903"

    /// `RB001`.
    public var id: String { rawValue }

    /// A short kebab-case name: `unguarded-definitions-writer`.
    public var name: String { entry.name }

    /// Whether its findings are printed only with `--verbose`: notes on what was not read.
    public var isVerboseOnly: Bool { id.hasPrefix("RB5") }

    /// How serious the rule's findings are unless a diagnostic says otherwise.
    public var defaultSeverity: Diagnostic.Severity { entry.severity }

    /// What the rule finds, in one sentence.
    public var summary: String { entry.summary }

    /// How to fix what it finds.
    public var help: String { entry.help }

    private var entry: (name: String, severity: Diagnostic.Severity, summary: String, help: String) {
        switch self {
        case .unguardedDefinitionsWriter:
            ("unguarded-definitions-writer", .error,
             "A command writes an image-definitions file even on the first pipeline run, when the ECR repository had no image yet, so the first deploy races CloudFormation.",
             "Run rewrite-buildspec on the file: it asks ECR before the first push and writes the file only when the repository already had an image.")
        case .ignoredDefinitionsWriter:
            ("ignored-definitions-writer", .note,
             "An unguarded image-definitions writer is left alone because a `# rewrite-buildspec: ignore RB001` comment is on its line or the line above.",
             "Nothing, if the team guards this writer in its own way; otherwise remove the comment and run rewrite-buildspec.")
        case .invalidYAML:
            ("invalid-yaml", .error, "The file is not valid YAML.", "Fix the YAML at the place named, then run again.")
        case .topLevelNotMapping:
            ("top-level-not-mapping", .error, "The top level of the file is not a mapping, so it is no buildspec.",
             "Start the file with `version: 0.2` and `phases:`.")
        case .duplicateKey:
            ("duplicate-key", .error, "A mapping repeats a key; CodeBuild rejects the file.", "Remove or merge one of the two keys.")
        case .missingVersion:
            ("missing-version", .error, "The buildspec has no `version`.", "Add `version: 0.2` at the top.")
        case .unsupportedVersion:
            ("unsupported-version", .error, "The buildspec's `version` is neither 0.1 nor 0.2.", "Use `version: 0.2`.")
        case .phasesNotMapping:
            ("phases-not-mapping", .error, "`phases` is not a mapping of phase names.", "Write `phases:` with `install`, `pre_build`, `build` or `post_build` under it.")
        case .commandsFoldedIntoText:
            ("commands-folded-into-text", .error,
             "A phase's `commands` is one text, not a list: YAML folded the lines into one.",
             "Indent every command as a `- ` item under `commands:`.")
        case .flowList:
            ("flow-list", .error, "The writer is in a flow list (`[a, b]`), which the rewrite does not edit.",
             "Write the list as a block list, one `- command` per line.")
        case .anchoredCommands:
            ("anchored-commands", .error,
             "The phases use YAML anchors or aliases, so editing the writer's command could change other places that reuse its text.",
             "Write the commands out where they run instead of through anchors and aliases.")
        case .writerReadAsMapping:
            ("writer-read-as-mapping", .error,
             "A command that writes image definitions is read by YAML as a mapping because of `: ` inside it.",
             "Quote the whole command, or put it in a `- |` block.")
        case .foldedWriterLines:
            ("folded-writer-lines", .error,
             "The writer's command is folded over several lines, so a guard would change lines that do not name the file.",
             "Put the command in a `- |` block.")
        case .unmappableScalar:
            ("unmappable-scalar", .error, "The YAML text of the writer's command cannot be followed back to its bytes.",
             "Write the writer as a plain list item or in a `- |` block.")
        case .unreadableShell:
            ("unreadable-shell", .error, "A command that mentions an image-definitions file cannot be read as POSIX shell.",
             "Fix the shell syntax so that the tool can read the writer.")
        case .hereDocumentFolded:
            ("here-document-folded", .error,
             "The here-document that writes the file has no body: YAML folded the plain multi-line command onto one line.",
             "Put the command in a `- |` block so its lines stay lines.")
        case .hereDocumentUnterminated:
            ("here-document-unterminated", .error, "The here-document that writes the file never ends.",
             "End it with a line holding only its delimiter.")
        case .writerInUnsafeContext:
            ("writer-in-unsafe-context", .error,
             "The writer is inside a `case`, a loop or a function, where a guard cannot be added safely.",
             "Move the writer out of it, or guard it by hand and silence it with `# rewrite-buildspec: ignore RB001`.")
        case .queryPlacement:
            ("query-placement", .error, "The ECR query cannot be placed before the command that needs it.",
             "Put the push in a list item of its own.")
        case .registryNotECR:
            ("registry-not-ecr", .error,
             "The image goes to a registry that `aws` cannot ask whether it held an image (Docker Hub, GitHub, another registry): only ECR and ECR Public can be asked.",
             "Push the service's image to ECR or ECR Public, or pass `--repository-name NAME` (and `--registry-id ACCOUNT` when another account owns it) if it is also in an ECR repository.")
        case .repositoryUnknown:
            ("repository-unknown", .error, "The ECR repository of a push cannot be read from the buildspec.",
             "Pass `--repository-name NAME` (a name or `$VARIABLE`).")
        case .noPush:
            ("no-push", .error, "Image definitions are written, but no command pushes an image, so the repository to ask is unknown.",
             "Pass `--repository-name NAME`: the ECR repository the service deploys.")
        case .ecrGetLogin:
            ("ecr-get-login", .warning, "`aws ecr get-login` is gone in AWS CLI v2, which current CodeBuild images ship.",
             "Use `aws ecr get-login-password | docker login --username AWS --password-stdin REGISTRY`.")
        case .commandReadAsMapping:
            ("command-read-as-mapping", .warning, "YAML reads a command as a mapping because of `: ` inside it; CodeBuild rejects the file.",
             "Quote the whole command, or put it in a `- |` block.")
        case .quotedVersion:
            ("quoted-version", .warning, "`version` is quoted, so it is a string; batch builds fail with \"cannot unmarshal !!str\".",
             "Write `version: 0.2` without quotes.")
        case .unreadableFile:
            ("unreadable-file", .error, "The file cannot be read.", "Check the path and its permissions.")
        case .pathIsFolder:
            ("path-is-folder", .error, "A path expected to be a buildspec file is a folder.", "Name the file, or the folder to search it.")
        case .pathNotFound:
            ("path-not-found", .error, "No file or folder has that path.", "Check the path.")
        case .unreadableFolder:
            ("unreadable-folder", .error, "A folder cannot be listed.", "Check its permissions, or leave it out with `--exclude GLOB`.")
        case .unreadableFileList:
            ("unreadable-file-list", .error, "The list given with `--files-from` cannot be read.", "Check the path and its permissions.")
        case .writeFailed:
            ("write-failed", .error, "The rewritten file could not be written (or the file changed meanwhile); it is unchanged.",
             "Fix what the message names, then run again.")
        case .reportWriteFailed:
            ("report-write-failed", .error, "The file given with `--report-file` could not be written.",
             "Check the folder and its permissions.")
        case .foldedWriterNotWritable:
            ("folded-writer-not-writable", .error,
             "The writer's command is folded by YAML in a way the rewrite cannot write out line by line (a comment after it, trailing blanks, control characters, or a command edited already).",
             "Put the command in a `- |` block.")
        case .templateBuildspecOneLine:
            ("template-buildspec-one-line", .error,
             "A template's BuildSpec that writes image definitions is a one-line plain or quoted string, which the rewrite cannot add lines to.",
             "Write the BuildSpec as a literal block (`BuildSpec: |` or `!Sub |`), or as a JSON string with `\\n` line breaks.")
        case .templateBuildspecFolded:
            ("template-buildspec-folded", .error, "A template's BuildSpec is a folded block (`>`), whose lines YAML joins.",
             "Write it as a literal block (`BuildSpec: |`).")
        case .templateBuildspecUnsupportedForm:
            ("template-buildspec-unsupported-form", .error,
             "A template's BuildSpec that writes image definitions is built by a function the tool does not evaluate (`Fn::If`, a Join of other parts).",
             "Write the BuildSpec as one string, a `Fn::Sub` string, or a `Fn::Join` of \"\\n\" and string lines; move conditions into the shell or into parameters.")
        case .templateBlockUnmapped:
            ("template-block-unmapped", .error, "The text of a template's BuildSpec cannot be followed back to its bytes.",
             "Write the BuildSpec as a literal block with one indentation, then run again.")
        case .hostSubstitutionInGuard:
            ("host-substitution-in-guard", .error,
             "The guard would need a template substitution or interpolation (`${Name}`) where the template cannot carry it exactly.",
             "Put the image's repository in a project environment variable or a shell variable, or pass `--repository-name NAME`.")
        case .writerInTemplateDirective:
            ("writer-in-template-directive", .error,
             "The writer is inside a Terraform `%{ if }` / `%{ for }` directive, which renders it zero or many times.",
             "Move the writer and its `docker push` out of the directive.")
        case .unreadableTemplate:
            ("unreadable-template", .error, "The template (a Terraform file or template) cannot be read.",
             "Check that `terraform validate` accepts it.")
        case .unsupportedTemplateFile:
            ("unsupported-template-file", .error,
             "A kind of template file the tool does not read yet (Terraform JSON, `.tf.json`); rewriting it as a plain buildspec would break its interpolations.",
             "Guard the buildspec by hand, or move it to a buildspec file.")
        case .buildspecNamesFile:
            ("buildspec-names-file", .note,
             "A template's BuildSpec only names a buildspec file; that file is handled where the folder search finds it.",
             "Nothing; name that file or its folder to check it.")
        case .templateValueNotRead:
            ("template-value-not-read", .note,
             "A template's BuildSpec or heredoc is not read as a buildspec (another form, or not a buildspec), and it writes no image definitions.",
             "Nothing.")
        case .invalidRegistryID:
            ("invalid-registry-id", .error, "`--registry-id` is not a 12-digit AWS account id or `$VARIABLE`.",
             "Pass the account that owns the ECR registry, such as `111122223333` or `$ECR_ACCOUNT_ID`.")
        case .invalidRepositoryName:
            ("invalid-repository-name", .error, "`--repository-name` is not a valid ECR repository name or `$VARIABLE`.",
             "Use lowercase letters, digits, `.`, `_`, `-` and `/`, or a variable such as `$IMAGE_REPO_NAME`.")
        case .overlappingEdits:
            ("overlapping-edits", .error, "Internal error: the planned edits overlap; nothing was written.", "Please report the file.")
        case .verificationFailed:
            ("verification-failed", .error,
             "Internal error: the rewritten file did not pass the check against the original; nothing was written.",
             "Please report the file.")
        case .hostVerificationFailed:
            ("host-verification-failed", .error,
             "Internal error: the rewritten template did not pass the check (it no longer parses, bytes outside the buildspec changed, or the buildspec does not read back); nothing was written.",
             "Please report the file.")
        }
    }
}
