/// The shell readings of the command texts this process has read, kept for the next file that
/// runs the same command: buildspecs are copied from one another and from AWS's examples
/// (in the real corpus, 694 of 1,652 commands repeat an earlier one), and reading a command
/// costs about 10 K instructions and a dozen allocations, finding it here about 1 K and none.
///
/// A reading depends on the text alone, so a kept one is the one `ShellParser` would give.
/// The store is bounded: short texts only, and emptied when full, so memory stays flat
/// however many files a run reads.
enum ShellReadings {
    /// At most this many readings are kept; the next one empties the store first.
    static let capacity = 2_048
    /// Longer texts (whole scripts in a `- |` block) are read each time and not kept: they
    /// seldom repeat, and their trees would hold the most memory.
    static let longestKeptText = 1_024

    private final class Store: @unchecked Sendable {
        let lock = Lock()
        /// Guarded by `lock`.
        var readings: [String: Result<ParsedShell, ShellParser.SyntaxError>] = [:]
    }

    private static let store = Store()

    /// `ShellParser.parse(text)`, from the store when the text was read before.
    static func parse(_ text: String) throws(ShellParser.SyntaxError) -> ParsedShell {
        guard text.utf8.count <= longestKeptText else { return try ShellParser.parse(text) }
        if let kept = store.lock.locked({ store.readings[text] }) { return try kept.get() }
        let reading: Result<ParsedShell, ShellParser.SyntaxError>
        do throws(ShellParser.SyntaxError) {
            reading = .success(try ShellParser.parse(text))
        } catch {
            reading = .failure(error)
        }
        store.lock.locked {
            if store.readings.count >= capacity { store.readings.removeAll(keepingCapacity: true) }
            store.readings[text] = reading
        }
        return try reading.get()
    }

    /// How many readings are kept now.
    static var count: Int { store.lock.locked { store.readings.count } }
}
