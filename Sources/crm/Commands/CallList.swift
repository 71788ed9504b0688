import ArgumentParser
import CRMAPI
import Foundation
import Gateway
import RPCCore
import Wire

/// Campaign call lists: cards chosen in the registry, listed in the contacts service.
struct CallList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calllist",
        abstract: "Списки обзвона кампаний.",
        subcommands: [Load.self]
    )

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Загрузить клиентов в список обзвона кампании: по регионам, типам карточек или файлу с ID CRM.",
            discussion: """
            Условия сочетаются: --region 16 --type internet — заявители Интернет из Татарстана. Файл --ids-file: ID CRM
            через перевод строки, пробел или запятую, «#» — комментарий. Повторная загрузка не задваивает клиентов:
            уже внесённые только считаются, «Не беспокоить» и карточки без действующего телефона пропускаются.
            """
        )

        @OptionGroup var global: GlobalOptions

        @Option(help: "Кампания: ключ или название.")
        var campaign: String

        @Option(help: "Регион проживания клиента: код (16) или название. Повторяемый.")
        var region: [String] = []

        @Option(help: "Тип карточки: client, internet, front-office, recommendation, interested, online-chat. Повторяемый.")
        var type: [String] = []

        @Option(help: "Файл с ID CRM карточек.")
        var idsFile: String?

        func validate() throws {
            if region.isEmpty && type.isEmpty && idsFile == nil {
                throw ValidationError("Укажите, кого загрузить: --region, --type или --ids-file")
            }
        }

        func run() async throws {
            let auth = try Authorized(global)
            let campaigns = ContactsV1.Campaigns.Client(wrapping: auth.contacts.rpc)
            let all = try await auth.contacts.call { _ in try await campaigns.listCampaigns(.init()) }.campaigns
            let chosen = try Console.pick(campaign, all, what: "Кампания", flag: "--campaign", key: \.campaignID, label: \.name)
            var filter = CallListLoad.Filter()
            filter.types = try type.map { try CardTypeChoices.all.pick($0, flag: "--type") }
            filter.regionCodes = try await regionCodes(auth)
            if let idsFile {
                guard let data = FileManager.default.contents(atPath: idsFile) else {
                    throw GatewayError("--ids-file: файл \(idsFile) не найден или не читается")
                }
                guard let text = String(data: data, encoding: .utf8) else {
                    throw GatewayError("--ids-file: файл \(idsFile) не в кодировке UTF-8")
                }
                filter.cardIDs = try CallListLoad.parseIDs(text, file: idsFile)
            }
            let report: CallListLoad.Report
            do {
                report = try await CallListLoad(registry: auth.registry, contacts: auth.contacts).load(campaignID: chosen.campaignID, filter)
            } catch {
                throw Self.naming(error)
            }
            if global.json { return try Console.printJSON(report) }
            print(CallListLoad.describe(report, campaignName: chosen.name))
        }

        /// The registry's refusal of a region code, pinned on the flag.
        static func naming(_ error: GatewayError) -> GatewayError {
            guard error.code == .invalidArgument, error.field?.hasPrefix("region_codes") == true else { return error }
            return GatewayError("--region: \(error.message)", code: error.code)
        }

        /// Codes go to the registry as typed (it refuses an unknown one); a name is looked up
        /// among the regions the scheduling service knows.
        func regionCodes(_ auth: Authorized) async throws -> [String] {
            let typed = region.map { $0.trimmingCharacters(in: .whitespaces) }
            guard typed.contains(where: { $0.isEmpty || !$0.allSatisfy(\.isNumber) }) else { return typed }
            let offices = SchedulingV1.Offices.Client(wrapping: auth.scheduling.rpc)
            let known = try await auth.scheduling.call { _ in try await offices.listRegions(.init()) }.regions
            return try typed.map { text in
                if !text.isEmpty, text.allSatisfy(\.isNumber) { return text }
                return try Console.pick(text, known, what: "Регион", flag: "--region", key: \.code, label: \.name).code
            }
        }
    }
}
