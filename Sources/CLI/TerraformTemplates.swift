import BuildspecRewriting

/// The one thing about Terraform files only a reader of the folder knows: which files a `.tf`
/// file of the same folder gives to `templatefile()` / `data "template_file"`. Each folder is
/// read once per run, however many of its files ask.
final class TerraformTemplates: @unchecked Sendable {
    private static let template = Array("template".utf8)
    private let lock = Lock()
    private var namesByFolder: [String: Set<String>] = [:]

    /// Whether a `.yml` / `.yaml` / `.tpl` is a template a `.tf` file of its folder renders.
    /// Only a file with `${` or `%{` in it can need HCL's reading: only then is the folder read.
    func isNamedTemplate(_ path: String, contents: [UInt8]) -> Bool {
        guard TerraformHost.holdsTemplateSequence(contents) else { return false }
        let folder = POSIX.folder(of: path)
        let names = lock.locked { namesByFolder[folder] } ?? {
            let names = Self.namedTemplates(in: folder)
            lock.locked { namesByFolder[folder] = names }
            return names
        }()
        return names.contains(POSIX.lastComponent(path))
    }

    /// The file names the `.tf` files of a folder read as templates.
    private static func namedTemplates(in folder: String) -> Set<String> {
        var names: Set<String> = []
        for (name, _) in POSIX.entries(of: folder) ?? [] where TerraformHost.kind(ofFileName: name) == .configuration {
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            guard case .bytes(let bytes) = POSIX.readFile(path), bytes.containsBytes(template) else { continue }
            names.formUnion(TerraformHost.templateFiles(namedIn: bytes).filter { !$0.contains("/") })
        }
        return names
    }
}
