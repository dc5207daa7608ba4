/// A Terraform template (a heredoc's body or a template file) as the buildspec pipeline reads
/// it: `<<-` indentation stripped, `$${` / `%%{` as the shell's `${` / `%{`, each
/// interpolation a shell variable of a name of its own (opaque to the shell reading: its value
/// is Terraform's) and directives left out; with the way back to the outer file's bytes.
///
/// An interpolation stands as `${P}`, a variable the repository resolution can follow
/// (`${docker_image_ecr}` is then used as the name itself, `${aws_ecr_repository.app.repository_url}`
/// gives `${aws_ecr_repository.app.name}`), or, for those `opaque`, as `$(P)`, a value the shell
/// reading cannot see into (so a shell variable holding it is asked as `$${VAR#*/}`).
struct TemplateShellView: Sendable {
    /// What the buildspec pipeline reads.
    let text: [UInt8]
    /// For each byte of `text` (and its end) the offset in the outer file it comes from.
    private let rawOffsets: [Int]
    /// Placeholder variable -> the interpolation as written (`${var.name}`) and its expression.
    private(set) var placeholders: [String: (raw: String, expression: String)] = [:]
    /// Ranges of `text` inside `%{ if }` / `%{ for }`.
    private(set) var conditionalRanges: [Range<Int>] = []
    /// Offsets of `text` where directives were left out.
    private(set) var directiveOffsets: [Int] = []
    /// What `<<-` stripped from every line; new lines get it back.
    let indentation: [UInt8]
    /// Where the template ends in the outer file.
    let rawEnd: Int
    private let placeholderPrefix: String

    struct MappingError: Error, Sendable {
        var message: String
        /// The interpolation (as written) whose repository name is not exact as a variable.
        var inexactRepository: String?
    }

    /// The view of `raw[body]`; `stripsIndentation` for `<<-` heredocs; `opaque`: the
    /// interpolations (as written) that stand as `$(P)`.
    init(raw: [UInt8], body: Range<Int>, stripsIndentation: Bool, opaque: Set<String> = []) throws(HCLTemplate.ScanError) {
        rawEnd = body.upperBound
        // The lines, with what `<<-` strips: the smallest indentation of the lines not blank.
        var lines: [Range<Int>] = []
        var start = body.lowerBound
        while start < body.upperBound {
            var end = start
            while end < body.upperBound, raw[end] != UInt8(ascii: "\n") { end += 1 }
            lines.append(start..<min(end + 1, body.upperBound))
            start = end + 1
        }
        func leadingSpace(_ line: Range<Int>) -> Int {
            var index = line.lowerBound
            while index < line.upperBound, raw[index] == UInt8(ascii: " ") || raw[index] == UInt8(ascii: "\t") { index += 1 }
            return index - line.lowerBound
        }
        func isBlank(_ line: Range<Int>) -> Bool {
            raw[line].allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
        }
        var strip = 0
        var indentation: [UInt8] = []
        if stripsIndentation, let first = lines.first(where: { !isBlank($0) }) {
            strip = lines.filter { !isBlank($0) }.map(leadingSpace).min() ?? 0
            indentation = Array(raw[first.lowerBound..<first.lowerBound + strip])
        }
        self.indentation = indentation
        var source: [UInt8] = []
        var sourceOffsets: [Int] = []
        source.reserveCapacity(body.count)
        sourceOffsets.reserveCapacity(body.count + 1)
        for line in lines {
            let kept = line.lowerBound + min(strip, leadingSpace(line))
            source += raw[kept..<line.upperBound]
            sourceOffsets.append(contentsOf: kept..<line.upperBound)
        }
        sourceOffsets.append(body.upperBound)

        var prefix = "_tf"
        while raw.containsBytes(Array(prefix.utf8)) { prefix += "_" }
        placeholderPrefix = prefix
        let template = try HCLTemplate(source, in: 0..<source.count)
        var text: [UInt8] = []
        var offsets: [Int] = []
        text.reserveCapacity(source.count)
        offsets.reserveCapacity(source.count + 1)
        var names: [String: String] = [:]
        var conditionalStarts: [Int: Int] = [:]
        var conditionalEnds: [Int: Int] = [:]
        let conditional = template.conditionalRanges
        for part in template.parts {
            if let range = conditional.first(where: { $0.lowerBound == part.range.lowerBound }) { conditionalStarts[range.lowerBound] = text.count }
            switch part {
            case .literal(let range):
                text += source[range]
                offsets += sourceOffsets[range]
            case .escape(let range):
                text += [source[range.lowerBound + 1], UInt8(ascii: "{")]
                offsets += [sourceOffsets[range.lowerBound], sourceOffsets[range.lowerBound]]
            case .interpolation(let range, let expression):
                let written = String(decoding: source[range], as: UTF8.self)
                let name = names[written] ?? "\(prefix)\(names.count)"
                names[written] = name
                placeholders[name] = (written, expression)
                let reference = Array((opaque.contains(written) ? "$(\(name))" : "${\(name)}").utf8)
                text += reference
                offsets.append(contentsOf: repeatElement(sourceOffsets[range.lowerBound], count: reference.count))
            case .directive:
                directiveOffsets.append(text.count)
            }
            if let range = conditional.first(where: { $0.upperBound == part.range.upperBound }) { conditionalEnds[range.upperBound] = text.count }
        }
        offsets.append(body.upperBound)
        conditionalRanges = conditional.compactMap { range in
            guard let lower = conditionalStarts[range.lowerBound] else { return nil }
            return lower..<(conditionalEnds[range.upperBound] ?? text.count)
        }
        self.text = text
        rawOffsets = offsets
    }

    /// The offset in the outer file of a view offset.
    func rawOffset(_ offset: Int) -> Int {
        rawOffsets[min(max(offset, 0), rawOffsets.count - 1)]
    }

    /// The outer file's offset where the line starting at view offset `offset` starts
    /// (before the indentation `<<-` strips).
    func rawLineStart(ofViewLineAt offset: Int, in raw: [UInt8]) throws(MappingError) -> Int {
        let mapped = rawOffset(offset)
        if offset >= text.count { return rawEnd }
        var start = mapped
        while start > 0, raw[start - 1] != UInt8(ascii: "\n") { start -= 1 }
        guard raw[start..<mapped].allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }),
              start >= (offset > 0 ? rawOffset(offset - 1) : 0) else {
            throw MappingError(message: "an interpolation spans the lines the guard changes")
        }
        return start
    }

    /// View text (whole lines) as the outer file must hold it: each placeholder back as the
    /// interpolation it stands for, everything else escaped (`${` -> `$${`, `%{` -> `%%{`), the
    /// stripped indentation before every line that is not blank.
    func rawText(of lines: ArraySlice<UInt8>) throws(MappingError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(lines.count + lines.count / 8)
        var index = lines.startIndex
        var atLineStart = true
        let prefix = Array(placeholderPrefix.utf8)
        while index < lines.endIndex {
            let byte = lines[index]
            if atLineStart, !indentation.isEmpty, byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") { output += indentation }
            atLineStart = false
            if byte == UInt8(ascii: "\n") {
                output.append(byte)
                atLineStart = true
                index += 1
                continue
            }
            if byte == UInt8(ascii: "$"), let (replacement, end) = try placeholder(in: lines, at: index, prefix: prefix) {
                output += replacement
                index = end
                continue
            }
            if (byte == UInt8(ascii: "$") || byte == UInt8(ascii: "%")), index + 1 < lines.endIndex, lines[index + 1] == UInt8(ascii: "{") {
                output += [byte, byte, UInt8(ascii: "{")]
                index += 2
                continue
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    /// A use of a placeholder `P` in view text, at a `$`.
    private struct Reference {
        enum Form {
            /// `$P`, `${P}` or `$(P)`: the interpolation itself.
            case whole
            /// `${P#*/}`: the repository name of a URI.
            case repositoryName
            /// Any other expansion of `P`, which Terraform cannot write.
            case other
        }

        var raw: String
        var expression: String
        var form: Form
        /// Just after the use.
        var end: Int
    }

    private func reference(in text: ArraySlice<UInt8>, at index: Int, prefix: [UInt8]) -> Reference? {
        var cursor = index + 1
        let opener = cursor < text.endIndex ? text[cursor] : 0
        let braced = opener == UInt8(ascii: "{") || opener == UInt8(ascii: "(")
        if braced { cursor += 1 }
        guard text[cursor...].starts(with: prefix) else { return nil }
        let nameStart = cursor
        while cursor < text.endIndex, HCLTemplate.isWordByte(text[cursor]) { cursor += 1 }
        guard let (raw, expression) = placeholders[String(decoding: text[nameStart..<cursor], as: UTF8.self)] else { return nil }
        func found(_ form: Reference.Form, _ end: Int) -> Reference { Reference(raw: raw, expression: expression, form: form, end: end) }
        if !braced { return found(.whole, cursor) }
        let closer = opener == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ")")
        if cursor < text.endIndex, text[cursor] == closer { return found(.whole, cursor + 1) }
        let suffix = Array("#*/}".utf8)
        if opener == UInt8(ascii: "{"), text[cursor...].starts(with: suffix) { return found(.repositoryName, cursor + suffix.count) }
        return found(.other, cursor)
    }

    /// `${P}`, `$P` or `${P#*/}` for a placeholder `P` at `index`: what it is in the outer file.
    private func placeholder(in text: ArraySlice<UInt8>, at index: Int, prefix: [UInt8]) throws(MappingError) -> ([UInt8], Int)? {
        guard let use = reference(in: text, at: index, prefix: prefix) else { return nil }
        switch use.form {
        case .whole:
            return (Array(use.raw.utf8), use.end)
        case .repositoryName:
            // Exact only for an ECR repository's URL.
            if let name = Self.repositoryName(ofURL: use.expression) { return (Array("${\(name)}".utf8), use.end) }
            throw MappingError(message: "cannot name the ECR repository of `\(use.raw)` exactly in a Terraform template", inexactRepository: use.raw)
        case .other:
            throw MappingError(message: "the guard would use `\(use.raw)` in a way the template cannot write")
        }
    }

    /// `aws_ecr_repository.app.repository_url` -> `aws_ecr_repository.app.name` (the same for `data.`).
    static func repositoryName(ofURL expression: String) -> String? {
        // Most expressions are no repository's URL: the bytes say so before any splitting.
        let suffix = ".repository_url".utf8
        guard expression.utf8.count > suffix.count, expression.utf8.suffix(suffix.count).elementsEqual(suffix),
              expression.containsBytes("aws_ecr_repository")
        else { return nil }
        let parts = expression.split(separator: ".", omittingEmptySubsequences: false)
        let resource = parts.first == "data" ? parts.dropFirst() : parts[...]
        guard resource.count == 3, resource.first == "aws_ecr_repository", resource.last == "repository_url",
              resource.dropFirst().first.map({ !$0.isEmpty && $0.utf8.allSatisfy { HCLTemplate.isWordByte($0) || $0 == UInt8(ascii: "-") } }) == true
        else { return nil }
        return (parts.first == "data" ? "data." : "") + "aws_ecr_repository.\(resource[resource.startIndex + 1]).name"
    }

    /// What the interpolations are, for the buildspec pipeline: each Terraform's, not the
    /// shell's; those of the module's own provider (in the usual module of one `aws` provider,
    /// the account and region the CodeBuild project, and so the build, runs in) the build's own:
    /// an `aws_ecr_repository`'s `repository_url`, `data.aws_caller_identity`'s `account_id`,
    /// `data.aws_region`'s name, and the expression the provider's `region` is set from.
    func hostValues(providerRegions: Set<String>) -> HostValues {
        var values = HostValues()
        for (name, (_, expression)) in placeholders {
            values.substitutions.insert(name)
            let parts = expression.split(separator: ".", omittingEmptySubsequences: false)
            if Self.repositoryName(ofURL: expression) != nil {
                values.ownRegistries.insert(name)
            } else if parts.count == 4, parts[0] == "data", parts[1] == "aws_caller_identity", parts[3] == "account_id" {
                values.ownAccounts.insert(name)
            } else if (parts.count == 4 && parts[0] == "data" && parts[1] == "aws_region" && ["name", "region", "id"].contains(parts[3]))
                        || providerRegions.contains(expression) {
                values.ownRegions.insert(name)
            }
        }
        return values
    }

    /// A message of the buildspec pipeline with the interpolations as written.
    func restored(_ message: String) -> String {
        // Every placeholder's name holds the prefix: most messages hold none.
        guard message.containsBytes(placeholderPrefix) else { return message }
        var text = message
        for name in placeholders.keys.sorted(by: { $0.count > $1.count }) {
            // Bytes first: a message without the name (most) needs no replacing at all.
            guard let raw = placeholders[name]?.raw, text.containsBytes(name) else { continue }
            text = text.replacingBytes("${\(name)}", with: raw).replacingBytes("$(\(name))", with: raw).replacingBytes("$\(name)", with: raw)
        }
        return text
    }

    // MARK: Rendering, for verification

    /// How an interpolation renders, symbolically: an ECR repository's URL as a registry and
    /// the repository's name, anything else as itself.
    static func symbolic(_ expression: String) -> [UInt8] {
        if let name = repositoryName(ofURL: expression) {
            return [0x01] + Array("registry".utf8) + [0x02, UInt8(ascii: "/"), 0x01] + Array(name.utf8) + [0x02]
        }
        return [0x01] + Array(expression.utf8) + [0x02]
    }

    /// What view text (the pipeline's output) renders to once its placeholders are Terraform's.
    func render(view: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        let prefix = Array(placeholderPrefix.utf8)
        var index = 0
        while index < view.count {
            if view[index] == UInt8(ascii: "$"), let use = reference(in: view[...], at: index, prefix: prefix), use.form != .other {
                let value = Self.symbolic(use.expression)
                output += use.form == .whole ? value[...] : value.firstIndex(of: UInt8(ascii: "/")).map { value[($0 + 1)...] } ?? []
                index = use.end
                continue
            }
            output.append(view[index])
            index += 1
        }
        return output
    }
}
