import Foundation

/// A template with fixed text: callers pick it, they never edit it (DOMAIN.md §2).
public struct SmsTemplateDefinition: Sendable, Hashable {
    public var id: String
    public var name: String
    public var text: String
    public var kind: SmsKind
}

/// «ШАБЛОНЫ SMS».
public enum SmsTemplates {
    /// Why a queued visit SMS was cancelled, as the listing shows it.
    public static let bookingCancelledReason = "Запись отменена"
    public static let replacedVisitSmsReason = "Заменено новым SMS о визите"

    public static let mobileAppLink = SmsTemplateDefinition(
        id: "mobile-app-link", name: "Ссылка на МП",
        text: "Скачайте мобильное приложение Халва http://scb.im/hva", kind: .marketing
    )
    public static let officeHours = SmsTemplateDefinition(
        id: "office-search", name: "Адреса офисов",
        text: "Адреса и часы работы офисов Совкомбанка: http://scb.im/offices", kind: .marketing
    )
    public static let paymentReminder = SmsTemplateDefinition(
        id: "collection-reminder", name: "Напоминание о платеже",
        text: "Напоминаем о необходимости внести платёж по Вашему договору. Если платёж уже внесён, не обращайте внимания на это сообщение.",
        kind: .collection
    )
    public static let callBack = SmsTemplateDefinition(
        id: "collection-call-back", name: "Просьба перезвонить",
        text: "Просим Вас связаться с банком по вопросу Вашего договора по телефону 8-800-100-00-06.",
        kind: .collection
    )
    public static let visit = SmsTemplateDefinition(
        id: "visit", name: "Информационное SMS о визите", text: "Ждем Вас <дата> по адресу <адрес>", kind: .visit
    )
    public static let loginCode = SmsTemplateDefinition(
        id: "login-code", name: "Код для входа", text: "Код для входа в CRM: <код>", kind: .loginCode
    )

    public static let all: [SmsTemplateDefinition] = [mobileAppLink, officeHours, paymentReminder, callBack, visit, loginCode]
    public static let byID: [String: SmsTemplateDefinition] = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })

    /// «Код для входа в CRM: 123456» — the line the gateway's login reads from the SMS file.
    public static func loginCodeText(_ code: String) -> String {
        loginCode.text.replacingOccurrences(of: "<код>", with: code)
    }
}
