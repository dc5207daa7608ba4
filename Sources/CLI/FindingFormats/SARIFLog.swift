import BuildspecRewriting
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The `sarif` format: one SARIF 2.1.0 log (OASIS), one run, the tool as its driver with every
/// rule of the table, and a result per finding with its place relative to the working folder
/// (`%SRCROOT%`), as GitHub code scanning and other SARIF readers take it.
struct SARIFLog: Encodable {
    static let schemaURI = "https://json.schemastore.org/sarif-2.1.0.json"

    var schema = Self.schemaURI
    var version = "2.1.0"
    var runs: [Run]

    enum CodingKeys: String, CodingKey {
        case schema = "$schema"
        case version, runs
    }

    struct Run: Encodable {
        var tool: Tool
        var originalUriBaseIds: [String: ArtifactLocation]
        /// Columns count characters (Unicode code points), as libyaml does.
        var columnKind = "unicodeCodePoints"
        var results: [Result]
    }

    struct Tool: Encodable {
        var driver: Driver
    }

    struct Driver: Encodable {
        var name: String
        var version: String
        var rules: [ReportingDescriptor]
    }

    struct ReportingDescriptor: Encodable {
        var id: String
        var name: String
        var shortDescription: Text
        var fullDescription: Text
        var help: Text
        var defaultConfiguration: Configuration
    }

    struct Configuration: Encodable {
        var level: String
    }

    struct Text: Encodable {
        var text: String
    }

    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int
        var level: String
        var message: Text
        var locations: [Location]?
    }

    struct Location: Encodable {
        var physicalLocation: PhysicalLocation
    }

    struct PhysicalLocation: Encodable {
        var artifactLocation: ArtifactLocation
        var region: Region?
    }

    struct ArtifactLocation: Encodable {
        var uri: String
        var uriBaseId: String?
    }

    struct Region: Encodable {
        var startLine: Int
        var startColumn: Int?
    }

    static let sourceRoot = "%SRCROOT%"

    init(findings: [Finding], workingFolder: WorkingFolder, toolVersion: String) {
        let rules = Rule.allCases
        let index = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($1, $0) })
        let driver = Driver(
            name: "rewrite-buildspec", version: toolVersion,
            rules: rules.map { rule in
                ReportingDescriptor(
                    id: rule.id, name: rule.name, shortDescription: Text(text: rule.summary),
                    fullDescription: Text(text: rule.summary), help: Text(text: rule.help),
                    defaultConfiguration: Configuration(level: Self.level(rule.defaultSeverity))
                )
            }
        )
        let results = findings.map { finding in
            let diagnostic = finding.diagnostic
            let location = finding.path.map { path in
                Location(physicalLocation: PhysicalLocation(
                    artifactLocation: Self.artifactLocation(path),
                    // A finding about the whole file (unreadable, not found) points at its first
                    // line: GitHub code scanning takes no result without `region.startLine`.
                    region: diagnostic.position.map { Region(startLine: $0.line, startColumn: $0.column) } ?? Region(startLine: 1)
                ))
            }
            return Result(
                ruleId: diagnostic.rule.id, ruleIndex: index[diagnostic.rule]!, level: Self.level(diagnostic.severity),
                message: Text(text: diagnostic.text), locations: location.map { [$0] }
            )
        }
        let root = ArtifactLocation(uri: "file://" + Self.percentEncoded(workingFolder.path == "/" ? "/" : workingFolder.path + "/"))
        runs = [Run(tool: Tool(driver: driver), originalUriBaseIds: [Self.sourceRoot: root], results: results)]
    }

    static func level(_ severity: Diagnostic.Severity) -> String {
        switch severity {
        case .error: "error"
        case .warning: "warning"
        case .note: "note"
        }
    }

    /// A path relative to the working folder is relative to `%SRCROOT%`; any other is a `file:` URI.
    static func artifactLocation(_ path: String) -> ArtifactLocation {
        path.hasPrefix("/")
            ? ArtifactLocation(uri: "file://" + percentEncoded(path))
            : ArtifactLocation(uri: percentEncoded(path), uriBaseId: sourceRoot)
    }

    /// RFC 3986: every byte but the unreserved characters and `/` as `%XX`.
    static func percentEncoded(_ path: String) -> String {
        var result = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = Array("0123456789ABCDEF")
                result += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            }
        }
        return result
    }

    func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
