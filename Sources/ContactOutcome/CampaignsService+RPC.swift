import Auth
import CRMDomain
import CRMAPI
import Foundation
public import RPCCore
public import Wire

/// `crm.contacts.v1.Campaigns`: the campaigns, their scripts and the product catalogue.
public struct CampaignsService: ContactsV1.Campaigns.ServiceProtocol {
    public init() {}

    public func listCampaigns(request: ContactsV1.ListCampaignsRequest, context: ServerContext) async throws -> ContactsV1.ListCampaignsResponse {
        try context.requireRole(Role.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        return ContactsV1.ListCampaignsResponse(campaigns: CampaignCatalog.campaigns.filter { request.includeInactive || $0.active })
    }

    public func getScript(request: ContactsV1.GetScriptRequest, context: ServerContext) async throws -> ContactsV1.GetScriptResponse {
        try context.requireRole(Role.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        guard let script = CampaignCatalog.script(request.campaignID) else {
            throw RuleError.notFound(field: "campaign_id", "Кампания «\(request.campaignID)» не найдена")
        }
        return ContactsV1.GetScriptResponse(script: script)
    }

    public func listOfferableProducts(
        request: ContactsV1.ListOfferableProductsRequest, context: ServerContext
    ) async throws -> ContactsV1.ListOfferableProductsResponse {
        try context.requireRole(Role.crm2, rule: Access.crm2Rule)
        try FieldBounds.check(request, context)
        return ContactsV1.ListOfferableProductsResponse(
            products: CampaignCatalog.products.filter { request.category == .unspecified || $0.category == request.category }
        )
    }
}
