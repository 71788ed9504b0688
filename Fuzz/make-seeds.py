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

# fuzz-handlers: an input is up to four calls, each `method role mutation length(2, LE)
# payload` (Fuzz/fuzz-handlers/FuzzHandlers.swift): the method by catalog order (Echo left
# out), the role by Role.allCases order (0 VCC, 6 COLLECTOR, 8 SYSTEM), mutation 0 (the
# fuzzer's own mutations of that byte steer one integer field to an extreme).
import re
catalog = open("Sources/CRMAPI/Generated/APICatalog.swift").read()
names = [n for n in re.findall(r"Entry\(descriptor: \w+\.(\w+\.Method\.\w+)\.descriptor", catalog) if not n.startswith("Echo.")]
def method(name):
    service, rpc = name.split("/")
    return names.index(f"{service}.Method.{rpc}")

def call(name, role, payload=b"", mutation=0):
    return bytes([method(name), role, mutation]) + struct.pack("<H", len(payload)) + payload

def message(number, body):
    return field(number, 2, body)

out = "Fuzz/corpus/fuzz-handlers"
os.makedirs(out, exist_ok=True)
for old in os.listdir(out):
    os.remove(f"{out}/{old}")
# One empty request per method (the role byte is one mutation away): few seeds, so each
# valid request below is picked often enough for its integers to reach the extremes.
for index in range(len(names)):
    with open(f"{out}/{index:02d}", "wb") as f:
        f.write(bytes([index, 0, 0, 0, 0]))
for name, payload in messages.items():
    with open(f"{out}/search-{name}", "wb") as f:
        f.write(call("ClientRegistry/SearchByPhone", 0, payload))

# Valid requests whose integers the mutation byte can reach: the three calls that once
# killed a service (issue 22) among them.
march_2026 = 1_773_122_400_000
year_2030 = 1_893_456_000_000
primorye = string(1, "25") + string(2, "Приморский край") + field(3, 0, 7)
open_session = field(1, 0, 1001) + string(2, "announcement_marking") + field(3, 0, 2) + message(5, primorye)
callback = message(3, message(1, field(1, 0, 3)))  # reached.callback, reason CLIENT_REQUEST, no date
visit_date = message(2, field(1, 0, 2030) + field(2, 0, 3) + field(3, 0, 12))
seeds = {
    "schedule-sms": call("Sms/ScheduleSms", 0, string(1, "mobile-app-link") + field(2, 0, 1) + string(3, "9372888099")
                         + string(4, "25") + field(6, 0, year_2030)),
    "external-event": call("ContactHistory/RecordExternalEvent", 8, string(1, "bki-1") + field(2, 0, 5) + field(4, 0, march_2026)
                           + message(12, string(1, "d1") + field(2, 0, 1))),
    "open-then-callback": call("Calls/OpenCallSession", 0, open_session)
                          + call("Calls/SetDraftResult", 0, string(1, "$1") + message(2, callback)),
    "open-then-save": call("Calls/OpenCallSession", 0, open_session)
                      + call("Calls/SaveCallResult", 0, string(1, "$1") + message(2, callback)),
    "book-visit": call("Offices/BookVisit", 0, string(1, "msk-do11") + visit_date + message(3, field(1, 0, 12)) + field(4, 0, 1)
                       + message(5, string(1, "Иванов") + string(2, "Иван"))),
    "work-list": call("Collection/GetWorkList", 6, field(4, 0, 50) + string(5, "k.100.0")),
    "history": call("ContactHistory/ListContactHistory", 0, field(1, 0, 5) + field(4, 0, 10)),
}
for name, data in seeds.items():
    with open(f"{out}/{name}", "wb") as f:
        f.write(data)
