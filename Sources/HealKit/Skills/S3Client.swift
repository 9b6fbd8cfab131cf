import Crypto
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Just enough S3 for a nightly fetch: GET an object and list a prefix (ListObjectsV2, paginated), signed with
/// SigV4. With an `endpoint` (MinIO, Ceph, R2-style services) requests are path-style.
struct S3Client: Sendable {
    struct Object: Sendable, Equatable {
        var key: String
        var lastModified: String
        var etag: String
        var size: Int
    }

    let endpoint: URL
    let pathStyle: Bool
    let region: String
    let credentials: SigV4.Credentials
    /// Keys per ListObjectsV2 page (1000 is S3's maximum).
    var pageSize = 1000

    init(endpoint: URL?, region: String, credentials: SigV4.Credentials) {
        self.endpoint = endpoint ?? URL(string: "https://s3.\(region).amazonaws.com")!
        pathStyle = endpoint != nil
        self.region = region
        self.credentials = credentials
    }

    /// `s3://bucket/key` → (bucket, key).
    /// The client a fetch spec describes: its endpoint (rendered for the run), region and credentials from the
    /// environment. A fetch and `heal check --connect` build it the same way.
    static func make(_ spec: FetchSpec, values: TemplateValues) throws -> S3Client {
        let environment = values.environment
        var endpoint: URL?
        if let template = spec.endpoint {
            let text: String
            do { text = try template.render(values) } catch { throw SkillFailure(.configuration, error.message) }
            guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw SkillFailure(.configuration, "endpoint '\(template.source)' is not an http(s):// URL")
            }
            endpoint = url
        }
        let region = spec.region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
        var client = S3Client(
            endpoint: endpoint,
            region: region,
            credentials: try credentials(environment: environment, profile: spec.profile)
        )
        // Smaller listing pages, for trying pagination against a small bucket.
        if let size = environment["HEAL_S3_PAGE_SIZE"].flatMap(Int.init), (1...1000).contains(size) { client.pageSize = size }
        return client
    }

    static func parse(_ source: String) -> (bucket: String, key: String)? {
        guard source.hasPrefix("s3://") else { return nil }
        let rest = source.dropFirst("s3://".count)
        guard let slash = rest.firstIndex(of: "/"), slash != rest.startIndex else { return nil }
        return (String(rest[..<slash]), String(rest[rest.index(after: slash)...]))
    }

    /// Credentials from the environment, else from a profile of the shared credentials file.
    static func credentials(environment: [String: String], profile: String?) throws -> SigV4.Credentials {
        if let id = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"], !id.isEmpty, !secret.isEmpty {
            return .init(
                accessKeyID: id,
                secretAccessKey: secret,
                sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            )
        }
        let name = profile ?? environment["AWS_PROFILE"] ?? "default"
        let path =
            environment["AWS_SHARED_CREDENTIALS_FILE"]
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.aws/credentials"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw SkillFailure(
                .configuration,
                "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add profile '\(name)' to \(path)"
            )
        }
        var section = ""
        var values: [String: String] = [:]
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") && line.hasSuffix("]") {
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard section == name, let eq = line.firstIndex(of: "="), !line.hasPrefix("#"), !line.hasPrefix(";") else { continue }
            values[line[..<eq].trimmingCharacters(in: .whitespaces)] = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        }
        guard let id = values["aws_access_key_id"], let secret = values["aws_secret_access_key"] else {
            throw SkillFailure(
                .configuration,
                "no AWS credentials: profile '\(name)' in \(path) lacks aws_access_key_id or aws_secret_access_key"
            )
        }
        return .init(accessKeyID: id, secretAccessKey: secret, sessionToken: values["aws_session_token"])
    }

    /// A signed request for `bucket`/`key` with an already-encoded query.
    func request(
        _ method: String,
        bucket: String,
        key: String,
        query: String = "",
        headers extra: [(String, String)] = [],
        now: Date = Date()
    ) -> URLRequest {
        let encodedKey = key.split(separator: "/", omittingEmptySubsequences: false).map { SigV4.encode(String($0)) }.joined(separator: "/")
        let scheme = endpoint.scheme ?? "https"
        let endpointHost = endpoint.host.map { h in endpoint.port.map { "\(h):\($0)" } ?? h } ?? "s3.amazonaws.com"
        // Path-style on a custom endpoint (MinIO, moto), virtual-hosted on AWS.
        let host = pathStyle ? endpointHost : "\(bucket).\(endpointHost)"
        let path = pathStyle ? "/\(SigV4.encode(bucket))/\(encodedKey)" : "/\(encodedKey)"
        let url = URL(string: "\(scheme)://\(host)\(path)\(query.isEmpty ? "" : "?\(query)")")!
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        let amzDate = formatter.string(from: now)
        var headers: [(name: String, value: String)] = [
            ("Host", host), ("X-Amz-Date", amzDate), ("X-Amz-Content-Sha256", SigV4.emptyPayloadSHA256),
        ]
        if let token = credentials.sessionToken { headers.append(("X-Amz-Security-Token", token)) }
        headers += extra.map { (name: $0.0, value: $0.1) }
        let signer = SigV4(credentials: credentials, region: region, service: "s3")
        // The path is signed decoded; the signer encodes each segment once, as S3 expects.
        let signedPath = pathStyle ? "/\(bucket)/\(key)" : "/\(key)"
        let authorization = signer.authorization(
            for: SigV4.Request(
                method: method,
                path: signedPath,
                query: query,
                headers: headers,
                payloadSHA256: SigV4.emptyPayloadSHA256
            ),
            amzDate: amzDate
        )
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (name, value) in headers where name != "Host" { request.setValue(value, forHTTPHeaderField: name) }
        request.setValue(authorization, forHTTPHeaderField: "Authorization")
        return request
    }

    /// Every object under `prefix`, page by page.
    func list(bucket: String, prefix: String, timeoutSeconds: Int, shownAs: String) async throws -> (objects: [Object], pages: Int) {
        var objects: [Object] = []
        var token: String?
        var pages = 0
        repeat {
            pages += 1
            var query = "list-type=2&max-keys=\(pageSize)&prefix=\(SigV4.encode(prefix))"
            if let token { query += "&continuation-token=\(SigV4.encode(token))" }
            let (data, response) = try await send(
                request("GET", bucket: bucket, key: "", query: query),
                timeoutSeconds: timeoutSeconds,
                shownAs: shownAs
            )
            try S3Client.check(response, data, shownAs: shownAs)
            let page = ListingParser(data)
            objects += page.objects
            token = page.truncated ? page.nextToken : nil
            if page.truncated && token == nil {
                throw SkillFailure(.transient, "\(shownAs): a truncated listing without a continuation token")
            }
        } while token != nil
        return (objects, pages)
    }

    /// Downloads `bucket`/`key` into `destination` (atomically). A transfer cut halfway is resumed with `Range`
    /// from the bytes already written (`If-Match` the first ETag, so a replaced object starts over); the ETag is
    /// checked as MD5 at the end when it is one.
    func get(bucket: String, key: String, to destination: URL, timeoutSeconds: Int, shownAs: String, resumes: Int = 3) async throws -> Int {
        let file = AtomicFile(destination)
        let temporary = file.temporary
        try file.create().close()
        defer { file.discard() }
        var offset = 0
        var resumed = 0
        var etag: String?
        var total: Int?
        while true {
            var headers: [(String, String)] = []
            if offset > 0 {
                headers.append(("Range", "bytes=\(offset)-"))
                if let etag { headers.append(("If-Match", etag)) }
            }
            let got = await HTTPTransfer.stream(
                request("GET", bucket: bucket, key: key, headers: headers),
                appendingTo: temporary,
                timeoutSeconds: timeoutSeconds
            )
            guard let response = got.response else {
                if got.written == 0 && offset == 0 {
                    throw SkillFailure(.transient, "cannot reach \(shownAs): \(got.error ?? "no answer")")
                }
                resumed += 1
                guard resumed <= resumes else {
                    throw SkillFailure(.transient, "\(shownAs): the transfer kept breaking (\(got.error ?? "no answer"))")
                }
                offset = try fileSize(temporary)
                continue
            }
            switch response.statusCode {
            case 200 where offset > 0, 412:
                // The range was ignored or the object changed: start again from the first byte.
                try FileHandle(forWritingTo: temporary).truncate(atOffset: 0)
                offset = 0
                etag = nil
                resumed += 1
                guard resumed <= resumes else { throw SkillFailure(.transient, "\(shownAs): the object kept changing during the transfer") }
                continue
            case 200, 206:
                if offset == 0 {
                    etag = response.value(forHTTPHeaderField: "ETag")
                    total = response.expectedContentLength >= 0 ? Int(response.expectedContentLength) : nil
                }
            default:
                let body = (try? Data(contentsOf: temporary))?.dropFirst(offset) ?? Data()
                try S3Client.check(response, Data(body), shownAs: shownAs)
                throw SkillFailure(.sourceMissing, "\(shownAs) answered HTTP \(response.statusCode)")
            }
            offset = try fileSize(temporary)
            if got.error == nil && (total == nil || offset >= total!) { break }
            resumed += 1
            guard resumed <= resumes else {
                throw SkillFailure(
                    .transient,
                    "\(shownAs): the transfer kept breaking after \(offset) bytes (\(got.error ?? "short body"))"
                )
            }
        }
        _ = try S3Client.verifyETag(etag, of: temporary, shownAs: shownAs)
        try file.publish()
        return resumed
    }

    private func fileSize(_ url: URL) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.intValue ?? 0
    }

    func send(_ request: URLRequest, timeoutSeconds: Int, shownAs: String) async throws -> (Data, URLResponse) {
        do {
            return try await HTTPTransfer.send(request, timeoutSeconds: timeoutSeconds)
        } catch {
            throw HTTPTransfer.failure(error, shownAs: shownAs, timeoutSeconds: timeoutSeconds)
        }
    }

    /// S3's answers mapped to failure classes, with S3's error code in the message.
    static func check(_ response: URLResponse, _ body: Data, shownAs: String) throws {
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard !(200..<300).contains(status) else { return }
        let code = ErrorParser(body).code ?? "HTTP \(status)"
        switch (status, code) {
        case (404, _):
            throw SkillFailure(.sourceMissing, "\(shownAs): \(code); the object is not there (yet)")
        case (403, _), (401, _):
            throw SkillFailure(.sourceMissing, "\(shownAs): \(code); access denied, check the credentials, region and bucket policy")
        case (503, _), (429, _), (500...599, _), (_, "SlowDown"), (_, "RequestTimeout"):
            throw SkillFailure(.transient, "\(shownAs): \(code) (HTTP \(status))")
        default:
            throw SkillFailure(.sourceMissing, "\(shownAs): \(code) (HTTP \(status))")
        }
    }

    /// A single-part upload's ETag is the body's MD5; a multipart one (`…-N`) cannot be checked this way.
    static func verifyETag(_ etag: String?, of file: URL, shownAs: String) throws -> Bool {
        guard let etag = etag?.trimmingCharacters(in: CharacterSet(charactersIn: "\"")), !etag.contains("-"), etag.count == 32 else {
            return false
        }
        var md5 = Insecure.MD5()
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { md5.update(data: chunk) }
        let actual = md5.finalize().map { String(format: "%02x", $0) }.joined()
        guard actual == etag.lowercased() else {
            throw SkillFailure(
                .transient,
                "\(shownAs): the copy's MD5 \(actual) is not the object's ETag \(etag); the transfer was damaged"
            )
        }
        return true
    }
}

/// Collects each element's text and hands it over when the element ends; the parsers below say what they keep.
private class ElementTextParser: NSObject, XMLParserDelegate {
    private var text = ""

    init(_ data: Data) {
        super.init()
        let parser = XMLParser(data: data)
        parser.delegate = self
        _ = parser.parse()
    }

    func started(_ name: String) {}
    func ended(_ name: String, text: String) {}

    func parser(
        _ parser: XMLParser,
        didStartElement name: String,
        namespaceURI: String?,
        qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        text = ""
        started(name)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        ended(name, text: text)
    }
}

/// ListObjectsV2's XML: Contents (Key, LastModified, ETag, Size), IsTruncated, NextContinuationToken.
private final class ListingParser: ElementTextParser {
    var objects: [S3Client.Object] = []
    var truncated = false
    var nextToken: String?
    private var current: S3Client.Object?

    override func started(_ name: String) {
        if name == "Contents" { current = S3Client.Object(key: "", lastModified: "", etag: "", size: 0) }
    }

    override func ended(_ name: String, text: String) {
        switch name {
        case "Key": current?.key = text
        case "LastModified": current?.lastModified = text
        case "ETag": current?.etag = text
        case "Size": current?.size = Int(text) ?? 0
        case "Contents":
            if let c = current { objects.append(c) }
            current = nil
        case "IsTruncated": truncated = text == "true"
        case "NextContinuationToken": nextToken = text
        default: break
        }
    }
}

/// `<Error><Code>NoSuchKey</Code>…</Error>`.
private final class ErrorParser: ElementTextParser {
    var code: String?

    override func ended(_ name: String, text: String) {
        if name == "Code" && code == nil { code = text }
    }
}
