import Auth
import CRMDomain
import CRMAPI
import Foundation
public import RPCCore
public import Wire

/// `crm.contacts.v1.CallLists`: each campaign's list, the next client under a lease.
public struct CallListsService: ContactsV1.CallLists.ServiceProtocol {
    public let environment: ContactsEnvironment
    var store: ContactsStore { environment.store }
    public static let maxLoad = 1_000

    public init(environment: ContactsEnvironment) {
        self.environment = environment
    }

    func activeCampaign(_ id: String) throws -> ContactsV1.Campaign {
        guard let campaign = CampaignCatalog.campaign(id) else {
            throw RuleError.notFound(field: "campaign_id", "Кампания «\(id)» не найдена")
        }
        guard campaign.active else { throw RuleError.failedPrecondition("Кампания «\(campaign.name)» неактивна") }
        return campaign
    }

    public func loadCallList(request: ContactsV1.LoadCallListRequest, context: ServerContext) async throws -> ContactsV1.LoadCallListResponse {
        try context.requireRole(Role.crm2.union([.system]), rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        guard CampaignCatalog.campaign(request.campaignID) != nil else {
            throw RuleError.notFound(field: "campaign_id", "Кампания «\(request.campaignID)» не найдена")
        }
        guard request.entries.count <= Self.maxLoad else {
            throw RuleError.invalidArgument(field: "entries", "Не более \(Self.maxLoad) карточек за раз")
        }
        if let index = request.entries.firstIndex(where: { $0.cardID <= 0 }) {
            throw RuleError.invalidArgument(field: "entries[\(index)].card_id", "Неверный ID CRM карточки")
        }
        let now = environment.nowMs()
        return try await store.write { db in
            try ContactsStore.loadCallList(db, campaignID: request.campaignID, entries: request.entries, nowMs: now)
        }
    }

    public func nextClient(request: ContactsV1.NextClientRequest, context: ServerContext) async throws -> ContactsV1.NextClientResponse {
        let claims = try context.requireRole(Role.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        let campaign = try activeCampaign(request.campaignID)
        let now = environment.nowMs()
        let leaseMs = environment.leaseMs
        return try await store.write { db in
            try ContactsStore.nextClient(db, campaignID: campaign.campaignID, login: claims.login, nowMs: now, leaseMs: leaseMs)
        }
    }

    public func releaseLease(request: ContactsV1.ReleaseLeaseRequest, context: ServerContext) async throws -> ContactsV1.ReleaseLeaseResponse {
        let claims = try context.requireRole(Role.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        try await store.write { db in
            guard let row = try ContactsStore.lease(db, leaseID: request.leaseID) else {
                throw RuleError.notFound(field: "lease_id", "Клиент из списка не найден (уже возвращен или звонок сохранен)")
            }
            guard row.leaseLogin == claims.login else {
                throw RuleError.failedPrecondition("Клиент из списка выдан другому оператору", field: "lease_id")
            }
            guard !row.leaseInSession else {
                throw RuleError.failedPrecondition("По клиенту уже открыт звонок: завершите его", field: "lease_id")
            }
            try ContactsStore.releaseLease(db, leaseID: request.leaseID)
        }
        return ContactsV1.ReleaseLeaseResponse()
    }
}
