import CRMDomain
import Foundation

/// Office search over FTS5, on text folded by `RussianText.fold`.
public enum SearchText {
    /// The words of a free-text query as an FTS5 expression: every word, as a prefix, must
    /// appear; nil when the query has no words.
    public static func matchExpression(_ query: String) -> String? {
        let words = RussianText.fold(query).split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
        guard !words.isEmpty else { return nil }
        return words.map { "\"\($0)\"*" }.joined(separator: " ")
    }
}
