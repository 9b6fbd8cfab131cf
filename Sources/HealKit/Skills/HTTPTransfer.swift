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

    /// Downloads into a temporary file beside `destination` (the caller moves or deletes it).
    static func download(_ request: URLRequest, beside destination: URL, timeoutSeconds: Int) async throws -> (URL, URLResponse) {
        try await perform(timeoutSeconds: timeoutSeconds) { session, finish in
            session.downloadTask(with: request) { file, response, error in
                guard let file, let response else {
                    _ = finish(.failure(error ?? URLError(.badServerResponse)))
                    return
                }
                // The file vanishes when this handler returns; claim it now.
                let kept = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp")
                do {
                    try FileManager.default.moveItem(at: file, to: kept)
                    // Past the deadline nobody takes the file: remove it.
                    if !finish(.success((kept, response))) { try? FileManager.default.removeItem(at: kept) }
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

    private static func perform<T: Sendable>(timeoutSeconds: Int,
                                             _ makeTask: (URLSession, @escaping @Sendable (Result<T, Error>) -> Bool) -> URLSessionTask) async throws -> T {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = TimeInterval(timeoutSeconds)
        configuration.timeoutIntervalForResource = TimeInterval(timeoutSeconds)
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration)
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
