/// Paging (docs/API.md), the same in every service: `page_size` 0 → 50, at most 500; the
/// token is the position after the last row returned (keyset), so a page never re-reads the
/// rows before it.
public enum Paging {
    public static let defaultSize = 50
    public static let maxSize = 500

    public static func size(_ requested: Int32) throws(RuleError) -> Int {
        guard requested >= 0 else { throw .invalidArgument(field: "page_size", "Размер страницы не может быть отрицательным") }
        return requested == 0 ? defaultSize : min(Int(requested), maxSize)
    }

    /// A keyset position: up to two non-negative integers (a time and an id, or an offset),
    /// written `k.<a>.<b>`.
    public struct Cursor: Sendable, Hashable {
        public var primary: Int64
        public var secondary: Int64
        public init(_ primary: Int64, _ secondary: Int64 = 0) {
            self.primary = primary
            self.secondary = secondary
        }

        public var token: String { "k.\(primary).\(secondary)" }
    }

    /// Nil for the first page; INVALID_ARGUMENT `page_token` for a malformed token (no
    /// position is negative: times, ids and offsets).
    public static func cursor(_ token: String) throws(RuleError) -> Cursor? {
        if token.isEmpty { return nil }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "k", let a = Int64(parts[1]), let b = Int64(parts[2]), a >= 0, b >= 0 else {
            throw .invalidArgument(field: "page_token", "Неверный маркер страницы")
        }
        return Cursor(a, b)
    }
}
