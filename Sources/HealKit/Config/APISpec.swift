import Foundation

/// A paginated JSON endpoint: query and headers (templated), where the records are, how to page, how fast.
public struct APISpec: Sendable {
    public enum Pagination: Sendable, Equatable {
        case none
        /// The next page's URL at a path in the body (or in a `Link: <…>; rel="next"` header).
        case nextLink([String]?)
        /// A cursor at a path in the body, sent back as a query parameter.
        case cursor(path: [String], param: String)
        case page(param: String, start: Int)
        case offset(param: String, limitParam: String, size: Int)
    }

    public var query: [(name: String, value: Template)] = []
    public var headers: [(name: String, value: Template)] = []
    /// Where the array of records is in each page (empty: the page is the array).
    public var records: [String] = []
    public var pagination = Pagination.none
    public var maxPages = 1000
    /// Requests per second at most.
    public var rateLimit: Double?
    /// An incremental source: the highest value of this record field is kept as the watermark.
    public var watermarkField: [String]?
}

extension APISpec {
    static func decode(_ value: YAMLValue) throws -> APISpec {
        let a = try value.map(allowed: ["query", "headers", "records", "pagination", "max_pages", "rate_limit", "watermark"])
        var spec = APISpec()
        func path(_ v: YAMLValue, _ what: String) throws -> [String] {
            try v.string(what).split(separator: ".").map(String.init)
        }
        if let v = a["query"] {
            spec.query = try v.map(allowed: []).entries.map { (try $0.key.string(), try $0.value.template("a query value")) }
        }
        if let v = a["headers"] {
            spec.headers = try v.map(allowed: []).entries.map { (try $0.key.string(), try $0.value.template("a header value")) }
        }
        if let v = a["records"] { spec.records = try path(v, "a dotted path to the records, e.g. data.items") }
        if let v = a["pagination"] {
            let p = try v.map(allowed: ["next", "cursor", "param", "page", "start", "offset", "limit", "size"])
            if let next = p["next"] {
                let text = try next.string("a dotted path to the next page's URL, or 'link' for the Link header")
                spec.pagination = .nextLink(text == "link" ? nil : text.split(separator: ".").map(String.init))
            } else if let cursor = p["cursor"] {
                spec.pagination = .cursor(
                    path: try path(cursor, "a dotted path to the next cursor"),
                    param: try p.required("param", "the query parameter the cursor goes in").string()
                )
            } else if let page = p["page"] {
                spec.pagination = .page(
                    param: try page.string("the page parameter"),
                    start: try p["start"]?.int("the first page number") ?? 1
                )
            } else if let offset = p["offset"] {
                spec.pagination = .offset(
                    param: try offset.string("the offset parameter"),
                    limitParam: try p["limit"]?.string("the limit parameter") ?? "limit",
                    size: try p["size"]?.int("records per page", range: 1...100_000) ?? 100
                )
            } else {
                throw v.error("expected one of next, cursor (with param), page, offset")
            }
        }
        if let v = a["max_pages"] { spec.maxPages = try v.int("a number of pages", range: 1...1_000_000) }
        if let v = a["rate_limit"] { spec.rateLimit = try v.double("requests per second") }
        if let v = a["watermark"] {
            let w = try v.map(allowed: ["field"])
            spec.watermarkField = try path(try w.required("field", "the record field whose highest value is kept"), "a dotted path")
        }
        return spec
    }
}
