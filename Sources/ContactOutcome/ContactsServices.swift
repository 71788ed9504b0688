public import RPCCore

/// Every service the contacts executable serves.
public enum ContactsServices {
    public static func all(_ environment: ContactsEnvironment) -> [any RegistrableRPCService] {
        [
            CampaignsService(), CallsService(environment: environment), CallListsService(environment: environment),
            ContactHistoryService(environment: environment),
            CollectionService(environment: environment), IncomingCallsService(environment: environment),
        ]
    }
}
