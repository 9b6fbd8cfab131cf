import Crypto
import Foundation

/// AWS Signature Version 4: the canonical request, the string to sign and the Authorization header, as AWS's own
/// test suite spells them. S3 signs its path as it is (no dot-segment removal, encoded once).
public struct SigV4: Sendable {
    public struct Credentials: Sendable, Equatable {
        public var accessKeyID: String
        public var secretAccessKey: String
        public var sessionToken: String?

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }
    }

    /// What gets signed: the method, the path and query as sent (not yet encoded), the headers, the body's hash.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var query: String
        public var headers: [(name: String, value: String)]
        public var payloadSHA256: String

        public init(method: String, path: String, query: String, headers: [(name: String, value: String)], payloadSHA256: String) {
            self.method = method
            self.path = path
            self.query = query
            self.headers = headers
            self.payloadSHA256 = payloadSHA256
        }
    }

    public var credentials: Credentials
    public var region: String
    public var service: String
    /// Remove `.`/`..` segments and empty segments first (every service but S3).
    public var normalizesPath: Bool

    public init(credentials: Credentials, region: String, service: String, normalizesPath: Bool? = nil) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.normalizesPath = normalizesPath ?? (service != "s3")
    }

    public static let emptyPayloadSHA256 = hex(SHA256.hash(data: Data()))

    public static func payloadHash(_ body: Data) -> String { hex(SHA256.hash(data: body)) }

    /// The canonical request and the signed-header list.
    public func canonicalRequest(_ request: Request) -> (text: String, signedHeaders: String) {
        var grouped: [String: [String]] = [:]
        for (name, value) in request.headers {
            grouped[name.lowercased(), default: []].append(SigV4.trimAll(value))
        }
        let names = grouped.keys.sorted()
        let headerLines = names.map { "\($0):\(grouped[$0]!.joined(separator: ","))\n" }.joined()
        let signed = names.joined(separator: ";")
        let text = [
            request.method.uppercased(), canonicalPath(request.path), SigV4.canonicalQuery(request.query), headerLines, signed,
            request.payloadSHA256,
        ]
        .joined(separator: "\n")
        return (text, signed)
    }

    public func stringToSign(canonicalRequest: String, amzDate: String) -> String {
        ["AWS4-HMAC-SHA256", amzDate, scope(amzDate), SigV4.hex(SHA256.hash(data: Data(canonicalRequest.utf8)))].joined(separator: "\n")
    }

    /// The `Authorization` header for a request whose headers already hold `X-Amz-Date` (and the token, if any).
    public func authorization(for request: Request, amzDate: String) -> String {
        let (text, signed) = canonicalRequest(request)
        let toSign = stringToSign(canonicalRequest: text, amzDate: amzDate)
        let signature = SigV4.hex(HMAC<SHA256>.authenticationCode(for: Data(toSign.utf8), using: signingKey(amzDate)))
        return "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(amzDate)), SignedHeaders=\(signed), Signature=\(signature)"
    }

    func scope(_ amzDate: String) -> String { "\(amzDate.prefix(8))/\(region)/\(service)/aws4_request" }

    func signingKey(_ amzDate: String) -> SymmetricKey {
        func mac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)))
        }
        let secret = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        return mac(mac(mac(mac(secret, String(amzDate.prefix(8))), region), service), "aws4_request")
    }

    func canonicalPath(_ path: String) -> String {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false).map { SigV4.percentDecoded(String($0)) }
        if normalizesPath {
            var kept: [String] = []
            for segment in segments.dropFirst() {
                switch segment {
                case "", ".": continue
                case "..": _ = kept.popLast()
                default: kept.append(segment)
                }
            }
            let trailing = path.hasSuffix("/") && !kept.isEmpty
            segments = [""] + kept + (trailing ? [""] : [])
            if kept.isEmpty { return "/" }
        }
        let encoded = segments.map { SigV4.encode($0) }.joined(separator: "/")
        return encoded.isEmpty ? "/" : encoded
    }

    /// Pairs decoded, encoded again, sorted by name then value.
    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { part -> (String, String) in
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (encode(percentDecoded(String(kv[0]))), kv.count > 1 ? encode(percentDecoded(String(kv[1]))) : "")
        }
        return pairs.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Every byte but A–Z a–z 0–9 - . _ ~ as %XX (upper case), as AWS requires.
    public static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    static func percentDecoded(_ text: String) -> String { text.removingPercentEncoding ?? text }

    /// Leading and trailing spaces removed, runs of spaces inside collapsed to one.
    static func trimAll(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
