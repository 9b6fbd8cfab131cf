import Foundation

/// Replies in the Anthropic Messages API wire format, for a `TestHTTPServer` that stands in for the API.
public enum MessagesAPIStub {
    /// A `tool_use` answer calling `propose_schema_repair` with `input`, after blocks a client must skip.
    public static func toolUse(
        _ input: Any,
        stopReason: String = "tool_use",
        inputTokens: Int = 812,
        outputTokens: Int = 64
    ) -> TestHTTPServer.Reply {
        message(
            [
                ["type": "thinking_preview", "text": "an unknown block type the client must skip"],
                ["type": "text", "text": "Here is the repair."],
                ["type": "tool_use", "id": "toolu_01", "name": "propose_schema_repair", "input": input],
            ],
            stopReason: stopReason,
            inputTokens: inputTokens,
            outputTokens: outputTokens
        )
    }

    public static func message(
        _ content: [[String: Any]],
        stopReason: String,
        inputTokens: Int = 812,
        outputTokens: Int = 64
    ) -> TestHTTPServer.Reply {
        let body: [String: Any] = [
            "id": "msg_01", "type": "message", "role": "assistant", "model": "claude-test",
            "content": content, "stop_reason": stopReason, "stop_sequence": NSNull(),
            "usage": ["input_tokens": inputTokens, "output_tokens": outputTokens],
        ]
        return TestHTTPServer.Reply(
            status: 200,
            body: try! JSONSerialization.data(withJSONObject: body),
            headers: ["content-type": "application/json", "request-id": "req_test_01"]
        )
    }

    public static func error(_ status: Int, type: String, message: String, headers: [String: String] = [:]) -> TestHTTPServer.Reply {
        let body: [String: Any] = ["type": "error", "error": ["type": type, "message": message]]
        return TestHTTPServer.Reply(
            status: status,
            body: try! JSONSerialization.data(withJSONObject: body),
            headers: headers.merging(["content-type": "application/json"]) { a, _ in a }
        )
    }

    /// The request body a test server received, decoded.
    public static func decode(_ request: TestHTTPServer.Received) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: request.body) as? [String: Any]) ?? [:]
    }
}
