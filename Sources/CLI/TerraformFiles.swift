#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import BuildspecRewriting

/// Which files are Terraform's: a `.tf` file that mentions `aws_codebuild_project`, and the
/// buildspec templates (`buildspec*.tpl`, `*.tftpl`, or a file a `.tf` file of the same folder
/// gives to `templatefile()` / `data "template_file"`).
enum TerraformFiles {
    static let skippedFolder = ".terraform"

    /// How to read a file: nil for a plain buildspec.
    static func kind(of path: String, contents: [UInt8]) -> TerraformHost.Kind? {
        let name = POSIX.lastComponent(path)
        let lower = name.lowercased()
        if lower.hasSuffix(".tf") { return .configuration }
        if lower.hasSuffix(".tpl") || lower.hasSuffix(".tftpl") { return .template }
        // A `.yml` read by `templatefile()` holds interpolations: only then are siblings read.
        if hasTemplateMarks(contents),
           namedTemplates(in: POSIX.folder(of: path)).contains(name) {
            return .template
        }
        return nil
    }

    private static func hasTemplateMarks(_ bytes: [UInt8]) -> Bool {
        zip(bytes, bytes.dropFirst()).contains { ($0 == UInt8(ascii: "$") || $0 == UInt8(ascii: "%")) && $1 == UInt8(ascii: "{") }
    }

    /// A folder search takes a `.tf` file when it mentions `aws_codebuild_project`.
    static func isConfigurationToSearch(_ path: String) -> Bool {
        guard path.lowercased().hasSuffix(".tf"), case .bytes(let bytes) = POSIX.readFile(path) else { return false }
        let needle = Array("aws_codebuild_project".utf8)
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { bytes[$0] == needle[0] && bytes[$0..<$0 + needle.count].elementsEqual(needle) }
    }

    /// The file names the `.tf` files of a folder read as templates.
    static func namedTemplates(in folder: String) -> Set<String> {
        guard let directory = opendir(folder) else { return [] }
        defer { closedir(directory) }
        var names: Set<String> = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) { String(cString: $0) }
            }
            guard name.lowercased().hasSuffix(".tf") else { continue }
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            guard case .bytes(let bytes) = POSIX.readFile(path) else { continue }
            names.formUnion(TerraformHost.templateFiles(namedIn: bytes).filter { !$0.contains("/") })
        }
        return names
    }
}
