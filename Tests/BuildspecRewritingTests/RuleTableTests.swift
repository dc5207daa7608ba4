import Foundation
import Testing
@testable import BuildspecRewriting

/// The rule table: ids and names that people look up and silence, the same in the README.
@Suite struct RuleTableTests {
    @Test func idsAndNamesAreWellFormedAndUnique() {
        let ids = Rule.allCases.map(\.id)
        let names = Rule.allCases.map(\.name)
        #expect(Set(ids).count == ids.count)
        #expect(Set(names).count == names.count)
        for rule in Rule.allCases {
            #expect(rule.id.wholeMatch(of: /RB[0-9]{3}/) != nil, "\(rule.id)")
            #expect(rule.name.wholeMatch(of: /[a-z0-9]+(-[a-z0-9]+)*/) != nil, "\(rule.name)")
            #expect(!rule.summary.isEmpty && !rule.help.isEmpty)
        }
    }

    /// The README's table is this table: a changed rule shows the row to paste.
    @Test func theReadmeListsEveryRule() throws {
        let readme = try String(contentsOf: SampleLocations.root.appendingPathComponent("README.md"), encoding: .utf8)
        let rows = Rule.allCases.map(Self.row)
        let missing = rows.filter { !readme.contains($0) }
        #expect(missing.isEmpty, "README.md lacks these rows of the rule table:\n\(missing.joined(separator: "\n"))")
    }

    /// A Markdown table row; `|` inside a cell is written `\|`.
    static func row(_ rule: Rule) -> String {
        let cells = ["`\(rule.id)`", "`\(rule.name)`", rule.defaultSeverity.rawValue, rule.summary, rule.help]
        return "| " + cells.map { $0.replacing("|", with: "\\|") }.joined(separator: " | ") + " |"
    }
}
