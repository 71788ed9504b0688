public import Wire

/// The card's closed lists in the manual's words.
public enum CardChoices {
    public static let contactKind = Choices<RegistryV1.ContactDataKind>("Вид контакта", [
        ("mobile", "Мобильный", .mobilePhone), ("work", "Рабочий", .workPhone), ("contact", "Контактный", .contactPhone),
        ("extra1", "Доп. тел. 1", .extraPhone1), ("extra2", "Доп. тел. 2", .extraPhone2),
        ("registration", "Регистрации", .registrationPhone), ("email", "E-mail", .email),
    ])

    public static let strikeReason = Choices<RegistryV1.ContactStrikeReason>("Причина", [
        ("do-not-contact", "Не контактировать", .doNotContact), ("changed", "Изменился", .changed),
        ("not-in-use", "Не используется", .notInUse), ("wrong", "Неверный", .wrong),
    ])
}
