/// Answers this process has worked out that depend on a key and on the values of the shell
/// variables the work looked at, each kept with those values: the next file that asks with the
/// same key, and has the same values for those variables, gets the answer back for a few
/// lookups. Copied buildspecs ask the same again; unrelated ones seldom do.
///
/// A `BoundedStore` of at most 2,048 keys, with at most `variantsKept` sets of values a key.
final class EnvironmentMemo<Key: Hashable & Sendable, Answer: Sendable>: Sendable {
    /// An answer with the values it was worked out from. A class: a lookup hands the kept
    /// variants around, and a copy of a struct retained every value it holds.
    private final class Variant: Sendable {
        let reads: [VariableReads.Read]
        let answer: Answer

        init(reads: [VariableReads.Read], answer: Answer) {
            self.reads = reads
            self.answer = answer
        }
    }

    private let variantsKept: Int
    private let answers: BoundedStore<Key, [Variant]>

    init(capacity: Int = 2_048, variantsKept: Int = 8) {
        self.variantsKept = variantsKept
        answers = BoundedStore(capacity: capacity)
    }

    /// The answer for `key` in `environment`: a kept one whose variables have the same values
    /// there, or `work`'s, which reads the environment through the `VariableReads` it is given.
    func answer(_ key: Key, in environment: VariableEnvironment, _ work: (inout VariableReads) -> Answer) -> Answer {
        let kept = answers[key] ?? []
        for variant in kept where variant.reads.allSatisfy({ environment.value(of: $0.name) == $0.value }) {
            return variant.answer
        }
        var reads = VariableReads(environment: environment)
        let answer = work(&reads)
        guard kept.count < variantsKept else { return answer }
        answers.update(key) { $0 = ($0 ?? []) + [Variant(reads: reads.reads, answer: answer)] }
        return answer
    }
}

/// An environment as a piece of work reads it, with every value it looked at, in order.
struct VariableReads {
    struct Read {
        var name: String
        /// nil when the variable had no value.
        var value: [ShellWord.Segment]?
    }

    let environment: VariableEnvironment
    private(set) var reads: [Read] = []

    init(environment: VariableEnvironment) {
        self.environment = environment
    }

    mutating func value(of name: String) -> [ShellWord.Segment]? {
        let value = environment.value(of: name)
        reads.append(Read(name: name, value: value))
        return value
    }
}
