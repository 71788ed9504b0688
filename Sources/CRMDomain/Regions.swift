/// A region with its offset from Moscow time («Приморский край (Мск. +7ч.)»).
public struct Region: Sendable, Hashable {
    public var code: String
    public var name: String
    public var moscowOffsetHours: Int

    public init(code: String, name: String, moscowOffsetHours: Int) {
        self.code = code
        self.name = name
        self.moscowOffsetHours = moscowOffsetHours
    }

    /// UTC offset = 180 + 60 × the Moscow offset.
    public var utcOffsetMinutes: Int { Regions.moscowUTCOffsetMinutes + 60 * moscowOffsetHours }
}

/// The regions every service knows, keyed by the subject's code: where clients live and
/// where the offices are.
public enum Regions {
    public static let moscowUTCOffsetMinutes = 180

    public static let all: [Region] = [
        Region(code: "77", name: "Москва", moscowOffsetHours: 0),
        Region(code: "50", name: "Московская область", moscowOffsetHours: 0),
        Region(code: "78", name: "Санкт-Петербург", moscowOffsetHours: 0),
        Region(code: "47", name: "Ленинградская область", moscowOffsetHours: 0),
        Region(code: "16", name: "Республика Татарстан", moscowOffsetHours: 0),
        Region(code: "52", name: "Нижегородская область", moscowOffsetHours: 0),
        Region(code: "61", name: "Ростовская область", moscowOffsetHours: 0),
        Region(code: "23", name: "Краснодарский край", moscowOffsetHours: 0),
        Region(code: "36", name: "Воронежская область", moscowOffsetHours: 0),
        Region(code: "34", name: "Волгоградская область", moscowOffsetHours: 0),
        Region(code: "63", name: "Самарская область", moscowOffsetHours: 1),
        Region(code: "64", name: "Саратовская область", moscowOffsetHours: 1),
        Region(code: "73", name: "Ульяновская область", moscowOffsetHours: 1),
        Region(code: "02", name: "Республика Башкортостан", moscowOffsetHours: 2),
        Region(code: "56", name: "Оренбургская область", moscowOffsetHours: 2),
        Region(code: "66", name: "Свердловская область", moscowOffsetHours: 2),
        Region(code: "74", name: "Челябинская область", moscowOffsetHours: 2),
        Region(code: "59", name: "Пермский край", moscowOffsetHours: 2),
        Region(code: "72", name: "Тюменская область", moscowOffsetHours: 2),
        Region(code: "55", name: "Омская область", moscowOffsetHours: 3),
        Region(code: "54", name: "Новосибирская область", moscowOffsetHours: 4),
        Region(code: "22", name: "Алтайский край", moscowOffsetHours: 4),
        Region(code: "42", name: "Кемеровская область", moscowOffsetHours: 4),
        Region(code: "24", name: "Красноярский край", moscowOffsetHours: 4),
        Region(code: "38", name: "Иркутская область", moscowOffsetHours: 5),
        Region(code: "75", name: "Забайкальский край", moscowOffsetHours: 6),
        Region(code: "14", name: "Республика Саха (Якутия)", moscowOffsetHours: 6),
        Region(code: "25", name: "Приморский край", moscowOffsetHours: 7),
        Region(code: "27", name: "Хабаровский край", moscowOffsetHours: 7),
        Region(code: "49", name: "Магаданская область", moscowOffsetHours: 8),
        Region(code: "41", name: "Камчатский край", moscowOffsetHours: 9),
        Region(code: "39", name: "Калининградская область", moscowOffsetHours: -1),
    ]

    public static let byCode: [String: Region] = Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })
}

/// The UTC offset of a region from its Moscow offset: Москва = 180, «Мск. +7ч.» = 600.
public func utcOffsetMinutes(moscowOffsetHours: Int32) -> Int { Regions.moscowUTCOffsetMinutes + 60 * Int(moscowOffsetHours) }
