internal import CProtobufC

extension WireMessage {
    /// This message encoded, carrying over what `previous` — an earlier encoding of the same
    /// record, perhaps written by a newer release — holds in fields this binary does not know:
    /// top-level ones, and those inside a singular message field this encoding also sets.
    /// Rewriting a stored record with this instead of `serializedBytes()` loses nothing a newer
    /// release put there. A `previous` that does not parse carries nothing over.
    public func serializedBytes<Previous: Collection>(
        keepingUnknownFieldsOf previous: Previous
    ) throws(WireError) -> [UInt8] where Previous.Element == UInt8 {
        let encoded = try serializedBytes()
        guard let bridged = self as? any CMessageBridge else { return encoded }
        return UnknownFields.merged(Array(previous)[...], into: encoded[...], descriptor: type(of: bridged).cDescriptor)
    }
}

/// Field-level reading of the protobuf wire format, enough to find fields by number.
enum UnknownFields {
    struct Field {
        var number: UInt32
        var wireType: UInt8
        /// The whole field: tag, length (if any) and value.
        var raw: ArraySlice<UInt8>
        /// For length-delimited fields, the value without tag and length.
        var payload: ArraySlice<UInt8>
    }

    /// `new` with what `old` holds that `descriptor` does not know: unknown fields of this
    /// level appended, and those inside a singular message field both set spliced into the
    /// new encoding of that field (protobuf-c takes the last occurrence of a oneof's message
    /// whole, so appending a second occurrence would not merge). `new` unchanged when either
    /// does not parse.
    static func merged(
        _ old: ArraySlice<UInt8>, into new: ArraySlice<UInt8>, descriptor: UnsafePointer<ProtobufCMessageDescriptor>
    ) -> [UInt8] {
        guard let oldFields = fields(old), let newFields = fields(new) else { return Array(new) }
        var extra: [UInt8] = []
        var spliced: [UInt32: [UInt8]] = [:]
        for field in oldFields {
            guard let known = protobuf_c_message_descriptor_get_field(descriptor, field.number) else {
                extra += field.raw
                continue
            }
            guard field.wireType == 2, known.pointee.type == PROTOBUF_C_TYPE_MESSAGE,
                  known.pointee.label != PROTOBUF_C_LABEL_REPEATED,
                  let nested = known.pointee.descriptor?.assumingMemoryBound(to: ProtobufCMessageDescriptor.self),
                  let newer = newFields.last(where: { $0.number == field.number && $0.wireType == 2 })
            else { continue }
            let inner = merged(field.payload, into: newer.payload, descriptor: nested)
            if inner.count != newer.payload.count { spliced[field.number] = inner }
        }
        guard !extra.isEmpty || !spliced.isEmpty else { return Array(new) }
        var out: [UInt8] = []
        for (index, field) in newFields.enumerated() {
            let isLast = !newFields[(index + 1)...].contains { $0.number == field.number }
            if isLast, let inner = spliced[field.number] {
                out += varint(UInt64(field.number) << 3 | 2) + varint(UInt64(inner.count)) + inner
            } else {
                out += field.raw
            }
        }
        return out + extra
    }

    /// The fields of one message level; nil when the bytes do not parse.
    static func fields(_ bytes: ArraySlice<UInt8>) -> [Field]? {
        var fields: [Field] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let start = index
            guard let tag = readVarint(bytes, &index), tag >> 3 > 0, tag >> 3 <= UInt64(UInt32.max) else { return nil }
            let wireType = UInt8(tag & 7)
            var payload = bytes[index..<index]
            switch wireType {
            case 0: guard readVarint(bytes, &index) != nil else { return nil }
            case 1: guard bytes.endIndex - index >= 8 else { return nil }; index += 8
            case 5: guard bytes.endIndex - index >= 4 else { return nil }; index += 4
            case 2:
                guard let length = readVarint(bytes, &index), length <= UInt64(bytes.endIndex - index) else { return nil }
                payload = bytes[index..<index + Int(length)]
                index += Int(length)
            default: return nil  // groups (3, 4) are not used by proto3
            }
            fields.append(Field(number: UInt32(tag >> 3), wireType: wireType, raw: bytes[start..<index], payload: payload))
        }
        return fields
    }

    static func readVarint(_ bytes: ArraySlice<UInt8>, _ index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.endIndex, shift < 64 {
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7f) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        while value >= 0x80 {
            out.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
        return out
    }
}
