import Foundation

/// How an operator names one item of a list: its number, its key, the manual's label (with
/// or without the bracketed part, «Согласился» for «Согласился (ДА)»), or a beginning (else
/// a part) of the label that only one item has — in any case.
public enum ChoiceMatch<T> {
    case found(T)
    /// Why nothing (or more than one item) was named, in the operator's words.
    case refused(String)

    /// `keysFirst`: a key is matched before a number (a flag's value, where «16» is a region's
    /// code); at a menu the number on the screen comes first.
    public static func find(
        _ text: String, _ items: [T], label: (T) -> String, key: (T) -> String = { _ in "" }, keysFirst: Bool = false
    ) -> ChoiceMatch<T> {
        let wanted = normalized(text)
        guard !wanted.isEmpty else { return .refused("Нужен ответ: номер или название") }
        let byKey = items.first(where: { !key($0).isEmpty && normalized(key($0)) == wanted })
        if keysFirst, let byKey { return .found(byKey) }
        if let number = Int(wanted) {
            guard items.indices.contains(number - 1) else { return .refused("Номера \(number) нет: от 1 до \(items.count)") }
            return .found(items[number - 1])
        }
        if let byKey { return .found(byKey) }
        if let item = items.first(where: { normalized(label($0)) == wanted || normalized(bare(label($0))) == wanted }) { return .found(item) }
        let starting = items.filter { normalized(label($0)).hasPrefix(wanted) }
        if starting.count == 1 { return .found(starting[0]) }
        let containing = starting.isEmpty ? items.filter { normalized(label($0)).contains(wanted) } : starting
        if containing.count == 1 { return .found(containing[0]) }
        if containing.count > 1 {
            return .refused("«\(text)» подходит к нескольким: " + containing.prefix(5).map { "«\(label($0))»" }.joined(separator: ", ") + " — уточните или введите номер")
        }
        return .refused("«\(text)» — нет такого варианта: введите номер от 1 до \(items.count) или название")
    }

    /// Lower case, «ё» as «е», runs of spaces as one.
    public static func normalized(_ text: String) -> String {
        text.lowercased().replacingOccurrences(of: "ё", with: "е").split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The label without a trailing bracketed part: «Отказался (НЕТ)» → «Отказался».
    static func bare(_ label: String) -> String {
        guard label.hasSuffix(")"), let open = label.lastIndex(of: "(") else { return label }
        return label[..<open].trimmingCharacters(in: .whitespaces)
    }
}
