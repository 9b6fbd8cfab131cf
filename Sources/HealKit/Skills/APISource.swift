import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Pages of a JSON API into one JSON Lines file in staging: templated query and headers, pagination by next
/// link, cursor, page or offset, a request rate limit that also honours 429 `Retry-After`, and the highest value
/// of a watermark field, which the run keeps only once its load commits.
struct APISource {
    let spec: APISpec
    let base: String
    let timeoutSeconds: Int
    let shownAs: String
    /// Waits; tests may not shorten it, since the server's Retry-After is what is being honoured.
    var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    struct Fetched {
        var pages: Int
        var records: Int
        var watermark: String?
    }

    func fetch(to destination: URL, values: TemplateValues) async throws -> Fetched {
        let query = try spec.query.map { ($0.name, try $0.value.render(values)) }
        let headers = try spec.headers.map { ($0.name, try $0.value.render(values)) }
        let file = AtomicFile(destination)
        let out = try file.create()
        var pages = 0
        var records = 0
        var watermark: String?
        var next: URL? = try url(base, query)
        var page = 0
        var lastRequest: ContinuousClock.Instant?
        do {
            while let target = next, pages < spec.maxPages {
                let (body, response) = try await request(target, headers: headers, lastRequest: &lastRequest)
                pages += 1
                guard let json = try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) else {
                    throw SkillFailure(.parseError, "\(shownAs): page \(pages) is not JSON (\(body.count) bytes)")
                }
                guard let items = APISource.value(at: spec.records, in: json) as? [Any] else {
                    throw SkillFailure(
                        .schemaMismatch,
                        "\(shownAs): page \(pages) has no array at '\(spec.records.joined(separator: "."))'"
                    )
                }
                var text = Data()
                for item in items {
                    guard item is [String: Any] else {
                        throw SkillFailure(.parseError, "\(shownAs): page \(pages) holds a record that is not an object")
                    }
                    text.append(try JSONSerialization.data(withJSONObject: item, options: [.sortedKeys, .withoutEscapingSlashes]))
                    text.append(UInt8(ascii: "\n"))
                    if let field = spec.watermarkField, let value = APISource.value(at: field, in: item).flatMap(APISource.text),
                        value > (watermark ?? "")
                    {
                        watermark = value
                    }
                }
                try out.write(contentsOf: text)
                records += items.count
                page += 1
                next = try nextPage(after: target, json: json, response: response, count: items.count, page: page, query: query)
            }
            try out.close()
            try file.publish()
        } catch {
            try? out.close()
            file.discard()
            throw error
        }
        return Fetched(pages: pages, records: records, watermark: watermark)
    }

    func nextPage(after current: URL, json: Any, response: HTTPURLResponse, count: Int, page: Int, query: [(String, String)]) throws -> URL?
    {
        switch spec.pagination {
        case .none:
            return nil
        case .nextLink(let path):
            let link: String?
            if let path {
                link = APISource.value(at: path, in: json) as? String
            } else {
                link = APISource.nextLink(response.value(forHTTPHeaderField: "Link"))
            }
            guard let link, !link.isEmpty else { return nil }
            return URL(string: link, relativeTo: current)?.absoluteURL
        case .cursor(let path, let param):
            guard let cursor = APISource.value(at: path, in: json).flatMap(APISource.text), !cursor.isEmpty, count > 0 else { return nil }
            return try url(base, query + [(param, cursor)])
        case .page(let param, let start):
            guard count > 0 else { return nil }
            return try url(base, query + [(param, String(start + page))])
        case .offset(let param, let limitParam, let size):
            guard count >= size else { return nil }
            return try url(base, query + [(param, String(page * size)), (limitParam, String(size))])
        }
    }

    /// One page: the rate limit first, then 429 (Retry-After) and 5xx retried, other answers mapped to classes.
    func request(
        _ url: URL,
        headers: [(String, String)],
        lastRequest: inout ContinuousClock.Instant?
    ) async throws -> (Data, HTTPURLResponse) {
        var serverErrors = 0
        var throttled = 0
        while true {
            if let rate = spec.rateLimit, rate > 0, let last = lastRequest {
                let gap = Duration.milliseconds(Int(1000 / rate))
                let wait = last + gap - .now
                if wait > .zero { try await sleep(wait) }
            }
            lastRequest = .now
            var request = URLRequest(url: url)
            request.setValue("application/json", forHTTPHeaderField: "Accept")
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            let data: Data
            let response: HTTPURLResponse
            do {
                let (d, r) = try await HTTPTransfer.send(request, timeoutSeconds: timeoutSeconds)
                guard let http = r as? HTTPURLResponse else { throw URLError(.badServerResponse) }
                (data, response) = (d, http)
            } catch {
                throw HTTPTransfer.failure(error, shownAs: shownAs, timeoutSeconds: timeoutSeconds)
            }
            switch response.statusCode {
            case 200..<300:
                return (data, response)
            case 429:
                throttled += 1
                let after = APISource.retryAfter(response.value(forHTTPHeaderField: "Retry-After")) ?? .seconds(1 << min(throttled, 5))
                guard throttled <= 5, after <= .seconds(300) else {
                    throw SkillFailure(.transient, "\(shownAs) keeps answering 429 (asked to wait \(after)); try later")
                }
                try await sleep(after)
            case 500...599:
                serverErrors += 1
                guard serverErrors < 3 else {
                    throw SkillFailure(.transient, "\(shownAs) answered HTTP \(response.statusCode) three times")
                }
                try await sleep(.milliseconds(250 << serverErrors))
            default:
                throw SourceFetcher.failure(status: response.statusCode, shownAs: shownAs)
            }
        }
    }

    func url(_ base: String, _ query: [(String, String)]) throws -> URL {
        guard var components = URLComponents(string: base) else { throw SkillFailure(.internal, "'\(shownAs)' is not a valid URL") }
        var items = components.queryItems ?? []
        for (name, value) in query {
            items.removeAll { $0.name == name }
            items.append(URLQueryItem(name: name, value: value))
        }
        components.queryItems = items.isEmpty ? nil : items
        guard let url = components.url else { throw SkillFailure(.internal, "'\(shownAs)' is not a valid URL") }
        return url
    }

    /// Retry-After as seconds or an HTTP date.
    static func retryAfter(_ header: String?) -> Duration? {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        if let seconds = Double(header) { return .milliseconds(Int(seconds * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: header) else { return nil }
        return .milliseconds(max(0, Int(date.timeIntervalSinceNow * 1000)))
    }

    static func nextLink(_ header: String?) -> String? { header.flatMap(APILinkHeader.next) }

    static func value(at path: [String], in json: Any) -> Any? {
        var current: Any? = json
        for key in path { current = (current as? [String: Any])?[key] }
        return current
    }

    static func text(_ value: Any) -> String? {
        if let s = value as? String { return s }
        if let n = value as? NSNumber { return n.stringValue }
        return nil
    }
}

/// RFC 8288 `Link` headers, as paginated APIs (GitHub's among them) send them.
public enum APILinkHeader {
    /// `<https://…?page=2>; rel="next", <…>; rel="last"` → the next URL.
    public static func next(_ header: String) -> String? {
        for part in header.split(separator: ",") where part.contains("rel=\"next\"") || part.contains("rel=next") {
            guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">"), open < close else { continue }
            return String(part[part.index(after: open)..<close])
        }
        return nil
    }
}
