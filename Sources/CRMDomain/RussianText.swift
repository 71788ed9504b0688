import Foundation

/// Russian text as search compares it: lower case, ё → е (operators type «е» for both, and
/// records hold either).
public enum RussianText {
    public static func fold(_ text: String) -> String {
        text.lowercased().replacingOccurrences(of: "ё", with: "е")
    }
}
