import CRMDomain
import Foundation

/// Places, products, shops and phrases the demo data is made of.
enum DemoCatalog {
    /// A region of `Regions.all` with its settlements (the first is the centre), its
    /// long-distance (ABC) codes for landlines, and its share of the population.
    struct Area: Sendable {
        let region: Region
        let settlements: [String]
        let areaCodes: [String]
        let weight: Int
    }

    static let areaTable: [(code: String, settlements: [String], areaCodes: [String], weight: Int)] = [
        ("77", ["Москва", "Зеленоград"], ["495", "499"], 90),
        ("50", ["Балашиха", "Подольск", "Химки", "Мытищи", "Королёв", "Люберцы", "Красногорск", "Одинцово"], ["496", "498"], 60),
        ("78", ["Санкт-Петербург", "Колпино", "Пушкин"], ["812"], 50),
        ("47", ["Гатчина", "Выборг", "Всеволожск", "Тихвин"], ["813"], 15),
        ("16", ["Казань", "Набережные Челны", "Нижнекамск", "Альметьевск"], ["843", "855"], 30),
        ("52", ["Нижний Новгород", "Дзержинск", "Арзамас"], ["831"], 25),
        ("61", ["Ростов-на-Дону", "Таганрог", "Шахты", "Новочеркасск"], ["863"], 30),
        ("23", ["Краснодар", "Сочи", "Новороссийск", "Армавир"], ["861", "862"], 40),
        ("36", ["Воронеж", "Борисоглебск", "Россошь"], ["473"], 17),
        ("34", ["Волгоград", "Волжский", "Камышин"], ["844"], 18),
        ("63", ["Самара", "Тольятти", "Сызрань", "Новокуйбышевск"], ["846", "848"], 23),
        ("64", ["Саратов", "Энгельс", "Балаково"], ["845"], 18),
        ("73", ["Ульяновск", "Димитровград"], ["842"], 9),
        ("02", ["Уфа", "Стерлитамак", "Салават", "Нефтекамск"], ["347"], 30),
        ("66", ["Екатеринбург", "Нижний Тагил", "Каменск-Уральский", "Первоуральск"], ["343"], 30),
        ("74", ["Челябинск", "Магнитогорск", "Златоуст", "Миасс"], ["351"], 25),
        ("59", ["Пермь", "Березники", "Соликамск"], ["342"], 18),
        ("72", ["Тюмень", "Тобольск", "Ишим"], ["345"], 11),
        ("55", ["Омск", "Тара"], ["381"], 14),
        ("54", ["Новосибирск", "Бердск", "Искитим"], ["383"], 20),
        ("22", ["Барнаул", "Бийск", "Рубцовск"], ["385"], 16),
        ("42", ["Кемерово", "Новокузнецк", "Прокопьевск"], ["384"], 20),
        ("24", ["Красноярск", "Норильск", "Ачинск"], ["391"], 19),
        ("38", ["Иркутск", "Братск", "Ангарск"], ["395"], 17),
        ("75", ["Чита", "Краснокаменск"], ["302"], 8),
        ("14", ["Якутск", "Нерюнгри", "Мирный"], ["411"], 7),
        ("25", ["Владивосток", "Уссурийск", "Находка", "Артём"], ["423"], 13),
        ("27", ["Хабаровск", "Комсомольск-на-Амуре", "Амурск"], ["421"], 9),
        ("49", ["Магадан", "Сусуман"], ["413"], 1),
        ("41", ["Петропавловск-Камчатский", "Елизово"], ["415"], 2),
        ("39", ["Калининград", "Советск", "Черняховск"], ["401"], 7),
    ]

    static let areas: [Area] = areaTable.map { row in
        Area(region: Regions.byCode[row.code]!, settlements: row.settlements, areaCodes: row.areaCodes, weight: row.weight)
    }
    static let areaWeights: [Int] = areas.map(\.weight)

    /// Mobile operators' DEF codes.
    static let mobileCodes = [
        "903", "905", "906", "909", "910", "912", "915", "916", "917", "919", "920", "921", "925", "926", "927",
        "929", "937", "950", "951", "952", "953", "960", "961", "962", "964", "965", "967", "977", "985", "987",
        "996", "999",
    ]

    static let mailDomains = ["mail.ru", "yandex.ru", "gmail.com", "bk.ru", "list.ru", "inbox.ru", "rambler.ru", "ya.ru"]

    static let streets = [
        "ул. Ленина", "пр-т Мира", "ул. Советская", "ул. Гагарина", "ул. Кирова", "ул. Пушкина", "ул. Московская",
        "ул. Садовая", "ул. Молодёжная", "пр-т Победы", "ул. Центральная", "ул. Набережная", "ул. Октябрьская",
    ]
    static let officeHours = [
        "Пн–Пт 09:00–19:00, Сб 10:00–15:00", "Пн–Пт 09:00–20:00, Сб–Вс 10:00–17:00", "Пн–Пт 10:00–19:00",
        "Ежедневно 09:00–21:00",
    ]

    /// Campaign scripts shown in the card header.
    static let scripts = [
        "РЦГ_ХАЛВА_АКТИВАЦИЯ", "КЦ_КРЕДИТ_НАЛИЧНЫМИ", "ОЦЕНКА_ЗАЕМЩИКА", "КРЕДИТНЫЙ_ДОКТОР", "ДЕПОЗИТ_ПРОЛОНГАЦИЯ",
        "ИНТЕРНЕТ_ЗАЯВКА_ДОЗВОН", "ХАЛВА_ДОСТАВКА_МПП", "МСБ_РАСЧЕТНЫЙ_СЧЕТ",
    ]

    struct ProductKind: Sendable {
        let name: String
        /// TypesV1.ProductCategory number.
        let category: Int
        let credit: Bool
        let sumRubles: ClosedRange<Int64>
        let months: ClosedRange<Int>
    }

    static let halvaName = "Карта рассрочки «Халва»"
    static let halvaCategory = 1

    /// Products other than the Halva card, with their category and amounts.
    static let products: [ProductKind] = [
        ProductKind(name: "Кредит наличными", category: 1, credit: true, sumRubles: 50_000...1_500_000, months: 12...60),
        ProductKind(name: "ДК под залог недвижимости", category: 1, credit: true, sumRubles: 500_000...5_000_000, months: 60...180),
        ProductKind(name: "Кредит под залог автомобиля", category: 1, credit: true, sumRubles: 200_000...2_000_000, months: 24...60),
        ProductKind(name: "Вклад «Доходный»", category: 2, credit: false, sumRubles: 50_000...3_000_000, months: 6...24),
        ProductKind(name: "Вклад «Пополняемый»", category: 2, credit: false, sumRubles: 10_000...1_000_000, months: 12...36),
        ProductKind(name: "Накопительный счёт «Копилка»", category: 2, credit: false, sumRubles: 5_000...500_000, months: 12...36),
        ProductKind(name: "Страхование «Защита платежа»", category: 3, credit: false, sumRubles: 1_500...25_000, months: 12...36),
        ProductKind(name: "Пакет услуг «Привилегия»", category: 3, credit: false, sumRubles: 1_000...6_000, months: 12...12),
        ProductKind(name: "Кредитный доктор", category: 4, credit: true, sumRubles: 5_000...50_000, months: 6...12),
        ProductKind(name: "Программа «Свой бизнес»", category: 5, credit: false, sumRubles: 0...0, months: 12...24),
        ProductKind(name: "Расчётный счёт ИП", category: 6, credit: false, sumRubles: 0...0, months: 12...60),
        ProductKind(name: "Кредит «Оборотный» для МСБ", category: 6, credit: true, sumRubles: 300_000...10_000_000, months: 12...36),
    ]
    static let productWeights = [30, 4, 6, 14, 10, 10, 12, 5, 4, 1, 2, 2]

    struct Shop: Sendable {
        let name: String
        let rubles: ClosedRange<Int64>
    }

    static let shops: [Shop] = [
        Shop(name: "Пятёрочка", rubles: 300...4_000), Shop(name: "Магнит", rubles: 300...4_000),
        Shop(name: "Перекрёсток", rubles: 500...6_000), Shop(name: "Лента", rubles: 800...9_000),
        Shop(name: "Ашан", rubles: 800...12_000), Shop(name: "ВкусВилл", rubles: 400...4_000),
        Shop(name: "М.Видео", rubles: 3_000...120_000), Shop(name: "Эльдорадо", rubles: 3_000...90_000),
        Shop(name: "DNS", rubles: 2_000...150_000), Shop(name: "Ситилинк", rubles: 2_000...90_000),
        Shop(name: "Спортмастер", rubles: 1_500...30_000), Shop(name: "Леруа Мерлен", rubles: 1_000...80_000),
        Shop(name: "OZON", rubles: 500...40_000), Shop(name: "Wildberries", rubles: 500...25_000),
        Shop(name: "Детский мир", rubles: 800...20_000), Shop(name: "Л'Этуаль", rubles: 900...12_000),
        Shop(name: "Золотое яблоко", rubles: 1_500...15_000), Shop(name: "Hoff", rubles: 5_000...150_000),
        Shop(name: "Аптека «Ригла»", rubles: 300...5_000), Shop(name: "Fix Price", rubles: 200...2_500),
        Shop(name: "Твой Дом", rubles: 1_000...40_000), Shop(name: "Снежная Королева", rubles: 5_000...60_000),
        Shop(name: "Аскона", rubles: 10_000...120_000), Shop(name: "Обувь России", rubles: 2_000...12_000),
        Shop(name: "585*Золотой", rubles: 3_000...80_000), Shop(name: "Яндекс Маркет", rubles: 500...60_000),
    ]

    static let installmentMonths = [3, 4, 6, 6, 10, 12, 12, 18, 24]
    static let repaymentPurposes = [
        "Погашение через мобильное приложение «Халва»", "Погашение в отделении банка", "Погашение через банкомат",
        "Автопогашение с дебетовой карты", "Перевод с карты другого банка",
    ]

    static let loanProducts = ["Заём «Стандартный»", "Заём «До зарплаты»", "Заём «Пенсионный»", "Потребительский заём", "Заём «Лояльный»"]

    static let thirdPartyComments = [
        "Сестра клиента", "Мать клиента", "Супруг(а) клиента", "Коллега по работе", "Сосед, со слов звонившего",
        "Брат клиента", "Знакомый клиента",
    ]
    static let collectorComments = [
        "Клиент обещал погасить просрочку до конца месяца",
        "Клиент сообщил о потере работы, просит рефинансирование",
        "Не отвечает на звонки, 3-е лицо обещало передать информацию",
        "Клиент в больнице, просит перезвонить через неделю",
        "Оплата поступила частично, клиент обещал внести остаток",
        "Клиент оспаривает сумму задолженности, направлен в офис",
    ]
}
