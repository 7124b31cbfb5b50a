#!/usr/bin/env python3
"""Writes the seed corpus of the decoder fuzzers (tests/fuzz/*_fuzz.cpp).

Each seed is a small valid input (plus a few near misses) in the framing its
fuzzer documents. Run from anywhere; it rewrites corpus/<target>/ for the
targets below and leaves the shm targets' hand-made seeds alone.
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
UUID = bytes(range(0x10, 0x20))


# ---- msgpack, the few kinds the seeds need ----------------------------------------
def mp(value):
    if value is None:
        return b"\xc0"
    if value is True:
        return b"\xc3"
    if value is False:
        return b"\xc2"
    if isinstance(value, int):
        if 0 <= value <= 0x7F:
            return bytes([value])
        if -32 <= value < 0:
            return struct.pack("b", value)
        if 0 <= value < 2**32:
            return b"\xce" + struct.pack(">I", value)
        if 0 <= value:
            return b"\xcf" + struct.pack(">Q", value)
        return b"\xd3" + struct.pack(">q", value)
    if isinstance(value, float):
        return b"\xcb" + struct.pack(">d", value)
    if isinstance(value, str):
        raw = value.encode()
        assert len(raw) < 32
        return bytes([0xA0 | len(raw)]) + raw
    if isinstance(value, bytes):  # a uuid: extension 1 of 16 bytes
        assert len(value) == 16
        return b"\xd8\x01" + value
    if isinstance(value, list):
        assert len(value) < 16
        return bytes([0x90 | len(value)]) + b"".join(mp(v) for v in value)
    if isinstance(value, dict):
        assert len(value) < 16
        return bytes([0x80 | len(value)]) + b"".join(mp(k) + mp(v) for k, v in value.items())
    raise TypeError(value)


def f32(value):
    return b"\xca" + struct.pack(">f", value)


def i16(value):
    return b"\xd1" + struct.pack(">h", value)


# Topic indices of fuzz_domain::topics.
OPENED, MEASURED, TAGGED, EMPTY, UNKNOWN = range(5)
EVENTS = {
    "opened": bytes([OPENED]) + mp([UUID, "alice", 100, True]),
    "opened_older_writer": bytes([OPENED]) + mp([UUID, "bob"]),
    "measured": bytes([MEASURED])
    + b"\x95" + mp(3) + i16(-2) + mp(2**40) + mp(1.5) + f32(0.25),
    "measured_newer_writer": bytes([MEASURED])
    + b"\x96" + mp(3) + i16(300) + mp(7) + mp(-1.0) + f32(2.0) + mp("extra"),
    "tagged": bytes([TAGGED]) + mp([["a", "b"], {"x": 1, "y": -5}, 7, [[1, 2], [3]]]),
    "tagged_nil_limit": bytes([TAGGED]) + mp([[], {}, None, []]),
    "empty": bytes([EMPTY]) + mp([]),
    "unknown_topic": bytes([UNKNOWN]) + mp([1, "two", {"three": [3]}]),
    "truncated": bytes([OPENED]) + mp([UUID, "alice", 100, True])[:-3],
    # Inputs that once broke the decoders (see the es commit that fixed them).
    "regress_huge_map": bytes.fromhex("0294 92a161a162 83a178ff5e865e8604ff fddfff04f86d 02 9103"
                                      .replace(" ", "")),
    "regress_key_not_utf8": bytes([EMPTY]) + b"\x91\x81\x91\xa1\xfe\x01",
}


# ---- ring records (tests/fuzz/inbound_decode_fuzz.cpp) -----------------------------
SECTION, PROMPT, PULL, COMMAND = 1, 2, 3, 4
LEADER, FOLLOWER, LANE, BLOB = range(4)


def header(word, count, ident):
    return struct.pack("<HHIQ", 1, word, count, ident)


def notification(ident, topic, state, version=1):
    t = topic.encode()
    return struct.pack("<Q", ident) + UUID + struct.pack("<QH", version, len(t)) + t + \
        struct.pack("<I", len(state)) + state


def section(first, notes):
    last = first + len(notes) - 1
    body = b"".join(struct.pack("<I", len(n)) + n for n in notes)
    return header(0, len(notes), first) + struct.pack("<Q", last) + body


def record(reader, kind, payload):
    return bytes([reader]) + struct.pack("<H", kind) + payload


opened = EVENTS["opened"][1:]
tagged = EVENTS["tagged"][1:]
INBOUND = {
    "section_one": record(LEADER, SECTION, section(1, [notification(1, "fuzz.Opened", opened)])),
    "section_three": record(LEADER, SECTION, section(41, [
        notification(41, "fuzz.Opened", opened),
        notification(42, "fuzz.Tagged", tagged, 2),
        notification(43, "fuzz.Empty", b"\x90", 3)])),
    "section_gap": record(LEADER, SECTION, section(5, [
        notification(5, "fuzz.Empty", b"\x90"), notification(7, "fuzz.Empty", b"\x90")])),
    "prompt": record(LEADER, PROMPT, header(0, 0, 1234)),
    "pull": record(FOLLOWER, PULL, header(0, 256, 17)),
    "command": record(LANE, COMMAND, header(0, 0, 9) + b'open\0{"owner":"carol"}'),
    "blob": record(BLOB, 0, notification(3, "fuzz.Measured", EVENTS["measured"][1:])),
}

COMMANDS = {
    "open": b'open\0{"owner":"alice","balance":100,"active":true}',
    "open_no_args": b"open\0",
    "tag": b'tag\0{"id":"10111213-1415-1617-1819-1a1b1c1d1e1f","tags":["a","b"],"totals":{"x":1}}',
    "echo": b'echo\0{"text":"hi","ratio":0.5,"nested":[1,{"a":null}]}',
    "unknown": b'withdraw\0{"amount":5}',
    "bad_json": b'open\0{"owner":',
    "wrong_type": b'open\0{"owner":42}',
    "regress_name_not_utf8": b'open\xff\xfe\0{"owner":"a"}',
}

SYSTEM_FILES = {
    "minimal.toml": b'name = "fuzz"\npipes = ["App | Proc"]\n\n[[applications]]\nname = "App"\n'
                    b'type = "fuzz.App"\n\n[[applications]]\nname = "Proc"\ntype = "fuzz.Process"\n',
    "full.toml": b"""name = "shop"
data_dir = "shop-data"
plugins = ["lib/libshop.so"]
pipes = [["Orders", "Reservations", "Orders"], "Orders | Payments | Orders"]

[persistence]
kind = "sqlite"
durability = "normal"

[rings]
edge_bytes = 1048576
ingress_bytes = 262144

[batching]
section_events = 256
group_commit = 64

[supervision]
max_restarts = 5
window_seconds = 60
backoff_initial_ms = 100
backoff_max_ms = 5000
stop_timeout_ms = 5000
heartbeat_timeout_ms = 5000

[[applications]]
name = "Orders"
type = "fuzz.POrders"
options = { snapshot_every = 10, label = "x" }

[[applications]]
name = "Reservations"
type = "fuzz.PReservations"
persistence = { kind = "memory" }

[[applications]]
name = "Payments"
type = "fuzz.PPayments"
""",
    "typo.toml": b'name = "fuzz"\n[[applications]]\nname = "A"\ntpye = "fuzz.App"\n',
    "cycle.toml": b'name = "loop"\npipes = ["A | A"]\n[[applications]]\nname = "A"\ntype = "fuzz.PA"\n',
}


def write(target, seeds):
    folder = os.path.join(HERE, target)
    os.makedirs(folder, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(folder, name), "wb") as out:
            out.write(data)


write("events_codec", EVENTS)
write("events_render", EVENTS)
write("inbound_decode", INBOUND)
write("command_payload", COMMANDS)
write("system_file", SYSTEM_FILES)
