import FlyingFox
import FlyingSocks
import Foundation

/// A real HTTP server on 127.0.0.1 (an ephemeral port) whose answers a test scripts, and which remembers every request.
public final class TestHTTPServer: Sendable {
    public struct Reply: Sendable {
        public var status: Int
        public var body: Data
        public var headers: [String: String]

        public init(status: Int, body: Data = Data(), headers: [String: String] = [:]) {
            self.status = status
            self.body = body
            self.headers = headers
        }
    }

    public struct Received: Sendable {
        public var method: String
        public var path: String
        /// Query parameters, decoded (the last of a repeated name wins).
        public var query: [String: String] = [:]
        public var headers: [String: String]
        public var body: Data
        public var at: ContinuousClock.Instant
    }

    private let server: HTTPServer
    private let log = RequestLog()
    private let task: Task<Void, Error>
    public let port: UInt16

    /// Starts listening; `respond` gets the request and how many requests came before it.
    public init(_ respond: @escaping @Sendable (Received, Int) async -> Reply) async throws {
        let server = HTTPServer(address: try sockaddr_in.inet(ip4: "127.0.0.1", port: 0), timeout: 10, logger: .disabled)
        let log = self.log
        await server.appendRoute("*") { request in
            var headers: [String: String] = [:]
            for (name, value) in request.headers { headers[name.rawValue.lowercased()] = value }
            var query: [String: String] = [:]
            for item in request.query { query[item.name] = item.value }
            let received = Received(
                method: request.method.rawValue,
                path: request.path,
                query: query,
                headers: headers,
                body: try await request.bodyData,
                at: .now
            )
            let index = await log.append(received)
            let reply = await respond(received, index)
            var responseHeaders = HTTPHeaders()
            for (name, value) in reply.headers { responseHeaders[HTTPHeader(name)] = value }
            return HTTPResponse(statusCode: HTTPStatusCode(reply.status, phrase: "Test"), headers: responseHeaders, body: reply.body)
        }
        self.server = server
        task = Task { try await server.run() }
        try await server.waitUntilListening(timeout: 10)
        guard case .ip4(_, let port)? = await server.listeningAddress else {
            throw TestServerError(message: "the test server did not report its port")
        }
        self.port = port
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    public func requests() async -> [Received] { await log.all }

    public func stop() async {
        await server.stop(timeout: 1)
        task.cancel()
    }

    /// Fails `failures` times with `status`, then serves `body`: a source that is briefly down.
    public static func flaky(failures: Int, status: Int = 503, then body: Data) async throws -> TestHTTPServer {
        try await TestHTTPServer { _, index in
            index < failures ? Reply(status: status, body: Data("try later".utf8)) : Reply(status: 200, body: body)
        }
    }
}

public struct TestServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

actor RequestLog {
    var all: [TestHTTPServer.Received] = []

    func append(_ request: TestHTTPServer.Received) -> Int {
        all.append(request)
        return all.count - 1
    }
}
