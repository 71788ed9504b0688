public import CRMAPI
public import RPCCore
public import Wire

/// The service calls a call result is composed of. The real one goes over RPC; tests wrap
/// it to fail any one step.
public protocol CallBackend: Sendable {
    func openSession(_ request: ContactsV1.OpenCallSessionRequest) async throws(GatewayError) -> ContactsV1.CallSession
    func nextBlock(_ request: ContactsV1.NextScriptBlockRequest) async throws(GatewayError) -> ContactsV1.ScriptBlock?
    func recordObjection(_ request: ContactsV1.RecordObjectionHandlingRequest) async throws(GatewayError) -> Int32
    func setDraft(_ request: ContactsV1.SetDraftResultRequest) async throws(GatewayError) -> ContactsV1.SetDraftResultResponse
    func save(_ request: ContactsV1.SaveCallResultRequest, key: String) async throws(GatewayError) -> ContactsV1.SaveCallResultResponse
    func exitWithoutSaving(sessionID: String) async throws(GatewayError)
    func book(_ request: SchedulingV1.BookVisitRequest, key: String) async throws(GatewayError) -> SchedulingV1.Booking
    func cancelBooking(_ bookingID: String, reason: String) async throws(GatewayError)
    func scheduleVisitSms(_ request: SchedulingV1.ScheduleVisitSmsRequest, key: String) async throws(GatewayError) -> SchedulingV1.SmsMessage?
}

/// The backend over the contacts and scheduling services.
public struct RPCCallBackend: CallBackend {
    public let contacts: ServiceClient
    public let scheduling: ServiceClient

    public init(contacts: ServiceClient, scheduling: ServiceClient) {
        self.contacts = contacts
        self.scheduling = scheduling
    }

    var calls: ContactsV1.Calls.Client { .init(wrapping: contacts.rpc) }
    var offices: SchedulingV1.Offices.Client { .init(wrapping: scheduling.rpc) }
    var sms: SchedulingV1.Sms.Client { .init(wrapping: scheduling.rpc) }

    static func keyed(_ key: String) -> Metadata {
        var metadata = Metadata()
        metadata.idempotencyKey = key
        return metadata
    }

    public func openSession(_ request: ContactsV1.OpenCallSessionRequest) async throws(GatewayError) -> ContactsV1.CallSession {
        let answer = try await contacts.call { _ in try await calls.openCallSession(request) }
        guard let session = answer.session else { throw GatewayError("Сервис contacts не открыл звонок") }
        return session
    }

    public func nextBlock(_ request: ContactsV1.NextScriptBlockRequest) async throws(GatewayError) -> ContactsV1.ScriptBlock? {
        try await contacts.call { _ in try await calls.nextScriptBlock(request) }.block
    }

    public func recordObjection(_ request: ContactsV1.RecordObjectionHandlingRequest) async throws(GatewayError) -> Int32 {
        try await contacts.call { _ in try await calls.recordObjectionHandling(request) }.objectionAttempts
    }

    public func setDraft(_ request: ContactsV1.SetDraftResultRequest) async throws(GatewayError) -> ContactsV1.SetDraftResultResponse {
        try await contacts.call { _ in try await calls.setDraftResult(request) }
    }

    public func save(_ request: ContactsV1.SaveCallResultRequest, key: String) async throws(GatewayError) -> ContactsV1.SaveCallResultResponse {
        try await contacts.call { _ in try await calls.saveCallResult(request, metadata: Self.keyed(key)) }
    }

    public func exitWithoutSaving(sessionID: String) async throws(GatewayError) {
        _ = try await contacts.call { _ in try await calls.exitWithoutSaving(.init(sessionID: sessionID)) }
    }

    public func book(_ request: SchedulingV1.BookVisitRequest, key: String) async throws(GatewayError) -> SchedulingV1.Booking {
        let answer = try await scheduling.call { _ in try await offices.bookVisit(request, metadata: Self.keyed(key)) }
        guard let booking = answer.booking else { throw GatewayError("Сервис scheduling не вернул запись") }
        return booking
    }

    public func cancelBooking(_ bookingID: String, reason: String) async throws(GatewayError) {
        _ = try await scheduling.call { _ in try await offices.cancelBooking(.init(bookingID: bookingID, reason: reason)) }
    }

    public func scheduleVisitSms(_ request: SchedulingV1.ScheduleVisitSmsRequest, key: String) async throws(GatewayError) -> SchedulingV1.SmsMessage? {
        try await scheduling.call { _ in try await sms.scheduleVisitSms(request, metadata: Self.keyed(key)) }.sms
    }
}
