/// What a CodeBuild buildspec says, read from its YAML tree; each command keeps its node so
/// that edits can go back to the exact bytes.
public struct Buildspec: Sendable {
    public enum Version: String, Sendable {
        /// Every command runs in a new shell.
        case v01 = "0.1"
        /// One shell state across commands and phases.
        case v02 = "0.2"
    }

    public enum Section: String, Sendable { case commands, finally }

    /// One entry of a `commands` or `finally` list, in the order CodeBuild runs it.
    public struct Command: Sendable {
        public var phase: String
        public var section: Section
        /// The entry; `let`, since `list` is found in its tree.
        public let node: YAMLNode
        /// Where `list` is in the node's tree: a second node would retain and release the tree
        /// once more for every command of every file.
        private let listIndex: Int
        /// The list the entry belongs to (a block or flow sequence), or the entry itself when
        /// the list is written as one scalar.
        public var list: YAMLNode { YAMLNode(tree: node.tree, index: listIndex) }

        /// `list` and `node` are nodes of one tree.
        init(phase: String, section: Section, list: YAMLNode, node: YAMLNode) {
            precondition(list.tree === node.tree, "a command and its list are nodes of one tree")
            self.phase = phase
            self.section = section
            self.node = node
            listIndex = list.index
        }

        /// The shell text CodeBuild runs; `nil` when the entry is not a scalar. A new string
        /// each time: the analysis reads most commands as bytes (`withTextBytes`) and makes a
        /// string only of those it reads as shell.
        public var text: String? { node.isScalar ? node.value : nil }

        /// `body` of the bytes of `text`, in place; nil when the entry is not a scalar.
        func withTextBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R? {
            node.isScalar ? try node.withValueBytes(body) : nil
        }
    }

    /// CodeBuild's phases, in the order it runs them.
    public static let phaseNames = ["install", "pre_build", "build", "post_build"]

    public var root: YAMLNode
    public var version: Version
    /// `env.shell`, when set (`bash`, `/bin/sh`).
    public var shell: String?
    /// `env.variables` (or 0.1's `environment_variables.plaintext`): values known before any command.
    public var variables: [String: String]
    /// Variables whose values come from Parameter Store, Secrets Manager or the project.
    public var externalVariables: Set<String>
    public var commands: [Command]
    /// What CodeBuild uploads: one entry of `files` paths or globs per group.
    public struct ArtifactGroup: Sendable {
        /// `base-directory`: the folder the `files` are relative to; nil when not set.
        public var baseDirectory: String?
        public var files: [String]
    }

    /// `artifacts` and every `secondary-artifacts.*`.
    public var artifacts: [ArtifactGroup]
    /// `artifacts.files` and every `secondary-artifacts.*.files` entry.
    public var artifactFiles: [String] { artifacts.flatMap(\.files) }
}
