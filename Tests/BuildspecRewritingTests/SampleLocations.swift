import Foundation

/// The repository's `Samples/` folder, found from this source file.
enum SampleLocations {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let samples = root.appendingPathComponent("Samples")

    /// Every `Samples/<case>/` holding a `buildspec.yml`.
    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: samples.path)) ?? []
        return names.filter {
            FileManager.default.fileExists(atPath: samples.appendingPathComponent("\($0)/buildspec.yml").path)
        }.sorted()
    }

    static func read(_ sample: String, _ file: String) -> [UInt8]? {
        FileManager.default.contents(atPath: samples.appendingPathComponent("\(sample)/\(file)").path).map(Array.init)
    }
}
