import CRMDomain
import Foundation

/// Office search on text folded by `RussianText.fold`, for FTS5 (SQLite) and tsquery
/// (PostgreSQL).
public enum SearchText {
    /// The folded words of a free-text query (letters and digits only, so no word carries
    /// an engine's query syntax); empty when the query has none.
    public static func words(_ query: String) -> [String] {
        RussianText.fold(query).split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }

    /// The words as an FTS5 expression: every word, as a prefix, must appear; nil when none.
    public static func matchExpression(_ query: String) -> String? {
        fts5(words(query))
    }

    static func fts5(_ words: [String]) -> String? {
        words.isEmpty ? nil : words.map { "\"\($0)\"*" }.joined(separator: " ")
    }

    /// The words as a PostgreSQL `to_tsquery('simple', …)` text: every word as a prefix (`:*`), all required.
    static func tsquery(_ words: [String]) -> String? {
        words.isEmpty ? nil : words.map { "\($0):*" }.joined(separator: " & ")
    }
}
