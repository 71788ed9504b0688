/// A `HOST:PORT` address as flags, environment and peers write it: `127.0.0.1:7101`,
/// `registry.local:7101`, `[::1]:7101`. An IPv6 host is bracketed: `::1:7101` is refused, as
/// it could name port 7101 of `::1` or the address `::1:7101`.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    /// Without brackets: `::1`, not `[::1]`.
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Nil unless `text` is HOST:PORT with a non-empty host and a port in 0...65535.
    public init?(_ text: String) {
        let host: Substring
        let rest: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            host = text[text.index(after: text.startIndex)..<close]
            rest = text[text.index(after: close)...]
            guard host.contains(":") else { return nil }
        } else {
            guard let colon = text.firstIndex(of: ":") else { return nil }
            host = text[..<colon]
            rest = text[colon...]
        }
        guard rest.first == ":", !host.isEmpty, !host.contains("[") , !host.contains("]") else { return nil }
        let digits = rest.dropFirst()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 5,
              let port = Int(digits), (0...65535).contains(port) else { return nil }
        self.init(host: String(host), port: port)
    }

    /// HOST:PORT again, an IPv6 host bracketed.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
