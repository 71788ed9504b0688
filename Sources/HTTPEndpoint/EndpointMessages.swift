import Foundation

/// One HTTP request as a route handler sees it: the whole body already read.
public struct EndpointRequest: Sendable, Hashable {
    /// "GET", "POST", … as sent.
    public var method: String
    /// The path without the query, percent-decoded: "/dlr".
    public var path: String
    /// The query in order, names and values percent-decoded ("+" is a space).
    public var queryItems: [QueryItem]
    public var headers: [Header]
    public var body: [UInt8]

    public struct QueryItem: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(method: String, path: String, queryItems: [QueryItem] = [], headers: [Header] = [], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.queryItems = queryItems
        self.headers = headers
        self.body = body
    }

    /// Splits a request target ("/dlr?id=sms-1&type=8") into its path and query items.
    public init(method: String, uri: String, headers: [Header] = [], body: [UInt8] = []) {
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let rawPath = parts.first.map(String.init) ?? "/"
        self.init(
            method: method, path: rawPath.removingPercentEncoding ?? rawPath,
            queryItems: parts.count > 1 ? Self.parseQuery(String(parts[1])) : [], headers: headers, body: body
        )
    }

    /// `a=1&b=x+y&c` → [(a, 1), (b, "x y"), (c, "")]; a malformed escape is kept as sent.
    public static func parseQuery(_ query: String) -> [QueryItem] {
        query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let nameValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring?) -> String {
                guard let text else { return "" }
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return QueryItem(name: decode(nameValue.first), value: decode(nameValue.count > 1 ? nameValue[1] : nil))
        }
    }

    /// The first query value named `name`.
    public func query(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// The first header named `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// What a route handler answers.
public struct EndpointResponse: Sendable, Hashable {
    /// 200, 404, …
    public var status: Int
    public var headers: [EndpointRequest.Header]
    public var body: [UInt8]

    public init(status: Int, headers: [EndpointRequest.Header] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A plain-text answer (`text/plain; charset=utf-8`).
    public static func text(_ text: String, status: Int = 200, contentType: String = "text/plain; charset=utf-8") -> EndpointResponse {
        EndpointResponse(status: status, headers: [.init(name: "Content-Type", value: contentType)], body: Array(text.utf8))
    }
}

/// A handler for one method and path.
public struct EndpointRoute: Sendable {
    public var method: String
    public var path: String
    public var handler: @Sendable (EndpointRequest) async -> EndpointResponse

    public init(_ method: String, _ path: String, handler: @escaping @Sendable (EndpointRequest) async -> EndpointResponse) {
        self.method = method.uppercased()
        self.path = path
        self.handler = handler
    }
}
