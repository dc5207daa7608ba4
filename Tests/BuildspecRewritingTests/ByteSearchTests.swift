import Testing
@testable import BuildspecRewriting

/// The byte searches stand in for `String` methods on hot paths: they must answer the same.
@Suite struct ByteSearchTests {
    static let texts = ["", "a", "aaa", "aaaa", "x${cfnsub0z}y${cfnsub0z}", "line\nline\n", "crlf\r\nline\r\n", "é\ne\u{301}\n",
                        "}\u{301}${A}", "$A ${A} $(A) $AB", "no match here", "\n", "\r\n\n\r"]
    static let patterns = ["a", "aa", "\n", "${cfnsub0z}", "${A}", "$A", "$(A)", "}", "e", "\r\n", "é"]

    @Test func replacingBytesAnswersAsReplacing() {
        for text in Self.texts {
            for pattern in Self.patterns {
                #expect(text.replacingBytes(pattern, with: "<R>") == text.replacing(pattern, with: "<R>"),
                        "\(text.debugDescription) \(pattern.debugDescription)")
            }
        }
    }

    @Test func jsonEscapingByBytesEscapesAsScalarByScalar() {
        func scalarWise(_ text: String) -> String {
            var result = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": result += "\\\""
                case "\\": result += "\\\\"
                case "\n": result += "\\n"
                case "\r": result += "\\r"
                case "\t": result += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        result.unicodeScalars.append(scalar)
                    }
                }
            }
            return result
        }
        for text in Self.texts + ["\"q\" \\ \t\u{01}\u{1F}\u{7F}", "printf '[{\"name\":\"%s\"}]' > imagedefinitions.json", "日本\u{0}語"] {
            #expect(InsertionEscaper.jsonEscaped(text) == scalarWise(text), "\(text.debugDescription)")
        }
    }

    @Test func firstIndexFindsTheFirstOccurrence() {
        let bytes = Array("abcabcab".utf8)
        #expect(bytes.firstIndex(ofBytes: Array("cab".utf8)) == 2)
        #expect(bytes.firstIndex(ofBytes: Array("b".utf8)) == 1)
        #expect(bytes.firstIndex(ofBytes: Array("abcabcab".utf8)) == 0)
        #expect(bytes.firstIndex(ofBytes: Array("abcabcabc".utf8)) == nil)
        #expect(bytes.firstIndex(ofBytes: Array("cc".utf8)) == nil)
        #expect(bytes.firstIndex(ofBytes: [UInt8]()) == 0)
        #expect(bytes[3...].firstIndex(ofBytes: Array("ab".utf8)) == 3)
        #expect(bytes[4...].firstIndex(ofBytes: Array("ab".utf8)) == 6)
        #expect([UInt8]().firstIndex(ofBytes: Array("a".utf8)) == nil)
    }

    /// The file-name tests compare bytes in ASCII case: for the suffixes they test, as
    /// `lowercased()` with `hasPrefix` / `hasSuffix` answer, non-ASCII names included.
    @Test func asciiCaseAffixesAnswerAsLowercasedOnes() {
        let names = ["buildspec.yml", "BuildSpec.YAML", "x.TF", "a.tf.json", "b.Tftpl", "buildspec.yml.tpl", "buildspéc.yml", "Ébuildspec.yml",
                     "buİldspec.yml", "x.t", "", ".tf", "tf", "main.tf\u{301}", "BUILDSPEC", "ß.tpl", "x.\u{212A}", "web-ImageDetail.JSON", "İMAGEDETAIL.json"]
        for name in names {
            #expect(name.hasPrefixIgnoringASCIICase("buildspec") == name.lowercased().hasPrefix("buildspec"), "\(name.debugDescription)")
            for suffix: StaticString in [".yml", ".yaml", ".tf", ".tpl", ".tftpl", ".tf.json", ".json", ".template"] {
                #expect(name.hasSuffixIgnoringASCIICase(suffix) == name.lowercased().hasSuffix("\(suffix)"), "\(name.debugDescription) \(suffix)")
            }
            for word: StaticString in ["buildspec", "spec.y", "tf", "imagedetail"] {
                #expect(name.containsIgnoringASCIICase(word) == name.lowercased().containsBytes("\(word)"), "\(name.debugDescription) \(word)")
            }
        }
    }

    @Test func lastPathComponentAnswersAsSplit() {
        for path in ["", "/", "//", "a", "a/", "/a", "a/b", "a//b//", "./out/imagedefinitions.json", "dir/é/", "x/y\u{301}", "\u{301}/a"] {
            let split = path.split(separator: "/").last.map(String.init) ?? path
            #expect(path.lastPathComponent == split, "\(path.debugDescription)")
        }
    }

    /// `replacingBytes` returns early where the pattern's bytes are not: it must still answer
    /// as `replacing` where a character holds them only in part.
    @Test func replacingBytesWithoutAMatchLeavesTheText() {
        for text in ["e\u{301}x", "café", "a\r\nb", "no"] {
            for pattern in ["e", "x", "\n", "é", "zz"] {
                #expect(text.replacingBytes(pattern, with: "<R>") == text.replacing(pattern, with: "<R>"), "\(text.debugDescription) \(pattern.debugDescription)")
            }
        }
    }

    /// A pattern's search starts from its rarest byte, wherever that stands in it: it must
    /// still find every occurrence a naive search finds, near both ends of the text too.
    @Test func bytePatternsAgreeWithANaiveSearch() {
        func naive(_ pattern: [UInt8], _ bytes: [UInt8]) -> Bool {
            bytes.count >= pattern.count && (0...(bytes.count - pattern.count)).contains { bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) }
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 33) % bound
        }
        // Common and rare bytes mixed, so that the anchor falls at every place of a pattern.
        let alphabet = Array(" ej{q:".utf8)
        for _ in 0..<3_000 {
            let bytes = (0..<next(40)).map { _ in alphabet[next(alphabet.count)] }
            let pattern = (0..<(1 + next(5))).map { _ in alphabet[next(alphabet.count)] }
            #expect(BytePattern(String(decoding: pattern, as: UTF8.self)).occurs(in: bytes) == naive(pattern, bytes), "\(bytes) \(pattern)")
        }
        #expect(BytePattern("").occurs(in: []))
        #expect(BytePattern("AWS::CodeBuild::Project").occurs(in: Array("Type: AWS::CodeBuild::Project".utf8)))
        #expect(!BytePattern("AWS::CodeBuild::Project").occurs(in: Array("Type: AWS::CodeBuild::Projec".utf8)))
    }
}

