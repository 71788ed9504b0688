import CRMDomain
import GRDB

/// The offices the service ships with (the regions, cities, ККО, Мини-офис and МПП of the
/// manuals, with realistic addresses, metro stations and landmarks).
enum OfficeSeed {
    struct Place {
        var id: String
        var region: String
        var name: String
    }

    struct Office {
        var id: String
        var settlement: String
        var name: String
        var address: String
        var mpp = false
        var hoursText: String
        var hours: [DayHours]
        var metro: [String] = []
        var landmarks: [String] = []
        var slotMinutes = 30
    }

    static func week(_ opens: Int, _ closes: Int, saturday: (Int, Int)? = nil, sunday: (Int, Int)? = nil) -> [DayHours] {
        var days = (1...5).map { DayHours(weekday: $0, opens: opens * 60, closes: closes * 60) }
        if let saturday { days.append(DayHours(weekday: 6, opens: saturday.0 * 60, closes: saturday.1 * 60)) }
        if let sunday { days.append(DayHours(weekday: 7, opens: sunday.0 * 60, closes: sunday.1 * 60)) }
        return days
    }

    static let settlements: [Place] = [
        Place(id: "msk", region: "77", name: "г. Москва"),
        Place(id: "spb", region: "78", name: "г. Санкт-Петербург"),
        Place(id: "orenburg", region: "56", name: "г. Оренбург"),
        Place(id: "buzuluk", region: "56", name: "г. Бузулук"),
        Place(id: "ekb", region: "66", name: "г. Екатеринбург"),
        Place(id: "vladivostok", region: "25", name: "г. Владивосток"),
        Place(id: "dalnegorsk", region: "25", name: "Дальнегорск"),
        Place(id: "novosibirsk", region: "54", name: "г. Новосибирск"),
        Place(id: "kazan", region: "16", name: "г. Казань"),
        Place(id: "chelny", region: "16", name: "г. Набережные Челны"),
    ]

    static let offices: [Office] = [
        Office(id: "msk-do11", settlement: "msk", name: "Дополнительный офис №11 Московского филиала",
               address: "Ломоносовский проспект, дом 4, корпус 1", hoursText: "пн-пт 09:00-20:00, сб 10:00-17:00",
               hours: week(9, 20, saturday: (10, 17)), metro: ["Университет", "Ломоносовский проспект"], landmarks: ["МГУ", "Цирк на Вернадского"]),
        Office(id: "msk-mini160", settlement: "msk", name: "Мини-офис №160",
               address: "Зелёный пр-кт дом №27 корпус №1", hoursText: "ежедневно 10:00-21:00",
               hours: week(10, 21, saturday: (10, 21), sunday: (10, 21)), metro: ["Новогиреево", "Перово"], landmarks: ["ТЦ «Новогиреево»"], slotMinutes: 60),
        Office(id: "msk-tverskoy", settlement: "msk", name: "ККО «Тверской» филиала «Центральный»",
               address: "ул. Тверская, д. 22", hoursText: "пн-пт 09:00-19:00",
               hours: week(9, 19), metro: ["Пушкинская", "Тверская", "Чеховская"], landmarks: ["Пушкинская площадь", "кинотеатр «Россия»"]),
        Office(id: "msk-mpp", settlement: "msk", name: "МПП Москва", address: "ул. Бахрушина, д. 32, стр. 1", mpp: true,
               hoursText: "пн-пт 09:00-18:00", hours: week(9, 18), metro: ["Павелецкая"], landmarks: ["Павелецкий вокзал"]),
        Office(id: "spb-nevsky", settlement: "spb", name: "ККО «Невский» филиала «Северо-Западный»",
               address: "Невский пр-кт, д. 104", hoursText: "пн-пт 09:00-20:00, сб 10:00-16:00",
               hours: week(9, 20, saturday: (10, 16)), metro: ["Маяковская", "Площадь Восстания"], landmarks: ["Московский вокзал"]),
        Office(id: "spb-mini071", settlement: "spb", name: "Мини-офис №071", address: "Ленинский пр-кт, д. 120",
               hoursText: "пн-сб 10:00-20:00", hours: week(10, 20, saturday: (10, 20)), metro: ["Ленинский проспект"], landmarks: ["ТЦ «Лето»"], slotMinutes: 60),
        Office(id: "spb-mpp", settlement: "spb", name: "МПП Санкт-Петербург", address: "Лиговский пр-кт, д. 50", mpp: true,
               hoursText: "пн-пт 09:00-18:00", hours: week(9, 18), metro: ["Лиговский проспект"], landmarks: ["Дом культуры железнодорожников"]),
        Office(id: "orb-mpp", settlement: "orenburg", name: "МПП Оренбург", address: "ул. Володарского, д. 27", mpp: true,
               hoursText: "пн-пт 09:00-18:00", hours: week(9, 18), landmarks: ["Центральный рынок"]),
        Office(id: "orb-kko1", settlement: "orenburg", name: "ККО «Оренбургский №1» филиала «Центральный»",
               address: "пр-кт Победы, д. 118", hoursText: "пн-пт 09:00-19:00, сб 10:00-15:00",
               hours: week(9, 19, saturday: (10, 15)), landmarks: ["ТРЦ «Гостиный двор»", "Оренбургский драмтеатр"]),
        Office(id: "buz-kko2", settlement: "buzuluk", name: "ККО «Бузулукский №2» филиала «Центральный»",
               address: "ул. Ленина, д. 43", hoursText: "пн-пт 09:00-18:00", hours: week(9, 18), landmarks: ["Площадь Ленина"]),
        Office(id: "ekb-kko3", settlement: "ekb", name: "ККО «Екатеринбургский №3» филиала «Центральный»",
               address: "пр-кт Космонавтов, д. 45", hoursText: "пн-пт 09:00-20:00, сб 10:00-17:00",
               hours: week(9, 20, saturday: (10, 17)), metro: ["Уралмаш"], landmarks: ["ДК «Уралмаш»"]),
        Office(id: "ekb-mini029", settlement: "ekb", name: "Мини-офис №029", address: "ул. 8 Марта, д. 46",
               hoursText: "ежедневно 10:00-21:00", hours: week(10, 21, saturday: (10, 21), sunday: (10, 21)),
               metro: ["Геологическая"], landmarks: ["ТРЦ «Гринвич»"], slotMinutes: 60),
        Office(id: "ekb-mpp", settlement: "ekb", name: "МПП Екатеринбург", address: "ул. Малышева, д. 51", mpp: true,
               hoursText: "пн-пт 09:00-18:00", hours: week(9, 18), metro: ["Площадь 1905 года"], landmarks: ["Высоцкий бизнес-центр"]),
        Office(id: "vvo-kko1", settlement: "vladivostok", name: "ККО «Владивостокский №1» филиала «Восточный»",
               address: "Океанский пр-кт, д. 17", hoursText: "пн-пт 09:00-19:00, сб 10:00-15:00",
               hours: week(9, 19, saturday: (10, 15)), landmarks: ["Центральная площадь", "Фуникулёр"]),
        Office(id: "vvo-mini114", settlement: "vladivostok", name: "Мини-офис №114", address: "ул. Светланская, д. 33",
               hoursText: "пн-сб 10:00-19:00", hours: week(10, 19, saturday: (10, 19)), landmarks: ["ГУМ", "Набережная Цесаревича"], slotMinutes: 60),
        Office(id: "dlg-do5", settlement: "dalnegorsk", name: "Дополнительный офис №5 в г. Дальнегорске",
               address: "пр-кт 50 лет Октября, д. 91", hoursText: "пн-пт 09:00-18:00", hours: week(9, 18), landmarks: ["Автостанция"]),
        Office(id: "nsk-kko2", settlement: "novosibirsk", name: "ККО «Новосибирский №2» филиала «Сибирский»",
               address: "Красный пр-кт, д. 77", hoursText: "пн-пт 09:00-20:00", hours: week(9, 20),
               metro: ["Заельцовская", "Гагаринская"], landmarks: ["Театр «Глобус»"]),
        Office(id: "kzn-mini203", settlement: "kazan", name: "Мини-офис №203", address: "ул. Баумана, д. 44",
               hoursText: "ежедневно 10:00-20:00", hours: week(10, 20, saturday: (10, 20), sunday: (10, 20)),
               metro: ["Площадь Тукая"], landmarks: ["Казанский Кремль", "Колокольня Богоявленского собора"], slotMinutes: 60),
        Office(id: "chl-do3", settlement: "chelny", name: "Дополнительный офис №3 в г. Набережные Челны",
               address: "пр-кт Мира, д. 49", hoursText: "пн-пт 09:00-18:00", hours: week(9, 18), landmarks: ["ТЦ «Палитра»"]),
    ]

    /// The shipped offices as rows, with their hours.
    static var records: [(OfficeRecord, [DayHours])] {
        let regionOf = Dictionary(uniqueKeysWithValues: settlements.map { ($0.id, $0.region) })
        return offices.map { office in
            (
                OfficeRecord(
                    id: office.id, regionCode: regionOf[office.settlement] ?? "", settlementId: office.settlement, name: office.name,
                    address: office.address, kind: office.mpp ? 2 : 1, hoursText: office.hoursText,
                    metro: office.metro.joined(separator: "\n"), landmarks: office.landmarks.joined(separator: "\n"),
                    slotMinutes: office.slotMinutes, slotCapacity: SlotRules.capacity
                ),
                office.hours
            )
        }
    }

    /// What the word search looks in: name, address, metro and landmarks, folded.
    static func searchBody(_ office: OfficeRecord) -> String {
        RussianText.fold([office.name, office.address, office.metro, office.landmarks].joined(separator: "\n"))
    }

    static func insert(_ db: Database) throws {
        for region in Regions.all {
            try db.execute(sql: "INSERT INTO region (code, name, moscow_offset_hours) VALUES (?, ?, ?)",
                           arguments: [region.code, region.name, region.moscowOffsetHours])
        }
        for place in settlements {
            try db.execute(sql: "INSERT INTO settlement (id, region_code, name) VALUES (?, ?, ?)",
                           arguments: [place.id, place.region, place.name])
        }
        for (office, hours) in records {
            try SQLiteSchedulingStore.insertOffice(db, office, hours: hours)
        }
    }
}
