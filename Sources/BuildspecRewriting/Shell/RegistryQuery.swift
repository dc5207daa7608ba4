/// The question a build asks ECR before its first push: did this repository hold an image?
public enum RegistryQuery {
    /// True when `text` runs `aws ecr list-images`, `aws ecr describe-images` or
    /// `aws ecr-public describe-images`.
    public static func isQuery(_ text: String) -> Bool {
        guard text.containsBytes("aws"), text.containsBytes("ecr") else { return false }
        return text.containsBytes("list-images") || text.containsBytes("describe-images")
    }

    /// The `--repository-name` argument of a query text, when it has one.
    public static func repositoryArgument(in text: String) -> String? {
        optionArgument("--repository-name", in: text)
    }

    /// The argument of an option (`--registry-id`, `--region`) in a query text.
    static func optionArgument(_ name: String, in text: String) -> String? {
        let option = Array((name).utf8)
        let bytes = Array(text.utf8)
        guard let start = bytes.firstIndex(ofBytes: option) else { return nil }
        var rest = Substring(decoding: bytes[(start + option.count)...], as: UTF8.self)
        if rest.first == "=" { rest = rest.dropFirst() }
        rest = rest.drop { $0 == " " || $0 == "\t" }
        let argument = rest.prefix { !" \t);".contains($0) }
        return argument.isEmpty ? nil : String(argument)
    }
}
