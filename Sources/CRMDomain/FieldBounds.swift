public import RPCCore
public import Wire

/// The bounds every request value is held to at the API boundary, in one place for the
/// three services (docs/API.md «Limits»). Each handler calls `check` after its role check
/// and before any arithmetic or write, so a value that could overflow a computation or fill
/// a table (a send time of 2^63−1, a Moscow offset of 2^31, a 1 MB comment) is refused as
/// INVALID_ARGUMENT naming its field, and nothing is written.
///
/// The rules go by the field's proto name and the message type, so a field added to a
/// .proto is bounded without a line here: any string by `defaultMaxLength`, any integer by
/// `counts`, any enum by its known values.
public enum FieldBounds {
    /// Instants (`*_unix_ms`): 0 means "not given"; otherwise within [2000-01-01, 2100-01-01) UTC.
    public static let earliestUnixMs: Int64 = 946_684_800_000
    public static let endUnixMs: Int64 = 4_102_444_800_000
    /// Calendar dates (`crm.types.v1.Date`, also inside date-times): real dates in these
    /// years (birth dates reach back to 1900).
    public static let years: ClosedRange<Int32> = 1900...2099
    /// `moscow_offset_hours`: Russia's regions, Калининград (−1) to Камчатка (+9).
    public static let moscowOffsetHours: ClosedRange<Int32> = -1...9
    /// `utc_offset_minutes`: 0 means "the region's"; otherwise UTC+2 … UTC+12.
    public static let utcOffsetMinutes: ClosedRange<Int32> = 120...720
    /// `*_kopecks`: up to 10^13 roubles.
    public static let kopecks: ClosedRange<Int64> = 0...1_000_000_000_000_000
    /// Ids (`*_id`, `*_ids`, `expected_version`): never negative; 0 means "not given", so a
    /// listed id (an element of `*_ids`) is positive.
    /// Any other integer (page sizes, priorities, days, head counts): 0 … 1,000,000.
    public static let counts: ClosedRange<Int64> = 0...1_000_000
    /// Elements of any repeated field.
    public static let maxElements = 10_000
    /// Characters (Unicode scalars) of a string field not listed in `maxLengths`: names,
    /// ids, codes, phones, logins, tokens.
    public static let defaultMaxLength = 200
    /// Free text is longer.
    public static let maxLengths: [String: Int] = [
        "comment": 2_000, "text": 2_000, "details": 2_000, "failure_reason": 2_000, "address": 500,
    ]
    /// The `idempotency-key` metadata.
    public static let maxIdempotencyKeyLength = 200

    /// Throws INVALID_ARGUMENT naming the first field out of bounds (`result.reached.callback.at.date`,
    /// `contacts[2].value`, `idempotency-key`).
    public static func check(_ request: some WireMessage, _ context: ServerContext) throws(RPCError) {
        if let key = context.metadata.idempotencyKey, !fits(key, maxIdempotencyKeyLength) {
            throw .invalidArgument(field: Metadata.Keys.idempotencyKey, tooLong(maxIdempotencyKeyLength))
        }
        try check(request)
    }

    /// The message alone (no metadata).
    public static func check(_ message: some WireMessage) throws(RPCError) {
        let walker = BoundsWalker()
        do {
            try message.encode(to: walker)
        } catch let violation as BoundsWalker.Violation {
            throw .invalidArgument(field: violation.field, violation.description)
        } catch {
            // The walker throws nothing else; a message that cannot be walked is not checked twice.
            throw .invalidArgument(field: "request", "\(error)")
        }
    }

    /// The instant bound alone, for values that do not arrive in a `*_unix_ms` field.
    public static func isInstant(_ unixMs: Int64) -> Bool { unixMs >= earliestUnixMs && unixMs < endUnixMs }

    static func fits(_ text: String, _ limit: Int) -> Bool {
        text.utf8.count <= limit || text.unicodeScalars.count <= limit
    }

    static func tooLong(_ limit: Int) -> String { "Не более \(limit) символов" }

    static func maxLength(_ field: String) -> Int { maxLengths[field] ?? defaultMaxLength }

    /// The rule for an integer field, by its proto name; nil when the value is within it.
    static func integerViolation(_ field: String, _ value: Int64, listed: Bool) -> String? {
        if field.hasSuffix("_unix_ms") {
            return value == 0 || isInstant(value) ? nil : "Время вне допустимого диапазона (2000–2099 гг.)"
        }
        if field == "moscow_offset_hours" {
            return (Int64(moscowOffsetHours.lowerBound)...Int64(moscowOffsetHours.upperBound)).contains(value)
                ? nil : "Смещение от Москвы — от −1 до +9 часов"
        }
        if field == "utc_offset_minutes" {
            return value == 0 || (Int64(utcOffsetMinutes.lowerBound)...Int64(utcOffsetMinutes.upperBound)).contains(value)
                ? nil : "Смещение от UTC — от 120 до 720 минут (0 — по региону)"
        }
        if field.hasSuffix("_kopecks") {
            return kopecks.contains(value) ? nil : "Сумма вне допустимого диапазона (0 … 10¹³ руб.)"
        }
        if field == "id" || field.hasSuffix("_id") || field.hasSuffix("_ids") || field == "expected_version" {
            if listed { return value > 0 ? nil : "Идентификатор должен быть положительным" }
            return value >= 0 ? nil : "Идентификатор не может быть отрицательным"
        }
        return counts.contains(value) ? nil : "Значение вне допустимого диапазона (0 … 1 000 000)"
    }

    /// A date's rule; nil when it is a real date within `years`.
    static func dateViolation(_ date: TypesV1.Date) -> String? {
        guard years.contains(date.year) else { return "Год вне допустимого диапазона (1900–2099)" }
        return LocalDate(date) == nil ? "Такой даты нет" : nil
    }

    static func timeViolation(_ time: TypesV1.TimeOfDay) -> (field: String, message: String)? {
        if !(0...23).contains(time.hour) { return ("hour", "Час — от 0 до 23") }
        if !(0...59).contains(time.minute) { return ("minute", "Минуты — от 0 до 59") }
        return nil
    }

    /// `callbackDate` → `callback_date`: field paths use the proto names, as every error does.
    static func protoName(_ key: any CodingKey) -> String {
        let json = key.stringValue
        var name = ""
        name.reserveCapacity(json.utf8.count + 4)
        for character in json.unicodeScalars {
            if character.properties.isUppercase {
                name += "_"
                name.unicodeScalars.append(contentsOf: character.properties.lowercaseMapping.unicodeScalars)
            } else {
                name.unicodeScalars.append(character)
            }
        }
        return name
    }
}
