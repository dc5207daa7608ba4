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
        // Bytes in place: this runs for every query, and for every guard the planner compares.
        var name = name, text = text
        return name.withUTF8 { option in
            text.withUTF8 { bytes -> String? in
                guard let start = ByteSearch.firstIndex(of: option, in: bytes) else { return nil }
                var index = start + option.count
                if index < bytes.count, bytes[index] == UInt8(ascii: "=") { index += 1 }
                while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
                let argument = index
                while index < bytes.count {
                    let byte = bytes[index]
                    if byte == 0x20 || byte == 0x09 || byte == UInt8(ascii: ")") || byte == UInt8(ascii: ";") { break }
                    index += 1
                }
                return index == argument ? nil : String(decoding: UnsafeBufferPointer(rebasing: bytes[argument..<index]), as: UTF8.self)
            }
        }
    }
}
