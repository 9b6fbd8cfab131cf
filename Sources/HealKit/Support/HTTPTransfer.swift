import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// URLSession (libcurl on Linux) behind a hard deadline.
///
/// URLSession's timeouts are whole seconds and idle-only, and an async call cancelled on Linux may never return,
/// so requests use completion handlers and a deadline that gives up without waiting for the task to wind down.
enum HTTPTransfer {
    struct DeadlinePassed: Error {}

    /// Downloads into `file`'s temporary file (the caller publishes or discards it).
    static func download(_ request: URLRequest, into file: AtomicFile, timeoutSeconds: Int) async throws -> URLResponse {
        try await perform(timeoutSeconds: timeoutSeconds) { session, finish in
            session.downloadTask(with: request) { downloaded, response, error in
                guard let downloaded, let response else {
                    _ = finish(.failure(error ?? URLError(.badServerResponse)))
                    return
                }
                // The file vanishes when this handler returns; claim it now.
                do {
                    try FileManager.default.moveItem(at: downloaded, to: file.temporary)
                    // Past the deadline nobody takes the file: remove it.
                    if !finish(.success(response)) { file.discard() }
                } catch {
                    _ = finish(.failure(error))
                }
            }
        }
    }

    /// Sends a request and collects the (small) response body.
    static func send(_ request: URLRequest, timeoutSeconds: Int) async throws -> (Data, URLResponse) {
        try await perform(timeoutSeconds: timeoutSeconds) { session, finish in
            session.dataTask(with: request) { data, response, error in
                guard let response else {
                    _ = finish(.failure(error ?? URLError(.badServerResponse)))
                    return
                }
                _ = finish(.success((data ?? Data(), response)))
            }
        }
    }

    /// Every request heal sends: no cache, the idle timeouts (the deadline is heal's own), and a User-Agent naming
    /// heal and its version, so a source's or webhook's operator can tell who is calling.
    static func sessionConfiguration(timeoutSeconds: Int) -> URLSessionConfiguration {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = TimeInterval(timeoutSeconds)
        configuration.timeoutIntervalForResource = TimeInterval(timeoutSeconds)
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpAdditionalHeaders = ["User-Agent": userAgent]
        return configuration
    }

    static let userAgent = "heal/\(HealVersion.string)"

    private static func perform<T: Sendable>(
        timeoutSeconds: Int,
        _ makeTask: (URLSession, @escaping @Sendable (Result<T, Error>) -> Bool) -> URLSessionTask
    ) async throws -> T {
        let session = URLSession(configuration: sessionConfiguration(timeoutSeconds: timeoutSeconds))
        defer { session.finishTasksAndInvalidate() }
        let once = ResumeOnce<T>()
        return try await withCheckedThrowingContinuation { continuation in
            once.set(continuation)
            let task = makeTask(session) { once.resume(with: $0) }
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(timeoutSeconds)) {
                once.resume(with: .failure(DeadlinePassed()))
                task.cancel()
            }
            task.resume()
        }
    }
}

extension HTTPTransfer {
    /// A transfer that got no answer, as the ladder sees it: always `transient`, worth a retry.
    static func failure(_ error: Error, shownAs: String, timeoutSeconds: Int) -> SkillFailure {
        if error is DeadlinePassed { return SkillFailure(.transient, "\(shownAs) did not answer within \(timeoutSeconds) s") }
        return SkillFailure(.transient, "cannot reach \(shownAs): \(error.localizedDescription)")
    }

    /// What a streamed transfer got: the response head (if any), the bytes appended, and the error that cut it.
    struct Streamed: Sendable {
        var response: HTTPURLResponse?
        var written: Int
        var error: String?
    }

    /// Appends the response body to `file` as it arrives, so a transfer cut halfway keeps what it got
    /// (the caller resumes with `Range`). Never throws: a failure is reported in `Streamed.error`.
    static func stream(_ request: URLRequest, appendingTo file: URL, timeoutSeconds: Int) async -> Streamed {
        guard let handle = try? FileHandle(forWritingTo: file) else {
            return Streamed(response: nil, written: 0, error: "cannot write \(file.path)")
        }
        _ = try? handle.seekToEnd()
        let sink = StreamSink(handle: handle)
        let session = URLSession(configuration: sessionConfiguration(timeoutSeconds: timeoutSeconds), delegate: sink, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        return await withCheckedContinuation { continuation in
            sink.onFinish = { continuation.resume(returning: $0) }
            let task = session.dataTask(with: request)
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(timeoutSeconds)) {
                sink.finish(error: "no end within \(timeoutSeconds) s")
                task.cancel()
            }
            task.resume()
        }
    }
}

/// Writes a data task's bytes to a file as they come, and reports once when the task ends (or the deadline passes).
private final class StreamSink: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private let handle: FileHandle
    private var response: HTTPURLResponse?
    private var written = 0
    private var done = false
    private var writeFailed = false
    var onFinish: (@Sendable (HTTPTransfer.Streamed) -> Void)?

    init(handle: FileHandle) { self.handle = handle }

    func urlSession(
        _ session: URLSession,
        dataTask: URLSessionDataTask,
        didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        lock.withLock { self.response = response as? HTTPURLResponse }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.withLock {
            guard !done else { return }
            do {
                try handle.write(contentsOf: data)
                written += data.count
            } catch {
                writeFailed = true
                done = true
            }
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        if lock.withLock({ response == nil }), let http = task.response as? HTTPURLResponse { lock.withLock { response = http } }
        finish(error: error.map { $0.localizedDescription })
    }

    /// Reports once: the first of completion and deadline wins; later bytes are dropped.
    func finish(error: String?) {
        let report: ((@Sendable (HTTPTransfer.Streamed) -> Void), HTTPTransfer.Streamed)? = lock.withLock {
            guard let callback = onFinish else { return nil }
            onFinish = nil
            done = true
            try? handle.close()
            return (
                callback, HTTPTransfer.Streamed(response: response, written: written, error: writeFailed ? "cannot write the file" : error)
            )
        }
        if let (callback, result) = report { callback(result) }
    }
}

/// Resumes a continuation exactly once, whichever of the transfer and the deadline comes first.
private final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, Error>?

    func set(_ continuation: CheckedContinuation<T, Error>) {
        lock.withLock { self.continuation = continuation }
    }

    /// True when this call resumed the continuation.
    @discardableResult
    func resume(with result: Result<T, Error>) -> Bool {
        let pending: CheckedContinuation<T, Error>? = lock.withLock {
            defer { continuation = nil }
            return continuation
        }
        pending?.resume(with: result)
        return pending != nil
    }
}
