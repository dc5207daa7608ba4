import Testing
@testable import BuildspecRewriting

@Suite struct CommandReadingsTests {
    /// `CommandReadings.reading(of:)` of a text's bytes.
    private func read(_ text: String) throws(ShellParser.SyntaxError) -> CommandReading {
        var text = text
        return try text.withUTF8 { CommandReadings.reading(of: $0) }.get()
    }

    /// A tree written out whole: lists, pipelines, commands, words with their segments,
    /// redirections and inner scripts, each with its range.
    private func outline(_ script: ShellScript) -> String {
        script.lists.map { list in
            "list \(list.range) [" + list.pipelines.map { pipeline in
                "pipeline \(pipeline.range) [" + pipeline.commands.map { command in
                    let words = command.words.map { "\($0.segments)@\($0.range)" }
                    let assignments = command.assignments.map { "\($0.name)=\($0.value.segments)" }
                    let redirections = command.redirections.map { "\($0.op)\($0.target.segments) \($0.hereDocument as Any)" }
                    let parts = command.parts.map { "\($0.role) {\(outline($0.script))}" }
                    return "\(command.kind) \(command.range) \(assignments) \(words) \(redirections) \(parts)"
                }.joined(separator: " | ") + "]"
            }.joined(separator: " && ") + "]"
        }.joined(separator: "; ")
    }

    @Test(arguments: [
        "docker push $REPOSITORY_URI:$IMAGE_TAG",
        "IMAGE_TAG=$(echo $CODEBUILD_RESOLVED_SOURCE_VERSION | cut -c 1-7)",
        "if [ -n \"$X\" ]; then printf '[{\"name\":\"%s\"}]' app > imagedefinitions.json; fi",
        "cat > imagedefinitions.json <<EOF\n[]\nEOF",
    ])
    func keptReadingIsTheParsers(_ text: String) throws {
        let parsed = try ShellParser.parse(text)
        for _ in 0..<2 {
            let read = try read(text).shell
            #expect(read.text == parsed.text)
            #expect(outline(read.script) == outline(parsed.script))
            #expect(read.hereDocuments.map(\.body) == parsed.hereDocuments.map(\.body))
        }
    }

    /// A reading's steps written out: pushes, file queries and assignments of each place.
    private func outline(_ reading: CommandReading) -> String {
        reading.steps.map { steps in
            steps.map { step in
                let pushes = step.pushes.map { "push \($0.reference.segments)" }
                let files = step.fileQueries.map { "query > \($0.file ?? "") \($0.argument ?? "")" }
                let assignments = step.assignments.map { "\($0.name)=\($0.value) \($0.query?.argument ?? "-")" }
                return (pushes + files + assignments).joined(separator: ", ")
            }.joined(separator: " | ")
        }.joined(separator: " ; ")
    }

    @Test(arguments: [
        ("docker push $REPOSITORY_URI:$IMAGE_TAG", "push [BuildspecRewriting.ShellWord.Segment.variable(\"REPOSITORY_URI\"), BuildspecRewriting.ShellWord.Segment.text(\":\"), BuildspecRewriting.ShellWord.Segment.variable(\"IMAGE_TAG\")]"),
        ("bash -c 'docker push app/web:1'", "push [BuildspecRewriting.ShellWord.Segment.text(\"app/web:1\")]"),
        ("aws ecr list-images --repository-name web > images.json", "query > images.json web"),
        ("IMAGES=$(aws ecr list-images --repository-name web) && export TAG=v1", "IMAGES=[BuildspecRewriting.ShellWord.Segment.opaque(\"$(aws ecr list-images --repository-name web)\")] web ; TAG=[BuildspecRewriting.ShellWord.Segment.text(\"v1\")] -"),
    ])
    func keptStepsAreTheReadingsSteps(_ text: String, _ expected: String) throws {
        #expect(outline(try CommandReading(text)) == expected)
        for _ in 0..<2 {
            #expect(outline(try read(text)) == expected)
        }
    }

    @Test func keptFailureIsTheParsers() {
        let text = "echo 'never closed"
        var expected: ShellParser.SyntaxError?
        do { _ = try ShellParser.parse(text) } catch { expected = error }
        #expect(expected != nil)
        for _ in 0..<2 {
            #expect(throws: expected!) { try read(text) }
        }
    }

    @Test func storeStaysBounded() throws {
        for index in 0..<(CommandReadings.capacity + 100) {
            _ = try read("echo bounded-\(index)")
            #expect(CommandReadings.count <= CommandReadings.capacity)
        }
    }

    @Test func longTextIsReadAsTheParserReadsIt() throws {
        let text = Array(repeating: "echo step", count: CommandReadings.longestKeptText / 8).joined(separator: " && ")
        #expect(text.utf8.count > CommandReadings.longestKeptText)
        #expect(outline(try read(text).shell.script) == outline(try ShellParser.parse(text).script))
    }

    /// Texts that are equal as strings but not as bytes (`é` precomposed and decomposed) are
    /// two keys: a reading's offsets are into its own bytes.
    @Test func canonicallyEqualTextsAreReadEachAsItself() throws {
        let precomposed = "echo caf\u{E9} > imagedefinitions.json"
        let decomposed = "echo cafe\u{301} > imagedefinitions.json"
        #expect(precomposed == decomposed)
        #expect(Array(try read(precomposed).shell.text) == Array(precomposed.utf8))
        #expect(Array(try read(decomposed).shell.text) == Array(decomposed.utf8))
    }
}

@Suite struct ByteKeyedStoreTests {
    private func withBytes<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var text = text
        return text.withUTF8(body)
    }

    @Test func findsWhatWasKeptByItsBytes() {
        let store = ByteKeyedStore<Int>(capacity: 64)
        let texts = (0..<40).map { "command \($0) " + String(repeating: "x", count: $0) }
        for (index, text) in texts.enumerated() { withBytes(text) { store.set($0, index) } }
        for (index, text) in texts.enumerated() { #expect(withBytes(text) { store[$0] } == index) }
        #expect(withBytes("command 41") { store[$0] } == nil)
        #expect(withBytes("") { store[$0] } == nil)
        withBytes("command 3 xxx") { store.set($0, 99) }
        #expect(withBytes("command 3 xxx") { store[$0] } == 99)
        #expect(store.count == 40)
    }

    @Test func emptiesWhenFull() {
        let store = ByteKeyedStore<Int>(capacity: 8)
        for index in 0..<8 { withBytes("key \(index)") { store.set($0, index) } }
        #expect(store.count == 8)
        withBytes("key 8") { store.set($0, 8) }
        #expect(store.count == 1)
        #expect((0..<8).allSatisfy { index in withBytes("key \(index)") { store[$0] } == nil })
        // Emptied again and again: each new key is found where a lookup starts its search.
        for index in 9..<200 {
            withBytes("key \(index)") { store.set($0, index) }
            #expect(store.count == (index - 8) % 8 + 1)
            #expect(withBytes("key \(index)") { store[$0] } == index)
            #expect(withBytes("key \(index - 1)") { store[$0] } == (store.count > 1 ? index - 1 : nil))
        }
    }

    /// Keys are equal when their bytes are: texts equal as strings (`é` precomposed and
    /// decomposed) are two keys.
    @Test func keysAreBytesNotStrings() {
        let store = ByteKeyedStore<Int>(capacity: 8)
        withBytes("caf\u{E9}") { store.set($0, 1) }
        #expect(withBytes("cafe\u{301}") { store[$0] } == nil)
        withBytes("cafe\u{301}") { store.set($0, 2) }
        #expect(withBytes("caf\u{E9}") { store[$0] } == 1)
        #expect(store.count == 2)
    }

    /// Every byte counts, wherever it stands in the eight-byte words `ByteHash` reads.
    @Test func hashSeesEveryByte() {
        let base = Array("docker push $REPOSITORY_URI:$IMAGE_TAG".utf8)
        var hashes: Set<UInt64> = []
        for length in 0...base.count {
            hashes.insert(Array(base[..<length]).withUnsafeBufferPointer(ByteHash.of))
        }
        for position in base.indices {
            var changed = base
            changed[position] ^= 0x01
            hashes.insert(changed.withUnsafeBufferPointer(ByteHash.of))
        }
        #expect(hashes.count == base.count + 1 + base.count)
    }
}
