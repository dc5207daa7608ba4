/// What a Terraform `.tf` file says about buildspecs: the `buildspec` attributes of every
/// `resource "aws_codebuild_project"` (in `source` and `secondary_sources` blocks), and the
/// files it reads as templates. A scanner, not a full HCL parser: it knows comments, strings,
/// heredocs, blocks and attributes, which is all that finding these needs.
struct TerraformConfiguration: Sendable {
    /// `<<EOF` or `<<-EOF` up to its closing line.
    struct Heredoc: Sendable, Equatable {
        var marker: String
        /// `<<-`: Terraform strips the lines' common leading whitespace.
        var indented: Bool
        /// The `<<EOF` token.
        var header: Range<Int>
        /// From the start of the first body line to the start of the closing line.
        var body: Range<Int>
    }

    enum Value: Sendable, Equatable {
        case heredoc(Heredoc)
        /// A quoted string, `file(...)`, `templatefile(...)`, `yamlencode(...)`, a reference...:
        /// `function` is the name of the function called first, if any.
        case expression(Range<Int>, function: String?)
    }

    /// `buildspec = ...` inside `source` or `secondary_sources` of an `aws_codebuild_project`.
    struct BuildspecAttribute: Sendable, Equatable {
        /// `aws_codebuild_project.NAME`.
        var resource: String
        /// `source` or `secondary_sources`.
        var block: String
        var value: Value
    }

    struct ScanError: Error, Sendable {
        var offset: Int
        var message: String
    }

    private(set) var buildspecs: [BuildspecAttribute] = []
    /// Every heredoc of the file, buildspec or not.
    private(set) var heredocs: [Heredoc] = []
    /// The files the buildspecs are rendered from: given to `templatefile(...)` in a buildspec
    /// attribute, or to `file(...)` as the `template` of a `data "template_file"` whose
    /// `rendered` a buildspec attribute reads; without a leading `${path.module}/` or `./`.
    var templateFiles: [String] {
        var files = buildspecTemplateFiles
        for name in renderedTemplates { files += dataTemplateFiles[name] ?? [] }
        return files
    }

    private var buildspecTemplateFiles: [String] = []
    /// `data "template_file" "NAME"` -> the files its `template` reads.
    private var dataTemplateFiles: [String: [String]] = [:]
    /// The `NAME` of every `data.template_file.NAME` a buildspec attribute reads.
    private var renderedTemplates: [String] = []

    private let bytes: [UInt8]
    private var index = 0

    /// One open block: its type and labels.
    private struct Block { var type: String; var labels: [String] }
    private var blocks: [Block] = []
    /// The `provider "aws"` blocks: the expression of their `region`, and whether they have an alias.
    private var providers: [(region: String?, aliased: Bool)] = []

    /// The `region` expressions of the default `aws` providers (those without an alias): the
    /// region the module's resources, its CodeBuild project among them, are made in.
    var providerRegions: Set<String> {
        Set(providers.filter { !$0.aliased }.compactMap(\.region))
    }

    init(_ bytes: [UInt8]) throws(ScanError) {
        self.bytes = bytes
        try scanBody()
    }

    // MARK: Blocks and attributes

    /// Statements until the `}` that closes the current block (or the end of the file).
    private mutating func scanBody() throws(ScanError) {
        while true {
            skipSpace(newlines: true)
            guard index < bytes.count else {
                if !blocks.isEmpty { throw ScanError(offset: bytes.count, message: "a block never closes") }
                return
            }
            if bytes[index] == UInt8(ascii: "}") {
                guard !blocks.isEmpty else { throw ScanError(offset: index, message: "`}` closes no block") }
                index += 1
                blocks.removeLast()
                continue
            }
            guard let name = identifier() else {
                throw ScanError(offset: index, message: "expected an attribute or a block, found `\(String(decoding: [bytes[index]], as: UTF8.self))`")
            }
            var labels: [String] = []
            while true {
                skipSpace(newlines: false)
                guard index < bytes.count else { throw ScanError(offset: index, message: "`\(name)` is neither an attribute nor a block") }
                if bytes[index] == UInt8(ascii: "=") && !(index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "=")) {
                    index += 1
                    try attribute(name)
                    break
                }
                if bytes[index] == UInt8(ascii: "{") {
                    index += 1
                    if blocks.isEmpty, name == "provider", labels == ["aws"] { providers.append((nil, false)) }
                    blocks.append(Block(type: name, labels: labels))
                    break
                }
                if bytes[index] == UInt8(ascii: "\"") {
                    let start = index
                    try skipString()
                    labels.append(String(decoding: bytes[start + 1..<index - 1], as: UTF8.self))
                } else if let label = identifier() {
                    labels.append(label)
                } else {
                    throw ScanError(offset: index, message: "`\(name)` is neither an attribute nor a block")
                }
            }
        }
    }

    private var codebuildProject: String? {
        guard let resource = blocks.first, resource.type == "resource", resource.labels.count == 2,
              resource.labels[0] == "aws_codebuild_project" else { return nil }
        return "aws_codebuild_project.\(resource.labels[1])"
    }

    private mutating func attribute(_ name: String) throws(ScanError) {
        skipSpace(newlines: false)
        let valueStart = index
        let firstFunction = peekFunctionName()
        let heredocsBefore = heredocs.count
        try skipExpression()
        var end = index
        while end > valueStart, bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t") { end -= 1 }
        if blocks.count == 1, blocks[0].type == "provider", blocks[0].labels == ["aws"], !providers.isEmpty {
            if name == "region" { providers[providers.count - 1].region = String(decoding: bytes[valueStart..<end], as: UTF8.self) }
            if name == "alias" { providers[providers.count - 1].aliased = true }
        }
        if name == "template", blocks.count == 1, blocks[0].type == "data", blocks[0].labels.first == "template_file", blocks[0].labels.count == 2 {
            dataTemplateFiles[blocks[0].labels[1], default: []] += calls(of: "file", in: valueStart..<end)
        }
        guard name == "buildspec", let project = codebuildProject, blocks.count == 2,
              blocks[1].type == "source" || blocks[1].type == "secondary_sources" else { return }
        let value: Value
        // A heredoc is recorded only when nothing but blanks follows its marker on that line.
        if heredocs.count == heredocsBefore + 1, heredocs[heredocsBefore].header.lowerBound == valueStart {
            value = .heredoc(heredocs[heredocsBefore])
        } else {
            value = .expression(valueStart..<end, function: firstFunction)
            buildspecTemplateFiles += calls(of: "templatefile", in: valueStart..<end)
            renderedTemplates += references(to: "data.template_file.", in: valueStart..<end)
        }
        buildspecs.append(BuildspecAttribute(resource: project, block: blocks[1].type, value: value))
    }

    /// The first arguments of every `function("...")` call in the range, as file names.
    private func calls(of function: String, in range: Range<Int>) -> [String] {
        var files: [String] = []
        let name = Array(function.utf8) + [UInt8(ascii: "(")]
        var cursor = range.lowerBound
        while cursor + name.count < range.upperBound {
            if bytes[cursor..<cursor + name.count].elementsEqual(name), cursor == range.lowerBound || !HCLTemplate.isWordByte(bytes[cursor - 1]) {
                var argument = cursor + name.count
                while argument < range.upperBound, bytes[argument] == UInt8(ascii: " ") { argument += 1 }
                if argument < range.upperBound, bytes[argument] == UInt8(ascii: "\"") {
                    var close = argument + 1
                    while close < range.upperBound, bytes[close] != UInt8(ascii: "\"") { close += bytes[close] == UInt8(ascii: "\\") ? 2 : 1 }
                    if close < range.upperBound { files.append(Self.fileName(String(decoding: bytes[argument + 1..<close], as: UTF8.self))) }
                }
            }
            cursor += 1
        }
        return files
    }

    /// `NAME` of every `prefixNAME` in the range.
    private func references(to prefix: String, in range: Range<Int>) -> [String] {
        var names: [String] = []
        let needle = Array(prefix.utf8)
        var cursor = range.lowerBound
        while cursor + needle.count < range.upperBound {
            if bytes[cursor..<cursor + needle.count].elementsEqual(needle) {
                var end = cursor + needle.count
                while end < range.upperBound, HCLTemplate.isWordByte(bytes[end]) || bytes[end] == UInt8(ascii: "-") { end += 1 }
                names.append(String(decoding: bytes[cursor + needle.count..<end], as: UTF8.self))
                cursor = end
            } else {
                cursor += 1
            }
        }
        return names
    }

    /// `${path.module}/x.tpl` -> `x.tpl`; `./x.tpl` -> `x.tpl`.
    static func fileName(_ path: String) -> String {
        var name = Substring(path)
        for prefix in ["${path.module}/", "${path.root}/", "${path.cwd}/", "./"] where name.hasPrefix(prefix) {
            name = name.dropFirst(prefix.count)
        }
        return String(name)
    }

    private func peekFunctionName() -> String? {
        var cursor = index
        while cursor < bytes.count, HCLTemplate.isWordByte(bytes[cursor]) || bytes[cursor] == UInt8(ascii: "-") { cursor += 1 }
        guard cursor > index, cursor < bytes.count, bytes[cursor] == UInt8(ascii: "(") else { return nil }
        return String(decoding: bytes[index..<cursor], as: UTF8.self)
    }

    // MARK: Expressions

    /// An expression up to the end of its line (brackets may span lines). Records the heredocs
    /// it holds.
    private mutating func skipExpression() throws(ScanError) {
        var depth = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\n"):
                if depth == 0 { return }
                index += 1
            case UInt8(ascii: "\""):
                try skipString()
            case UInt8(ascii: "#"):
                skipLineComment()
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "/"):
                skipLineComment()
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                try skipBlockComment()
            case UInt8(ascii: "<") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "<"):
                if try !skipHeredoc() { index += 2 }
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                index += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                if depth == 0 { return }
                depth -= 1
                index += 1
            default:
                index += 1
            }
        }
    }

    /// `<<EOF` / `<<-EOF` at `index`; false when `<<` starts no heredoc (a shift).
    private mutating func skipHeredoc() throws(ScanError) -> Bool {
        let start = index
        var cursor = index + 2
        let indented = cursor < bytes.count && bytes[cursor] == UInt8(ascii: "-")
        if indented { cursor += 1 }
        let markerStart = cursor
        while cursor < bytes.count, HCLTemplate.isWordByte(bytes[cursor]) || bytes[cursor] == UInt8(ascii: "-") { cursor += 1 }
        guard cursor > markerStart, !(bytes[markerStart] >= UInt8(ascii: "0") && bytes[markerStart] <= UInt8(ascii: "9")) else { return false }
        let marker = Array(bytes[markerStart..<cursor])
        let header = start..<cursor
        while cursor < bytes.count, bytes[cursor] == UInt8(ascii: " ") || bytes[cursor] == UInt8(ascii: "\t") || bytes[cursor] == UInt8(ascii: "\r") {
            cursor += 1
        }
        guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "\n") else { return false }
        let bodyStart = cursor + 1
        var lineStart = bodyStart
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count, bytes[lineEnd] != UInt8(ascii: "\n") { lineEnd += 1 }
            var first = lineStart
            var last = lineEnd
            while first < last, bytes[first] == UInt8(ascii: " ") || bytes[first] == UInt8(ascii: "\t") { first += 1 }
            while last > first, bytes[last - 1] == UInt8(ascii: " ") || bytes[last - 1] == UInt8(ascii: "\t") || bytes[last - 1] == UInt8(ascii: "\r") {
                last -= 1
            }
            if Array(bytes[first..<last]) == marker {
                heredocs.append(Heredoc(marker: String(decoding: marker, as: UTF8.self), indented: indented, header: header, body: bodyStart..<lineStart))
                // The expression goes on after the marker (the closing line ends it).
                index = last
                return true
            }
            lineStart = lineEnd + 1
        }
        throw ScanError(offset: start, message: "heredoc `<<\(indented ? "-" : "")\(String(decoding: marker, as: UTF8.self))` never closes")
    }

    /// A quoted string at `index`; `${...}` inside may hold quotes of its own.
    private mutating func skipString() throws(ScanError) {
        let start = index
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                index += 2
            } else if byte == UInt8(ascii: "\"") {
                index += 1
                return
            } else if byte == UInt8(ascii: "\n") {
                break
            } else if (byte == UInt8(ascii: "$") || byte == UInt8(ascii: "%")) && index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "{") {
                if index > start + 1, bytes[index - 1] == byte {
                    index += 2
                    continue
                }
                guard let close = HCLTemplate.closingBrace(bytes, from: index + 2, before: bytes.count) else { break }
                index = close + 1
            } else {
                index += 1
            }
        }
        throw ScanError(offset: start, message: "a quoted string never closes")
    }

    // MARK: Tokens

    private mutating func identifier() -> String? {
        let start = index
        guard index < bytes.count, HCLTemplate.isWordByte(bytes[index]) else { return nil }
        while index < bytes.count, HCLTemplate.isWordByte(bytes[index]) || bytes[index] == UInt8(ascii: "-") { index += 1 }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func skipSpace(newlines: Bool) {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): index += 1
            case UInt8(ascii: "\n") where newlines: index += 1
            case UInt8(ascii: "#"): skipLineComment()
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "/"): skipLineComment()
            case UInt8(ascii: "/") where index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "*"):
                // An unclosed comment runs to the end of the file.
                if (try? skipBlockComment()) == nil { index = bytes.count }
            default: return
            }
        }
    }

    private mutating func skipLineComment() {
        while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
    }

    private mutating func skipBlockComment() throws(ScanError) {
        let start = index
        index += 2
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "*"), bytes[index + 1] == UInt8(ascii: "/") {
                index += 2
                return
            }
            index += 1
        }
        index = bytes.count
        throw ScanError(offset: start, message: "a `/*` comment never closes")
    }
}
