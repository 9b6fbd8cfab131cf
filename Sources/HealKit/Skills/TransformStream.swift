import Foundation

/// A transform's output read as it is made (see `TransformSkill.stream`): each batch of the input is shaped into a
/// batch of output rows on the reading thread. At the end of the input the verdict is settled; a failing verdict
/// ends the read with its failure, so the load reading it rolls back and the steps run again one at a time.
final class TransformStream: JudgedRowStream, @unchecked Sendable {
    private let lock = NSLock()
    private var state: State
    let header: [String]
    let columns: [ColumnSpec]

    /// What the reader needs: the loop and its input move to whichever thread reads the stream.
    private struct Parts {
        var rows: TransformRows
        var input: any TableReader
        var spec: TransformSpec
        var skill: String
        var next: String
    }

    /// The verdict comes back under the lock.
    private struct State {
        var parts: Parts?
        var verdict: SkillResult?
        var dropped = 0
        var busy = Duration.zero
    }

    init(rows: TransformRows, reader: any TableReader, spec: TransformSpec, skill: String, next: String) {
        header = rows.plan.columns.map(\.name)
        columns = rows.plan.columns
        state = State(parts: Parts(rows: rows, input: reader, spec: spec, skill: skill, next: next))
    }

    private func withLock<T>(_ body: (inout State) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&state)
    }

    var verdict: SkillResult? { withLock { $0.verdict } }
    var droppedRows: Int { withLock { $0.dropped } }
    var busy: Duration { withLock { $0.busy } }

    func open() throws -> any TableReader {
        guard
            let parts = withLock({ state in
                defer { state.parts = nil }
                return state.parts
            })
        else {
            throw SkillFailure(.internal, "a streamed transform output was read twice")
        }
        return Reader(parts: parts, header: header) { [self] verdict, dropped, busy in
            withLock {
                $0.verdict = verdict
                $0.dropped = dropped
                $0.busy = busy
            }
        }
    }

    private final class Reader: TableReader {
        let header: [String]
        private let parts: Parts
        private let settle: (SkillResult, Int, Duration) -> Void
        private var busy = Duration.zero
        private let builder = BatchBuilder()
        private var done = false

        init(
            parts: Parts,
            header: [String],
            settle: @escaping (SkillResult, Int, Duration) -> Void
        ) {
            self.parts = parts
            self.header = header
            self.settle = settle
        }

        var notes: ReadNotes { parts.input.notes }

        func nextBatch() throws -> RowBatch? {
            let clock = ContinuousClock.now
            defer { busy += ContinuousClock.now - clock }
            while !done {
                guard let batch = try parts.input.nextBatch() else {
                    done = true
                    let verdict = parts.rows.verdict(parts.spec, skill: parts.skill, artifact: nil, streamedInto: parts.next)
                    settle(verdict, parts.rows.duplicates, busy + (ContinuousClock.now - clock))
                    if verdict.outcome == .fail { throw SkillFailure(verdict.failureClass ?? .internal, verdict.details) }
                    return nil
                }
                try batch.forEach { try parts.rows.shape($0, into: builder) }
                // A batch of duplicates only is read past: an empty batch would read as the end to some callers.
                if builder.count > 0 { return builder.take() }
            }
            return nil
        }
    }
}
