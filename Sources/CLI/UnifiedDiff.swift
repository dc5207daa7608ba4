/// A unified diff of two texts, line by line, in the form `git apply` and `patch` accept.
enum UnifiedDiff {
    static func make(old: [UInt8], new: [UInt8], path: String, context: Int = 3) -> String {
        let a = lines(old)
        let b = lines(new)
        // Common head and tail first: rewrites touch a few lines of a long file.
        var head = 0
        while head < a.count, head < b.count, a[head] == b[head] { head += 1 }
        var tail = 0
        while tail < a.count - head, tail < b.count - head, a[a.count - 1 - tail] == b[b.count - 1 - tail] { tail += 1 }
        let middle = script(Array(a[head..<(a.count - tail)]), Array(b[head..<(b.count - tail)]))
        var operations: [(kind: Character, old: Int, new: Int)] = []
        for index in 0..<head { operations.append((" ", index, index)) }
        for operation in middle { operations.append((operation.kind, operation.old + head, operation.new + head)) }
        for index in 0..<tail { operations.append((" ", a.count - tail + index, b.count - tail + index)) }

        var output = "--- a/\(path)\n+++ b/\(path)\n"
        var index = 0
        while index < operations.count {
            guard operations[index].kind != " " else { index += 1; continue }
            var start = max(0, index - context)
            var end = index
            // Grow the hunk while changes are within 2 * context lines of each other.
            while true {
                var next = end
                while next < operations.count, operations[next].kind != " " { next += 1 }
                var gap = next
                while gap < operations.count, operations[gap].kind == " " { gap += 1 }
                if gap < operations.count, gap - next <= 2 * context {
                    end = gap
                } else {
                    end = min(operations.count, next + context)
                    break
                }
            }
            start = max(0, start)
            let slice = operations[start..<end]
            let oldStart = slice.first { $0.kind != "+" }.map(\.old) ?? (slice.first?.old ?? 0)
            let newStart = slice.first { $0.kind != "-" }.map(\.new) ?? (slice.first?.new ?? 0)
            let oldCount = slice.filter { $0.kind != "+" }.count
            let newCount = slice.filter { $0.kind != "-" }.count
            output += "@@ -\(oldCount == 0 ? oldStart : oldStart + 1),\(oldCount) +\(newCount == 0 ? newStart : newStart + 1),\(newCount) @@\n"
            for operation in slice {
                let line = operation.kind == "+" ? b[operation.new] : a[operation.old]
                output += String(operation.kind) + line.text
                if !line.hasNewline { output += "\n\\ No newline at end of file\n" }
            }
            index = end
        }
        return output
    }

    private struct Line: Equatable {
        var text: String
        var hasNewline: Bool
    }

    private static func lines(_ bytes: [UInt8]) -> [Line] {
        var result: [Line] = []
        var start = 0
        for (index, byte) in bytes.enumerated() where byte == 0x0A {
            result.append(Line(text: String(decoding: bytes[start...index], as: UTF8.self), hasNewline: true))
            start = index + 1
        }
        if start < bytes.count {
            result.append(Line(text: String(decoding: bytes[start...], as: UTF8.self), hasNewline: false))
        }
        return result
    }

    /// Longest-common-subsequence edit script of the changed middle.
    private static func script(_ a: [Line], _ b: [Line]) -> [(kind: Character, old: Int, new: Int)] {
        if a.isEmpty || b.isEmpty || a.count * b.count > 4_000_000 {
            return a.indices.map { ("-", $0, 0) } + b.indices.map { ("+", a.count, $0) }
        }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        var result: [(kind: Character, old: Int, new: Int)] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if i < a.count, j < b.count, a[i] == b[j] {
                result.append((" ", i, j)); i += 1; j += 1
            } else if j < b.count, i == a.count || table[i][j + 1] > table[i + 1][j] {
                result.append(("+", i, j)); j += 1
            } else {
                result.append(("-", i, j)); i += 1
            }
        }
        return result
    }
}
