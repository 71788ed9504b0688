#!/usr/bin/env python3
"""Writes the committed seed corpora (Fuzz/corpus/*): a few valid inputs by hand-encoded
protobuf, so the fuzzers start from real frames and messages. Run from the repository root."""
import os, struct

def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])

def field(number, wire, value):
    key = varint(number << 3 | wire)
    if wire == 0:
        return key + varint(value)
    return key + varint(len(value)) + value

def string(number, text):
    return field(number, 2, text.encode())

def frame(body):
    return struct.pack(">I", len(body)) + body

def request(call_id, method, payload=b"", metadata=(), timeout=0):
    req = string(1, method)
    for key, value in metadata:
        req += field(2, 2, string(1, key) + string(2, value))
    if timeout:
        req += field(3, 0, timeout)
    if payload:
        req += field(4, 2, payload)
    return field(1, 0, call_id) + field(2, 2, req)

phone = string(1, "8 937 288 80 99")
status = field(1, 0, 3) + string(2, "Укажите фамилию") + field(3, 2, string(1, "full_name.surname") + string(2, "Укажите фамилию"))
frames = {
    "request": request(1, "crm.registry.v1.ClientRegistry/SearchByPhone", phone, [("authorization", "Bearer v1.e30.x"), ("idempotency-key", "k-1")], 2_000_000),
    "response-ok": field(1, 0, 7) + field(3, 2, field(3, 2, b"\x08\x01")),
    "response-error": field(1, 0, 8) + field(3, 2, field(1, 2, status)),
    "cancel": field(1, 0, 9) + field(4, 2, b""),
    "go-away": field(1, 0, 0) + field(5, 2, string(1, "server is shutting down")),
}
out = "Fuzz/corpus/fuzz-frames"
for name, body in frames.items():
    for read_size in (0, 3, 63):
        with open(f"{out}/{name}-{read_size}", "wb") as f:
            f.write(bytes([read_size]) + frame(body))
with open(f"{out}/two-frames", "wb") as f:
    f.write(b"\x07" + frame(frames["request"]) + frame(frames["cancel"]))
with open(f"{out}/over-limit", "wb") as f:
    f.write(b"\x00" + struct.pack(">I", 100_000) + b"\x00" * 16)

# fuzz-messages: first byte picks the message type (catalog order), the rest is its bytes.
out = "Fuzz/corpus/fuzz-messages"
messages = {
    "phone": phone,
    "full-name": field(1, 2, string(1, "Смирнов") + string(2, "Алексей") + string(3, "Викторович")) + field(3, 2, field(1, 0, 1985) + field(2, 0, 3) + field(3, 0, 7)),
    "ids": field(1, 0, 1) + string(2, "Z600531987509") + field(3, 0, 50) + string(4, "dG9rZW4"),
    "nested": field(1, 2, field(1, 2, field(1, 2, string(1, "x")))) + field(2, 0, 2**63),
    "status": status,
}
for index in range(0, 256, 7):
    name = list(messages)[index % len(messages)]
    with open(f"{out}/{index:03d}-{name}", "wb") as f:
        f.write(bytes([index]) + messages[name])

# fuzz-handlers: first byte picks the method (catalog order, Echo left out), the second the
# role (Role.allCases order: 0 VCC, 6 COLLECTOR, 8 SYSTEM), the rest is the request.
out = "Fuzz/corpus/fuzz-handlers"
os.makedirs(out, exist_ok=True)
for method in range(0, 80):
    for role in (0, 6, 8):
        with open(f"{out}/{method:02d}-{role}", "wb") as f:
            f.write(bytes([method, role]))
for name, payload in messages.items():
    with open(f"{out}/search-{name}", "wb") as f:
        f.write(bytes([44, 0]) + payload)
