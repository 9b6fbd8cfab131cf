import Foundation

/// Reads batches ahead on a thread of its own, so parsing runs on the second core while the caller checks,
/// transforms or loads the batch before. Batches arrive in file order; an error arrives where its batch would.
/// At most `depth` batches wait, so memory stays bounded whatever the file's size.
public final class PrefetchingReader: TableReader {
    public let header: [String]
    private let channel: BatchChannel
    private var finished = false
    private let onBatch: (@Sendable (Int) -> Void)?
    private let shouldStop: (@Sendable () -> Bool)?
    private let endNotes = NotesBox()
    public var notes: ReadNotes { endNotes.value }

    /// `onBatch` hears each batch's row count as the caller receives it (progress on a terminal); `shouldStop`,
    /// asked before each batch, ends the read with `RunStopped` (a read-only step is a safe point to stop at).
    public init(
        _ inner: any TableReader,
        depth: Int = 4,
        onBatch: (@Sendable (Int) -> Void)? = nil,
        shouldStop: (@Sendable () -> Bool)? = nil
    ) {
        self.onBatch = onBatch
        self.shouldStop = shouldStop
        header = inner.header
        let channel = BatchChannel(depth: depth)
        self.channel = channel
        // The inner reader moves to the producer thread and is used only there from now on.
        let handoff = Handoff(reader: inner)
        let endNotes = self.endNotes
        let thread = Thread {
            while true {
                let item: Result<RowBatch?, any Error>
                do { item = .success(try handoff.reader.nextBatch()) } catch { item = .failure(error) }
                // What the reader skipped is known at the end; it is handed over before the end is.
                if case .success(nil) = item { endNotes.value = handoff.reader.notes }
                guard channel.put(item) else { return }
                if case .success(let batch) = item, batch != nil { continue }
                return
            }
        }
        thread.name = "heal-reader"
        thread.start()
    }

    deinit { channel.close() }

    public func nextBatch() throws -> RowBatch? {
        if finished { return nil }
        if shouldStop?() == true { throw RunStopped() }
        let item = channel.take()
        switch item {
        case .success(let batch?):
            onBatch?(batch.count)
            return batch
        case .success(nil):
            finished = true
            return nil
        case .failure(let error):
            finished = true
            throw error
        }
    }
}

/// Ownership transfer of a non-Sendable reader to the one thread that uses it afterwards.
private struct Handoff: @unchecked Sendable {
    let reader: any TableReader
}

/// The inner reader's notes, written by the reading thread at the end and read by the caller after it.
private final class NotesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored = ReadNotes()
    var value: ReadNotes {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// A bounded queue between the reading thread and the caller.
private final class BatchChannel: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Result<RowBatch?, any Error>] = []
    private var closed = false
    private let depth: Int

    init(depth: Int) { self.depth = max(1, depth) }

    /// Waits for room; false once the caller has gone, so the producer stops.
    func put(_ item: Result<RowBatch?, any Error>) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= depth && !closed { condition.wait() }
        if closed { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    func take() -> Result<RowBatch?, any Error> {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty { condition.wait() }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    func close() {
        condition.lock()
        closed = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
