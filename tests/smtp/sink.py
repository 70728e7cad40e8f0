"""A real SMTP server for Einlass's tests (aiosmtpd), with faults on demand.

Every accepted message is written to DIR as one JSON file (written to a
temporary name, then renamed): envelope, headers that matter, and the text
and HTML parts decoded by Python's own email parser -- a second opinion on
what lettre sent.

    python3 sink.py --dir DIR [--port 0] [--reject REGEX] [--tempfail N]
                    [--tempfail-code 451] [--delay-ms MS]

--reject REGEX   RCPT TO addresses matching it get "550 5.1.1 ..."
--tempfail N     the first N messages get a 4xx at DATA (--tempfail-code)
--delay-ms MS    wait this long before answering DATA (slow server)
--auth-fail      offer AUTH (without TLS) and refuse every login with 535

Prints "PORT <n>" on stdout once it listens.
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import re
import signal
import sys
import uuid

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, directory, reject, tempfail, tempfail_code, delay_ms):
        self.directory = directory
        self.reject = re.compile(reject) if reject else None
        self.tempfail = tempfail
        self.tempfail_code = tempfail_code
        self.delay = delay_ms / 1000.0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and self.reject.search(address):
            return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.tempfail > 0:
            self.tempfail -= 1
            return "%d 4.3.0 Try again later" % self.tempfail_code
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = {"text": None, "html": None}
        for part in msg.walk():
            kind = part.get_content_type()
            if kind == "text/plain" and parts["text"] is None:
                parts["text"] = part.get_content()
            elif kind == "text/html" and parts["html"] is None:
                parts["html"] = part.get_content()
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "message_id": msg.get("Message-ID"),
            "date": msg.get("Date"),
            "from": msg.get("From"),
            "to": msg.get("To"),
            "subject": msg.get("Subject"),
            "header_names": [k for k in msg.keys()],
            "text": parts["text"],
            "html": parts["html"],
        }
        name = uuid.uuid4().hex
        tmp = os.path.join(self.directory, "." + name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(self.directory, name + ".json"))
        return "250 2.0.0 Ok: queued as " + name[:12]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--reject", default="")
    parser.add_argument("--tempfail", type=int, default=0)
    parser.add_argument("--tempfail-code", type=int, default=451)
    parser.add_argument("--delay-ms", type=int, default=0)
    parser.add_argument("--auth-fail", action="store_true")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    port = args.port
    if port == 0:
        import socket

        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
    handler = Sink(args.dir, args.reject, args.tempfail, args.tempfail_code, args.delay_ms)
    extra = {}
    if args.auth_fail:
        extra = dict(
            auth_require_tls=False,
            authenticator=lambda *a, **k: AuthResult(success=False, handled=False),
        )
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, data_size_limit=10 * 1024 * 1024, **extra
    )
    controller.start()
    print("PORT %d" % port, flush=True)
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


if __name__ == "__main__":
    sys.exit(main())
