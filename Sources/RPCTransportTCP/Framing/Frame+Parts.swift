import RPCCore
import Wire

extension Metadata {
    init(_ entries: [RPCV1.MetadataEntry]) {
        self.init(entries.lazy.map { (key: $0.key, value: $0.value) })
    }

    var wireEntries: [RPCV1.MetadataEntry] {
        entries.map { entry in
            var wire = RPCV1.MetadataEntry()
            wire.key = entry.key
            wire.value = entry.value
            return wire
        }
    }
}

extension RPCError {
    init(_ status: RPCV1.Status) {
        let code = StatusCode(rawValue: Int(status.code.rawValue)).flatMap { $0 == .ok ? nil : $0 } ?? .unknown
        self.init(
            code: code,
            message: status.message,
            fieldViolations: status.fieldViolations.map { FieldViolation(field: $0.field, description: $0.description) },
            reason: status.reason.isEmpty ? nil : Reason(status.reason)
        )
    }

    var wireStatus: RPCV1.Status {
        var status = RPCV1.Status()
        status.code = RPCV1.StatusCode(rawValue: Int32(code.rawValue))
        status.message = message
        status.reason = reason?.rawValue ?? ""
        status.fieldViolations = fieldViolations.map { violation in
            var wire = RPCV1.FieldViolation()
            wire.field = violation.field
            wire.description = violation.description
            return wire
        }
        return status
    }
}

extension RPCResponseParts {
    init(_ response: RPCV1.Response) {
        let metadata = Metadata(response.metadata)
        if let status = response.status, status.code.rawValue != 0 {
            var error = RPCError(status)
            error.metadata = metadata
            self.init(result: .failure(error), metadata: metadata)
        } else {
            self.init(result: .success(response.payload), metadata: metadata)
        }
    }

    var wireResponse: RPCV1.Response {
        var response = RPCV1.Response()
        response.metadata = metadata.wireEntries
        switch result {
        case .success(let payload): response.payload = payload
        case .failure(let error): response.status = error.wireStatus
        }
        return response
    }
}

extension RPCV1.Frame {
    init(callID: UInt64, kind: Kind) {
        self.init()
        self.callID = callID
        self.kind = kind
    }
}
