import Foundation
public import HTTPEndpoint
public import Logging

/// What a delivery report says about a message.
public enum DeliveryEvent: Sendable, Hashable {
    /// Taken by the SMS centre (or buffered on the way): the message has left us.
    case sent
    case delivered
    case failed(reason: String)

    /// Kannel's report types (`%d`): 1 delivered, 2 failed, 4 buffered, 8 accepted by the
    /// SMS centre, 16 rejected by it. `reply` is the centre's answer (`%A`), kept as the reason.
    public static func kannel(type: Int, reply: String) -> DeliveryEvent? {
        let answer = reply.trimmingCharacters(in: .whitespacesAndNewlines)
        switch type {
        case 1: return .delivered
        case 2: return .failed(reason: answer.isEmpty ? "Не доставлено (оператор связи)" : "Не доставлено: \(answer)")
        case 4, 8: return .sent
        case 16: return .failed(reason: answer.isEmpty ? "Отклонено центром SMS" : "Отклонено центром SMS: \(answer)")
        default: return nil
        }
    }
}

/// The DLR listener's route: Kannel calls `GET <dlr-url>?id=<outbox id>&sig=…&type=%d&reply=%A`
/// for each report. A report is applied once and never moves a message backwards, so
/// repeats and reports out of order (delivered before accepted) are harmless.
public struct KannelDeliveryReports: Sendable {
    let store: any SchedulingStore
    let signer: DeliveryReportSigner
    let nowMs: @Sendable () -> Int64
    let logger: Logger
    let path: String
    let onChange: @Sendable () -> Void

    public init(
        store: any SchedulingStore, signer: DeliveryReportSigner, path: String = "/dlr", nowMs: @escaping @Sendable () -> Int64,
        logger: Logger = Logger(label: "scheduling.dlr"), onChange: @escaping @Sendable () -> Void = {}
    ) {
        self.store = store
        self.signer = signer
        self.path = path
        self.nowMs = nowMs
        self.logger = logger
        self.onChange = onChange
    }

    public var routes: [EndpointRoute] {
        [EndpointRoute("GET", path) { request in await self.handle(request) }, EndpointRoute("POST", path) { request in await self.handle(request) }]
    }

    public func handle(_ request: EndpointRequest) async -> EndpointResponse {
        guard let id = request.query("id"), !id.isEmpty else { return .text("missing id\n", status: 400) }
        guard let signature = request.query("sig"), signer.isValid(signature, for: id) else {
            logger.warning("delivery report with a bad signature", metadata: ["sms": "\(id)"])
            return .text("bad signature\n", status: 403)
        }
        guard let type = request.query("type").flatMap(Int.init), let event = DeliveryEvent.kannel(type: type, reply: request.query("reply") ?? "") else {
            return .text("unknown report type\n", status: 400)
        }
        let now = nowMs()
        do {
            let found = try await store.applyReport(id: id, event: event, nowMs: now)
            guard found else { return .text("unknown message\n", status: 404) }
            onChange()
            logger.debug("delivery report", metadata: ["sms": "\(id)", "type": "\(type)"])
            return .text("ok\n")
        } catch {
            logger.error("delivery report not recorded", metadata: ["sms": "\(id)", "error": "\(error)"])
            return .text("not recorded\n", status: 503)
        }
    }
}
