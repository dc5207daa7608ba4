#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import BuildspecRewriting

/// The one thing about Terraform files only a reader of the folder knows: which files a `.tf`
/// file of the same folder gives to `templatefile()` / `data "template_file"`.
enum TerraformFiles {
    /// Whether a `.yml` / `.yaml` / `.tpl` is a template a `.tf` file of its folder renders.
    /// Only a file with `${` or `%{` in it can need HCL's reading: only then are siblings read.
    static func isNamedTemplate(_ path: String, contents: [UInt8]) -> Bool {
        hasTemplateMarks(contents) && namedTemplates(in: POSIX.folder(of: path)).contains(POSIX.lastComponent(path))
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
