/// An operator's role (DOMAIN.md §1, docs/API.md «Roles»). The raw value is the proto
/// enum's suffix (`OPERATOR_ROLE_<raw>`), which is also how tokens carry it.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    /// Специалист Virtual CC
    case vcc = "VCC"
    /// Менеджер DS_Sales
    case sales = "SALES"
    /// Сотрудник МСБ
    case smb = "SMB"
    /// Сотрудник офиса
    case office = "OFFICE"
    /// Группа активного контроля
    case activeControl = "ACTIVE_CONTROL"
    /// Финансовый консультант
    case fc = "FC"
    /// Специалист выездного взыскания (СВВ)
    case collector = "COLLECTOR"
    /// Manages operator accounts only.
    case administrator = "ADMINISTRATOR"
    /// Service-to-service and loaders; never logs in by password.
    case system = "SYSTEM"

    /// The roles of CRM2 (the contact centre): VCC, SALES, SMB, OFFICE, ACTIVE_CONTROL, FC.
    public static let crm2: Set<Role> = [.vcc, .sales, .smb, .office, .activeControl, .fc]

    /// The role as the header shows it: «Вы вошли в систему как <роль>».
    public var label: String {
        switch self {
        case .vcc: "Специалист Virtual CC"
        case .sales: "Менеджер DS_Sales"
        case .smb: "Сотрудник МСБ"
        case .office: "Сотрудник офиса"
        case .activeControl: "Группа активного контроля"
        case .fc: "Финансовый консультант"
        case .collector: "Специалист выездного взыскания"
        case .administrator: "Администратор"
        case .system: "Система"
        }
    }
}
