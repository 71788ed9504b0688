import Foundation
public import Wire

/// The campaigns the service ships (the manual's names), their dynamic scripts and
/// objection banks, and the offered-product catalogue (manual 000 §3, §3.5, §5). Static
/// configuration: every replica has the same copy.
public enum CampaignCatalog {
    static func reasons(_ pairs: [(String, String)]) -> [ContactsV1.RefusalReasonOption] {
        pairs.map { ContactsV1.RefusalReasonOption(reasonID: $0.0, label: $0.1) }
    }

    static let commonRefusals = reasons([
        ("not_interested", "Не интересно предложение"),
        ("high_rate", "Высокая ставка"),
        ("other_bank", "Обслуживается в другом банке"),
        ("no_time", "Нет времени посетить офис"),
    ])

    public static let campaigns: [ContactsV1.Campaign] = [
        ContactsV1.Campaign(
            campaignID: "rcg_halva_activation", name: "РЦГ_ХАЛВА_АКТИВАЦИЯ", halva: true, borrowerAssessment: false,
            retryDelayMinutes: 60, maxAttempts: 5,
            refusalReasons: reasons([("has_halva", "Уже есть карта рассрочки"), ("not_needed", "Не нужна карта рассрочки")]) + commonRefusals,
            active: true
        ),
        ContactsV1.Campaign(
            campaignID: "internet_calls", name: "ОБЗВОН INTERNET", halva: false, borrowerAssessment: false,
            retryDelayMinutes: 30, maxAttempts: 6, refusalReasons: commonRefusals, active: true
        ),
        ContactsV1.Campaign(
            campaignID: "announcement_marking", name: "ОБЪЯВЛЕНИЕ (ДЛЯ МАРКИРОВКИ)", halva: false, borrowerAssessment: false,
            retryDelayMinutes: 60, maxAttempts: 3, refusalReasons: commonRefusals, active: true
        ),
        ContactsV1.Campaign(
            campaignID: "mortgage", name: "ИПОТЕКА", halva: false, borrowerAssessment: false,
            retryDelayMinutes: 120, maxAttempts: 3,
            refusalReasons: reasons([("bought_elsewhere", "Оформил ипотеку в другом банке")]) + commonRefusals, active: true
        ),
        ContactsV1.Campaign(
            campaignID: "rcp", name: "РЦП", halva: false, borrowerAssessment: false,
            retryDelayMinutes: 60, maxAttempts: 4, refusalReasons: commonRefusals, active: true
        ),
        ContactsV1.Campaign(
            campaignID: "borrower_assessment", name: "Оценка заемщика", halva: false, borrowerAssessment: true,
            retryDelayMinutes: 60, maxAttempts: 4,
            refusalReasons: reasons([("credit_doctor_declined", "Отказ от Кредитного доктора")]) + commonRefusals, active: true
        ),
        ContactsV1.Campaign(
            campaignID: "deposit_autumn_2017", name: "ВКЛАД ОСЕННИЙ 2017", halva: false, borrowerAssessment: false,
            retryDelayMinutes: 60, maxAttempts: 3, refusalReasons: commonRefusals, active: false
        ),
    ]

    public static func campaign(_ id: String) -> ContactsV1.Campaign? { campaigns.first { $0.campaignID == id } }

    public static let objections: [ContactsV1.Objection] = [
        ContactsV1.Objection(objectionID: "expensive", objection: "Дорого / высокая ставка",
                             answer: "Понимаю Вас. Давайте посчитаем платеж именно для Вашей суммы — он может оказаться ниже, чем Вы ожидаете."),
        ContactsV1.Objection(objectionID: "no_time", objection: "Нет времени прийти в офис",
                             answer: "Визит займет не более 20 минут, и мы подберем удобное для Вас время и ближайший офис."),
        ContactsV1.Objection(objectionID: "other_bank", objection: "Я обслуживаюсь в другом банке",
                             answer: "Наше предложение можно использовать вместе с продуктами Вашего банка, без закрытия счетов."),
        ContactsV1.Objection(objectionID: "think", objection: "Мне нужно подумать",
                             answer: "Конечно. Что именно Вас смущает? Я отвечу на вопросы прямо сейчас."),
    ]

    /// The dynamic script of a campaign: greeting → presentation → offer, with the answer
    /// opening the next block.
    public static func script(_ campaignID: String) -> ContactsV1.Script? {
        guard let campaign = campaign(campaignID) else { return nil }
        let offer: String = switch campaignID {
        case "rcg_halva_activation": "карту рассрочки «Халва»: покупки в рассрочку без переплат у партнеров"
        case "mortgage": "ипотеку на первичное и вторичное жилье"
        case "borrower_assessment": "оценку заемщика и, при необходимости, программу «Кредитный доктор»"
        case "internet_calls": "кредит по Вашей интернет-заявке"
        default: "денежный кредит на выгодных условиях"
        }
        func answer(_ id: String, _ label: String, _ next: String) -> ContactsV1.ScriptAnswer {
            ContactsV1.ScriptAnswer(answerID: id, label: label, nextBlockID: next)
        }
        let blocks = [
            ContactsV1.ScriptBlock(
                blockID: "greeting", title: "Приветствие",
                text: "Здравствуйте! Меня зовут <имя>, Совкомбанк. Вам удобно сейчас разговаривать?",
                answers: [answer("convenient", "Удобно", "presentation"), answer("inconvenient", "Неудобно, перезвоните", "")]
            ),
            ContactsV1.ScriptBlock(
                blockID: "presentation", title: "Презентация",
                text: "Мы подготовили для Вас предложение: \(offer).",
                answers: [answer("interested", "Интересно", "meeting"), answer("objection", "Возражение", "objections"),
                          answer("not_interested", "Не интересно", "")]
            ),
            ContactsV1.ScriptBlock(
                blockID: "objections", title: "Работа с возражениями",
                text: "Выясните причину и ответьте из копилки возражений (не менее 2 попыток).",
                answers: [answer("convinced", "Клиент заинтересовался", "meeting"), answer("still_no", "Клиент отказывается", "")]
            ),
            ContactsV1.ScriptBlock(
                blockID: "meeting", title: "Назначение встречи",
                text: "Давайте подберем удобный для Вас офис и время визита.",
                answers: [answer("agreed", "Встреча назначена", ""), answer("think", "Подумаю", "")]
            ),
        ]
        return ContactsV1.Script(
            campaignID: campaign.campaignID, scriptName: "СКРИПТ: \(campaign.name)", firstBlockID: "greeting",
            blocks: blocks, objections: objections
        )
    }

    /// «Предложите продукты»: category → product.
    public static let products: [ContactsV1.OfferableProduct] = [
        ContactsV1.OfferableProduct(productID: "dk_realty_pledge", category: .credit, name: "ДК под залог недвижимости"),
        ContactsV1.OfferableProduct(productID: "dk_bid_cardholders", category: .credit, name: "ДК «БИД - Держателям КК»"),
        ContactsV1.OfferableProduct(productID: "halva_2", category: .credit, name: "Карта рассрочки «Халва» 2.0"),
        ContactsV1.OfferableProduct(productID: "mortgage_primary", category: .credit, name: "Ипотека первичная"),
        ContactsV1.OfferableProduct(productID: "deposit_high_income", category: .deposit, name: "Вклад «Высокий доход»"),
        ContactsV1.OfferableProduct(productID: "insurance_life", category: .commission, name: "Страхование жизни"),
        ContactsV1.OfferableProduct(productID: "credit_doctor", category: .creditDoctor, name: "Кредитный доктор"),
        ContactsV1.OfferableProduct(productID: "salary_project", category: .internalProject, name: "Зарплатный проект"),
        ContactsV1.OfferableProduct(productID: "smb_overdraft", category: .smb, name: "Овердрафт для бизнеса"),
    ]

    public static func product(_ id: String) -> ContactsV1.OfferableProduct? { products.first { $0.productID == id } }
}
