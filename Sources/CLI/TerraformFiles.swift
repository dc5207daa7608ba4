#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import BuildspecRewriting

/// Which files a folder search hands to the Terraform host: a `.tf` file that mentions
/// `aws_codebuild_project`, `buildspec*.tpl` / `*.tftpl`, and a file a `.tf` file of the same
/// folder gives to `templatefile()` / `data "template_file"`.
enum TerraformFiles {
    /// Whether a `.yml` / `.yaml` / `.tpl` is a template a `.tf` file of its folder renders.
    /// Only a file with `${` or `%{` in it can need HCL's reading: only then are siblings read.
    static func isNamedTemplate(_ path: String, contents: [UInt8]) -> Bool {
        hasTemplateMarks(contents) && namedTemplates(in: POSIX.folder(of: path)).contains(POSIX.lastComponent(path))
    }

    /// Whether a file a folder search found for its extension is Terraform's to handle.
    static func isSearchedTerraformFile(_ path: String, contents: [UInt8]) -> Bool {
        let name = POSIX.lastComponent(path)
        if name.lowercased().hasSuffix(".tf") { return contains(contents, "aws_codebuild_project") }
        return TerraformHost.isTemplateName(name) || isNamedTemplate(path, contents: contents)
    }

    private static func hasTemplateMarks(_ bytes: [UInt8]) -> Bool {
        zip(bytes, bytes.dropFirst()).contains { ($0 == UInt8(ascii: "$") || $0 == UInt8(ascii: "%")) && $1 == UInt8(ascii: "{") }
    }

    private static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
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
            guard case .bytes(let bytes) = POSIX.readFile(path), contains(bytes, "template") else { continue }
            names.formUnion(TerraformHost.templateFiles(namedIn: bytes).filter { !$0.contains("/") })
        }
        return names
    }
}
