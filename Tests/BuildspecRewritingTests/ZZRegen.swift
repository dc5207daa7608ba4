import Foundation
import Testing
@testable import BuildspecRewriting

@Suite struct ZZRegen {
    @Test func regen() throws {
        guard ProcessInfo.processInfo.environment["REGEN_FINDINGS"] != nil else { return }
        let root = SampleLocations.root.appendingPathComponent("Samples")
        for name in try FileManager.default.contentsOfDirectory(atPath: root.path).sorted() {
            let folder = root.appendingPathComponent(name)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            guard let input = files.first(where: { ["buildspec.yml", "template.yaml", "template.json"].contains($0) || $0.hasSuffix(".tf") || $0.hasSuffix(".tpl") || $0.hasSuffix(".tftpl") }),
                  !input.hasPrefix("expected") else { continue }
            let bytes = Array(try Data(contentsOf: folder.appendingPathComponent(input)))
            var options = try GoldenSampleTests.options(of: name)
            options.verifiesOutput = true
            let result = HostRewriter.rewrite(bytes, fileName: input, options: options)
            let findings = GoldenSampleTests.findings(result.diagnostics + result.pendingGuards)
            let target = result.outcome == .error ? "expected-error.txt" : "expected-findings.txt"
            print("REGEN \(name) \(input) \(result.outcome) -> \(target)")
            let url = folder.appendingPathComponent(target)
            if findings.isEmpty { try? FileManager.default.removeItem(at: url) } else { try Data(findings.utf8).write(to: url) }
        }
    }
}
