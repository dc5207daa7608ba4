// libFuzzer entry point over the core `rewrite(bytes)`. Built by scripts/fuzz together with
// the core's sources as one module, so the checks below use the same YAML reader.
//
// Invariants, checked on every input:
// - no crash, no hang (libFuzzer's -timeout);
// - a file the one-pass validator passes is one the full pipeline finds nothing in;
// - a refused or untouched file comes back byte-identical;
// - a rewritten file parses, is still a buildspec, has the same data outside the phases'
//   commands, keeps every input line (indentation and `- ` aside; the writer's own line may
//   move into a block or a guard), and a second rewrite changes nothing.

@_cdecl("LLVMFuzzerTestOneInput")
public func rewriteFuzzTarget(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let result = BuildspecRewriter.rewrite(input)
    if BuildspecValidator.isQuietWithoutWriter(SourceText(input)) {
        let full = BuildspecRewriter.rewrite(SourceText(input), options: RewriteOptions(), override: nil, registryID: nil)
        if full.outcome != .noDefinitionsWriter || !full.diagnostics.isEmpty { fatalError("the one-pass validator passed a file the pipeline reports on") }
    }
    guard result.outcome == .rewritten else {
        if result.output != input { fatalError("a file that was not rewritten changed") }
        return 0
    }
    let source = SourceText(result.output)
    guard let root = try? YAMLParser.parse(source) else { fatalError("the rewritten file is not valid YAML") }
    let (spec, _) = BuildspecReader.read(root, source: source)
    guard spec != nil else { fatalError("the rewritten file is no longer a buildspec") }
    guard let originalRoot = try? YAMLParser.parse(SourceText(input)) else { fatalError("rewritten, but the input did not parse") }
    if !RewriteVerifier.sameDataOutsideCommands(originalRoot, root) {
        fatalError("data outside the commands changed")
    }
    let output = String(decoding: result.output, as: UTF8.self)
    let kept = Set(output.split(whereSeparator: \.isNewline).map { normalized(Substring(withoutInsertedQuery($0))) })
    for line in String(decoding: input, as: UTF8.self).split(whereSeparator: \.isNewline) {
        let normal = normalized(line)
        // As the oracle does: a line may lose the quote that opened or closed its scalar.
        let unquoted = String(normal.drop { $0 == "'" || $0 == "\"" }.reversed().drop { $0 == "'" || $0 == "\"" }.reversed())
        if normal.isEmpty || kept.contains(normal) || kept.contains(unquoted) { continue }
        // The writer's own line moves into the guard; like the oracle, let lines naming a
        // definitions file go, and lines emitting the `imageUri` key (the writer of a file
        // named otherwise, such as one the artifacts list through a variable).
        let lower = line.lowercased()
        if lower.containsBytes("imagedefinition") || lower.containsBytes("imagesdefinition") || lower.containsBytes("imagedetail")
            || lower.containsBytes("imageuri")
        {
            continue
        }
        if kept.contains(where: { $0.contains(normal) }) { continue }
        fatalError("the input line \(line.debugDescription) is gone")
    }
    if BuildspecRewriter.rewrite(result.output).output != result.output { fatalError("a second rewrite changed the file") }
    return 0
}

private func normalized(_ line: Substring) -> String {
    var text = line.drop { $0 == " " || $0 == "\t" || $0 == "\u{FEFF}" }
    if text.hasPrefix("- ") { text = text.dropFirst(2).drop { $0 == " " } }
    while let last = text.last, last == " " || last == "\t" || last == "\r" { text = text.dropLast() }
    return String(text)
}

/// A line with the query the rewrite put in front of a push in the same command taken out.
private func withoutInsertedQuery(_ line: Substring) -> String {
    var text = String(line)
    while let start = text.firstRange(of: "REPOSITORY_IMAGES"),
          let end = text[start.upperBound...].firstRange(of: " --max-items 1) && ") ?? text[start.upperBound...].firstRange(of: " --max-items 1) || exit 1; ")
    {
        text.removeSubrange(start.lowerBound..<end.upperBound)
    }
    return text
}
