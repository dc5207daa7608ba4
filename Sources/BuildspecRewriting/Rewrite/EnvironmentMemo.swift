/// Answers this process has worked out that depend on a key and on the values of the shell
/// variables the work looked at, each kept with those values: the next file that asks with the
/// same key, and has the same values for those variables, gets the answer back for a few
/// lookups. Buildspecs copy their commands and assignments from one another, so most answers
/// are asked for again.
///
/// Bounded like `CommandReadings`: at most `capacity` keys, emptied when full, and at most
/// `variantsKept` sets of values a key.
final class EnvironmentMemo<Key: Hashable & Sendable, Answer: Sendable>: @unchecked Sendable {
    private let capacity: Int
    private let variantsKept: Int
    private let lock = Lock()
    /// Guarded by `lock`.
    private var answers: [Key: [(reads: [VariableReads.Read], answer: Answer)]] = [:]

    init(capacity: Int = 2_048, variantsKept: Int = 8) {
        self.capacity = capacity
        self.variantsKept = variantsKept
    }

    /// The answer for `key` in `environment`: a kept one whose variables have the same values
    /// there, or `work`'s, which reads the environment through the `VariableReads` it is given.
    func answer(_ key: Key, in environment: VariableEnvironment, _ work: (inout VariableReads) -> Answer) -> Answer {
        let kept = lock.locked { answers[key] } ?? []
        for variant in kept where variant.reads.allSatisfy({ environment.values[$0.name] == $0.value }) {
            return variant.answer
        }
        var reads = VariableReads(environment: environment)
        let answer = work(&reads)
        guard kept.count < variantsKept else { return answer }
        lock.locked {
            if answers.count >= capacity { answers.removeAll(keepingCapacity: true) }
            answers[key, default: []].append((reads.reads, answer))
        }
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
        let value = environment.values[name]
        reads.append(Read(name: name, value: value))
        return value
    }
}
