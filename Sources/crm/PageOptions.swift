import ArgumentParser

/// `--page N` and `--all` of a command that lists: a long list is shown a page at a time
/// and always says which part of how many is on the screen.
struct PageOptions: ParsableArguments {
    /// Rows shown at once.
    static let pageSize = 20

    @Option(help: "Страница длинного списка (по \(PageOptions.pageSize) строк).")
    var page: Int = 1

    @Flag(help: "Показать все строки, без страниц.")
    var all = false

    func validate() throws {
        guard page >= 1 else { throw ValidationError("--page: номер страницы — от 1") }
    }

    /// This page of `items` (or all of them), and the line that says which part is shown.
    func paged<T>(_ items: [T]) -> (shown: ArraySlice<T>, footer: String?) {
        guard !all, items.count > Self.pageSize else { return (items[...], nil) }
        let pages = (items.count + Self.pageSize - 1) / Self.pageSize
        let current = min(page, pages)
        let start = (current - 1) * Self.pageSize
        let end = min(items.count, start + Self.pageSize)
        var footer = "Показано \(start + 1)–\(end) из \(items.count) (страница \(current) из \(pages))"
        footer += current < pages ? "; дальше — --page \(current + 1), всё — --all" : "; всё — --all"
        return (items[start..<end], footer)
    }

    /// Prints this page of `items` as `render` draws it, and the footer.
    func show<T>(_ items: [T], _ render: ([T]) -> String) {
        let (shown, footer) = paged(items)
        print(render(Array(shown)))
        if let footer { print(footer) }
    }
}
