import Testing
@testable import BuildspecRewriting

@Suite struct YAMLParserTests {
    private func parse(_ text: String) throws -> (YAMLNode, SourceText) {
        let source = SourceText(Array(text.utf8))
        return (try YAMLParser.parse(source), source)
    }

    @Test func scalarRangesAreBytesEvenAfterNonASCIIText() throws {
        let (root, source) = try parse("# Überblick ✓\nkey: välue\nnext: plain\n")
        let next = try #require(root["next"])
        #expect(source.text(next.range) == "plain")
        #expect(next.start.line == 3)
        #expect(next.start.column == 7)
        #expect(source.text(try #require(root["key"]).range) == "välue")
    }

    /// Lines are counted by line feeds found with `memchr` when no carriage return stands
    /// before the offset: the answers must be those of a count byte by byte, CR LF and a lone
    /// CR each one break.
    @Test func positionsCountEveryKindOfLineBreak() {
        for text in ["", "a", "a\nb\n\nc", "a\r\nb\r\n", "a\rb\rc", "a\nb\r\nc\rd\n", "é\nü x\n", "\n\n"] {
            let bytes = Array(text.utf8)
            let source = SourceText(bytes)
            var line = 1, column = 1
            for offset in 0...bytes.count {
                let position = source.position(ofByte: offset)
                #expect(position.line == line && position.column == column, "\(text.debugDescription) at \(offset)")
                #expect(source.line(ofByte: offset, after: SourcePosition(offset: 0, line: 1, column: 1)) == line)
                guard offset < bytes.count else { break }
                let isBreak = bytes[offset] == 0x0A || (bytes[offset] == 0x0D && (offset + 1 == bytes.count || bytes[offset + 1] != 0x0A))
                if isBreak {
                    line += 1
                    column = 1
                } else if bytes[offset] & 0xC0 != 0x80 {
                    column += 1
                }
            }
        }
    }

    @Test func byteOrderMarkIsSkippedButCounted() throws {
        let source = SourceText([0xEF, 0xBB, 0xBF] + Array("a: b\n".utf8))
        let root = try YAMLParser.parse(source)
        let value = try #require(root["a"])
        #expect(source.text(value.range) == "b")
    }

    @Test func crlfLinesKeepTheirOffsets() throws {
        let (root, source) = try parse("a: 1\r\nlist:\r\n  - x\r\n  - \"y\"\r\n")
        let list = try #require(root["list"])
        #expect(list.children.map { source.text($0.range) } == ["x", "\"y\""])
        #expect(list.children[1].start.line == 4)
    }

    @Test func stylesAreReported() throws {
        let (root, _) = try parse("a: plain\nb: 'single'\nc: \"double\"\nd: |\n  literal\ne: >\n  folded\nf: [x]\n")
        #expect(root["a"]?.scalarStyle == .plain)
        #expect(root["b"]?.scalarStyle == .singleQuoted)
        #expect(root["c"]?.scalarStyle == .doubleQuoted)
        #expect(root["d"]?.scalarStyle == .literal)
        #expect(root["e"]?.scalarStyle == .folded)
        #expect(root["f"]?.isFlow == true)
    }

    @Test func keysCompareAsSwiftStrings() throws {
        // Canonically equivalent keys are one key, as they were when every value was a String.
        let (root, _) = try parse("\u{212A}ey: 1\ne\u{301}: 2\n\"\\u00e9t\\u00e9\": 3\n")
        #expect(root["Key"]?.value == "1")
        #expect(root["\u{E9}"]?.value == "2")
        #expect(root["\u{E9}t\u{E9}"]?.value == "3")
        #expect(root["e"] == nil)
        let (escaped, _) = try parse("k: \"\\u00e9\"\n")
        let (composed, _) = try parse("k: \"e\u{301}\"\n")
        #expect(escaped.hasSameData(as: composed))
    }

    @Test func repeatedKeysAreFoundInDocumentOrder() throws {
        let (root, _) = try parse("a:\n  x: 1\n  x: 2\nb: 1\nb: 2\nc: {e\u{301}: 1, \u{E9}: 2}\n")
        let repeated = try #require(root.firstRepeatedKey)
        #expect(repeated.first.start.line == 4 && repeated.second.start.line == 5)
        let nested = try #require(root["a"]?.firstRepeatedKey)
        #expect(nested.first.start.line == 2 && nested.second.start.line == 3)
        #expect(root["c"]?.firstRepeatedKey?.second.value == "\u{E9}")
        #expect(root["a"]?["x"]?.firstRepeatedKey == nil)
    }

    @Test func errorsCarryLibyamlsProblemAndPosition() {
        #expect(throws: YAMLError.self) { try parse("a: [1, 2\n") }
        do {
            _ = try parse("a: 1\n\tb: 2\n")
            Issue.record("a tab indentation must fail")
        } catch {
            #expect((error as? YAMLError)?.position?.line == 2)
        }
    }

    @Test func refusesWhatIsNotOneUTF8Document() {
        #expect(throws: YAMLError.self) { try YAMLParser.parse(SourceText([0xFF, 0xFE, 0x61, 0x00])) }
        #expect(throws: YAMLError.self) { try YAMLParser.parse(SourceText([0x61, 0x3A, 0x20, 0xE9, 0x0A])) }
        #expect(throws: YAMLError.self) { try parse("a: 1\n---\nb: 2\n") }
        #expect(throws: YAMLError.self) { try parse("# only a comment\n") }
        #expect(throws: YAMLError.self) { try parse(String(repeating: "[", count: 100_000)) }
    }
}
